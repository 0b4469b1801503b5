using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Gateway.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Gateway.Security.Tests;

/// <summary>
/// A gateway with every authentication method configured, callers with narrow grants, a REST upstream and a
/// Kubernetes API (both WireMock.Net) and a local store with two buckets. Every secret it uses is in <see cref="Secrets"/>.
/// </summary>
public sealed class SecuredGateway : IAsyncDisposable
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "gateway";
    public const string KubeToken = "kube-upstream-token-0f3c9a1b7d";

    private SecuredGateway(GatewayServer server, WireMockServer rest, WireMockServer kube, Dictionary<string, string> keys,
        byte[] jwtKey, byte[] edSeed, byte[] hmacSecret, LogCapture logs)
    {
        Server = server; Rest = rest; Kube = kube; Keys = keys; JwtKey = jwtKey; Logs = logs;
        Ed = Signer.Ed25519("ed-key", edSeed);
        Hmac = Signer.Hmac("hmac-key", hmacSecret);
        Secrets.AddRange(keys.Values);
        Secrets.Add(Convert.ToBase64String(jwtKey));
        Secrets.Add(Convert.ToBase64String(edSeed));
        Secrets.Add(Convert.ToBase64String(hmacSecret));
        Secrets.Add(KubeToken);
    }

    public GatewayServer Server { get; }
    public WireMockServer Rest { get; }
    public WireMockServer Kube { get; }
    public IReadOnlyDictionary<string, string> Keys { get; }
    public byte[] JwtKey { get; }
    public Signer Ed { get; }
    public Signer Hmac { get; }
    public LogCapture Logs { get; }

    /// <summary>Every key, token, secret and signature the tests used; none may appear in a log line.</summary>
    public List<string> Secrets { get; } = [];

    public string ObjectsRoot => Path.Combine(Server.DataDirectory, "objects");

    /// <param name="seed">
    /// Creates the buckets and objects most tests expect. A gateway with a one-second request timeout starts without
    /// them: on a cold, loaded machine the seeding requests alone can take longer than that.
    /// </param>
    public static async Task<SecuredGateway> StartAsync(IDictionary<string, string?>? extra = null, bool seed = true)
    {
        var rest = WireMockServer.Start();
        rest.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody("upstream"));
        var kube = WireMockServer.Start();
        kube.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithBody("""{"apiVersion":"v1","kind":"PodList","metadata":{},"items":[]}"""));

        var keys = new[] { "admin", "reports", "expired", "revoked", "rest-reader", "kube-team-a" }
            .ToDictionary(k => k, _ => "gwk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        var jwtKey = RandomNumberGenerator.GetBytes(32);
        var edSeed = RandomNumberGenerator.GetBytes(32);
        var hmac = RandomNumberGenerator.GetBytes(32);
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: wiremock
              cluster:
                server: {kube.Url}
            users:
            - name: tester
              user:
                token: {KubeToken}
            contexts:
            - name: test
              context:
                cluster: wiremock
                user: tester
            current-context: test
            """);

        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Limits:MaxObjectBytes"] = (1024 * 1024).ToString(),
            ["Gateway:Security:Limits:MaxHeaderBytes"] = "8192",
            ["Gateway:Security:Limits:MaxRequestBodyBytes"] = "65536",
            ["Gateway:Security:RateLimits:PermitLimit"] = "0",
            // As in Production: the API description needs a caller too (Development serves it anonymously by default).
            ["Gateway:Security:Development:AnonymousApiDescription"] = "false",
            ["Gateway:Security:Jwt:Issuer"] = Issuer,
            ["Gateway:Security:Jwt:Audiences:0"] = Audience,
            ["Gateway:Security:Jwt:SigningKeys:0"] = Convert.ToBase64String(jwtKey),
            ["Gateway:Security:Jwt:AllowInlineGrants"] = "true",
            ["Gateway:Security:Signatures:Keys:ed-key:Algorithm"] = "ed25519",
            ["Gateway:Security:Signatures:Keys:ed-key:PublicKey"] = Convert.ToBase64String(Signer.Ed25519PublicKey(edSeed)),
            ["Gateway:Security:Signatures:Keys:ed-key:Scopes:0"] = "admin",
            ["Gateway:Security:Signatures:Keys:hmac-key:Algorithm"] = "hmac-sha256",
            ["Gateway:Security:Signatures:Keys:hmac-key:Secret"] = Convert.ToBase64String(hmac),
            ["Gateway:Security:Signatures:Keys:hmac-key:Scopes:0"] = "reports-rw",
            ["Gateway:Security:Policies:reports-rw:Grants:0:Operations:0"] = "read",
            ["Gateway:Security:Policies:reports-rw:Grants:0:Operations:1"] = "write",
            ["Gateway:Security:Policies:reports-rw:Grants:0:Operations:2"] = "delete",
            ["Gateway:Security:Policies:reports-rw:Grants:0:Resources:0"] = "stores/local/buckets/reports/**",
            ["Gateway:Rest:Upstreams:legacy:BaseUrl"] = rest.Url,
            ["Gateway:Kubernetes:Clusters:test:KubeConfig"] = kubeconfig,
        };
        void Key(string name, string scope, string? expires = null, bool revoked = false)
        {
            settings[$"Gateway:Security:ApiKeys:{name}:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(keys[name])));
            settings[$"Gateway:Security:ApiKeys:{name}:Scopes:0"] = scope;
            if (expires is not null) settings[$"Gateway:Security:ApiKeys:{name}:ExpiresAt"] = expires;
            if (revoked) settings[$"Gateway:Security:ApiKeys:{name}:Revoked"] = "true";
        }
        Key("admin", "admin");
        Key("reports", "reports-rw");
        Key("expired", "admin", expires: "2020-01-01T00:00:00Z");
        Key("revoked", "admin", revoked: true);
        Key("rest-reader", "read:rest/legacy/public/**");
        Key("kube-team-a", "read:kubernetes/test/namespaces/team-a/**");
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;

        var logs = new LogCapture();
        var server = await GatewayServer.StartAsync(settings, logging: logs.Attach);
        var gateway = new SecuredGateway(server, rest, kube, keys, jwtKey, edSeed, hmac, logs);
        if (!seed) return gateway;
        using var admin = gateway.Client("admin");
        foreach (var bucket in new[] { "reports", "secret" })
            (await admin.PutAsync($"v1/stores/local/buckets/{bucket}", null)).EnsureSuccessStatusCode();
        (await admin.PutAsync("v1/stores/local/buckets/secret/objects/hidden.txt", new StringContent("top secret"))).EnsureSuccessStatusCode();
        (await admin.PutAsync("v1/stores/local/buckets/reports/objects/q1.txt", new StringContent("q1"))).EnsureSuccessStatusCode();
        return gateway;
    }

    /// <summary>A client without credentials, or with the named API key.</summary>
    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", Keys.TryGetValue(key, out var k) ? k : key);
        return client;
    }

    public Uri Url(string relative) => new(Server.BaseAddress, relative);

    public string Jwt(string subject, string scope, DateTime? expires = null, string audience = Audience, byte[]? key = null, string issuer = Issuer,
        string algorithm = SecurityAlgorithms.HmacSha256, string? type = null)
    {
        var exp = expires ?? DateTime.UtcNow.AddMinutes(5);
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = exp.AddMinutes(-10),
            NotBefore = exp.AddMinutes(-10),
            Expires = exp,
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["scope"] = scope },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? JwtKey), algorithm),
            TokenType = type,
        });
        Secrets.Add(token);
        return token;
    }

    /// <summary>Every file under the local store with its size and time: equal snapshots mean nothing was written or removed.</summary>
    /// <remarks>The store's staging folder (.tmp) is left out: <see cref="WaitForNoStagedUploads"/> checks it is emptied.</remarks>
    public string StoreSnapshot() => string.Join("\n", Directory.EnumerateFileSystemEntries(ObjectsRoot, "*", SearchOption.AllDirectories)
        .Where(p => !p.Replace('\\', '/').Contains("/.tmp", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .Select(p => File.Exists(p) ? $"{p} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p):O}" : p));

    /// <summary>A refused upload may still be unwinding in the bridge host: its staged bytes must be gone within a deadline.</summary>
    public async Task WaitForNoStagedUploads(string why)
    {
        var staging = Path.Combine(ObjectsRoot, ".tmp");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.Exists(staging) && Directory.EnumerateFileSystemEntries(staging).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{why}: staged upload bytes were left in {staging}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("SECURITY_TEST_LOGS") is { } dump) await File.WriteAllLinesAsync(dump, Logs.Lines);
        await Server.DisposeAsync();
        Rest.Stop();
        Kube.Stop();
    }
}
