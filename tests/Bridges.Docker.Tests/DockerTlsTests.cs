using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gateway.Testing;
using static Gateway.Testing.ProblemAssert;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>
/// Docker hosts over mutual TLS: the test dockerd also listens on <c>DOCKER_TLS_ENDPOINT</c> with <c>--tlsverify</c>
/// (scripts/backends.d/dockerd.sh makes its CA, server and client certificates). Certificates of another CA are made
/// here, to show each side refusing what it does not trust.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DockerTlsTests(DockerBackend backend) : DockerGatewayTestBase(backend), IDisposable
{
    readonly string _endpoint = Backends.Require("DOCKER_TLS_ENDPOINT", "dockerd");
    readonly string _ca = Backends.Require("DOCKER_TLS_CA", "dockerd");
    readonly string _cert = Backends.Require("DOCKER_TLS_CERT", "dockerd");
    readonly string _key = Backends.Require("DOCKER_TLS_KEY", "dockerd");
    readonly string _dir = Directory.CreateTempSubdirectory("gw-docker-tls-").FullName;
    (string Ca, string Cert, string Key)? _other;

    /// <summary>A CA of its own and a client certificate it signed, as PEM files.</summary>
    (string Ca, string Cert, string Key) Other => _other ??= MakeOtherAuthority();

    (string Ca, string Cert, string Key) MakeOtherAuthority()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=another CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        using var clientKey = RSA.Create(2048);
        var clientRequest = new CertificateRequest("CN=another client", clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var client = clientRequest.Create(ca, now.AddDays(-1), now.AddDays(29), [1, 2, 3, 4]);
        var paths = (Path.Combine(_dir, "other-ca.pem"), Path.Combine(_dir, "other-cert.pem"), Path.Combine(_dir, "other-key.pem"));
        File.WriteAllText(paths.Item1, ca.ExportCertificatePem());
        File.WriteAllText(paths.Item2, client.ExportCertificatePem());
        File.WriteAllText(paths.Item3, clientKey.ExportPkcs8PrivateKeyPem());
        return paths;
    }

    Dictionary<string, string?> Host(string name, string ca, string cert, string key) => new()
    {
        [$"Gateway:Docker:Hosts:{name}:Endpoint"] = _endpoint,
        [$"Gateway:Docker:Hosts:{name}:Resilience:MaxRetryAttempts"] = "0",
        [$"Gateway:Docker:Hosts:{name}:Tls:CaCertificate"] = ca,
        [$"Gateway:Docker:Hosts:{name}:Tls:ClientCertificate"] = cert,
        [$"Gateway:Docker:Hosts:{name}:Tls:ClientKey"] = key,
    };

    protected override IEnumerable<KeyValuePair<string, string?>> MoreSettings =>
        Host("tls", _ca, _cert, _key)
            .Concat(Host("untrusted-engine", Other.Ca, _cert, _key))
            .Concat(Host("untrusted-client", _ca, Other.Cert, Other.Key))
            .Append(new("Gateway:Docker:Hosts:plain-to-tls:Endpoint", _endpoint))
            .Append(new("Gateway:Docker:Hosts:plain-to-tls:Resilience:MaxRetryAttempts", "0"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_tls_host_is_reached_with_its_client_certificate()
    {
        var version = await Http.GetFromJsonAsync<JsonElement>("v1/docker/tls/version");
        Assert.Equal((await Backend.Direct.System.GetVersionAsync()).Version, version.GetProperty("version").GetString());

        var create = await Http.PostAsJsonAsync("v1/docker/tls/containers", new { image = Backend.TestImage, command = new[] { "true" }, labels = RunLabels });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var id = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        // The same engine, seen over its unix socket.
        Assert.Equal(id, (await Backend.Direct.Containers.InspectContainerAsync(id)).ID);
    }

    [Fact]
    public async Task An_engine_whose_certificate_does_not_chain_to_the_configured_ca_is_refused()
    {
        var problem = await Problem(await Http.GetAsync("v1/docker/untrusted-engine/version"), HttpStatusCode.BadGateway, "bad-gateway");
        Assert.Contains("certificate", problem.GetProperty("detail").GetString());
        // Nothing was created through it either.
        var before = (await Backend.Direct.Containers.ListContainersAsync(new() { All = true })).Count;
        Assert.Equal(HttpStatusCode.BadGateway,
            (await Http.PostAsJsonAsync("v1/docker/untrusted-engine/containers", new { image = Backend.TestImage, labels = RunLabels })).StatusCode);
        Assert.Equal(before, (await Backend.Direct.Containers.ListContainersAsync(new() { All = true })).Count);
    }

    [Fact]
    public async Task An_engine_reached_under_an_address_its_certificate_does_not_name_is_refused()
    {
        // The same engine, CA and client certificate as the trusted host, through 127.0.0.2: the server certificate
        // names 127.0.0.1 and localhost only, so the chain is good and the name is not.
        var target = new Uri(_endpoint.Replace("tcp://", "https://"));
        await using var forwarder = new LoopbackForwarder(new IPEndPoint(IPAddress.Parse(target.Host), target.Port));
        await using var gateway = await GatewayServer.StartAsync(Host("renamed", _ca, _cert, _key)
            .Select(kv => kv.Key.EndsWith(":Endpoint") ? new KeyValuePair<string, string?>(kv.Key, $"tcp://{forwarder.Endpoint}") : kv)
            .ToDictionary());

        var problem = await Problem(await gateway.Client.GetAsync("v1/docker/renamed/version"), HttpStatusCode.BadGateway, "bad-gateway");
        Assert.Contains("certificate", problem.GetProperty("detail").GetString());
        var before = (await Backend.Direct.Containers.ListContainersAsync(new() { All = true })).Count;
        Assert.Equal(HttpStatusCode.BadGateway,
            (await gateway.Client.PostAsJsonAsync("v1/docker/renamed/containers", new { image = Backend.TestImage, labels = RunLabels })).StatusCode);
        Assert.Equal(before, (await Backend.Direct.Containers.ListContainersAsync(new() { All = true })).Count);
    }

    [Fact]
    public async Task A_client_certificate_the_engine_does_not_trust_gets_no_answer()
    {
        var response = await Http.GetAsync("v1/docker/untrusted-client/version");
        Assert.True(response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable, $"{response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Plain_http_to_a_tls_engine_is_502_naming_the_tls_setting_not_the_callers_fault()
    {
        var problem = await Problem(await Http.GetAsync("v1/docker/plain-to-tls/version"), HttpStatusCode.BadGateway, "bad-gateway");
        Assert.Contains("Tls", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("Endpoint", "unix:///x.sock", "Tls is for tcp:// endpoints only")]
    [InlineData("Tls:ClientKey", "", "Tls:ClientKey is required")]
    [InlineData("Tls:CaCertificate", "/nonexistent/ca.pem", "Tls:CaCertificate: no file at")]
    [InlineData("Tls:ClientKey", "other-key", "could not be read as PEM, or the key does not belong to the certificate")]
    public async Task Bad_tls_settings_stop_the_gateway_naming_the_setting_and_never_the_key(string key, string value, string expected)
    {
        var settings = Host("h", _ca, _cert, _key);
        settings[$"Gateway:Docker:Hosts:h:{key}"] = value == "other-key" ? Other.Key : value;
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () => { await using var _ = await GatewayServer.StartAsync(settings); });
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain("PRIVATE KEY", ex.ToString());
    }
}
