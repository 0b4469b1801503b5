using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Docker.DotNet.Models;
using Gateway.Testing;
using static Gateway.Testing.ProblemAssert;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>
/// <c>POST /v1/docker/{host}/images/pull</c> against a real private registry (scripts/backends.d/registry.sh, htpasswd
/// auth): each test pushes its own repository there through the test dockerd, removes it locally, and pulls it
/// through the gateway. Host <c>local</c> has the registry's credentials, <c>anonymous</c> (the same engine) has none.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DockerPullTests(DockerBackend backend) : DockerGatewayTestBase(backend)
{
    readonly string _registry = Backends.Require("REGISTRY_ADDRESS", "registry");
    readonly string _username = Backends.Require("REGISTRY_USERNAME", "registry");
    readonly string _password = Backends.Require("REGISTRY_PASSWORD", "registry");
    readonly string _repository = "gateway-test/pull-" + Guid.NewGuid().ToString("N")[..10];
    readonly List<string> _pushed = [];

    protected override IEnumerable<KeyValuePair<string, string?>> MoreSettings => new Dictionary<string, string?>
    {
        ["Gateway:Docker:Hosts:local:Registries:test:Server"] = _registry,
        ["Gateway:Docker:Hosts:local:Registries:test:Username"] = _username,
        ["Gateway:Docker:Hosts:local:Registries:test:Password"] = _password,
        ["Gateway:Docker:Hosts:anonymous:Endpoint"] = Backend.Endpoint.ToString(),
        ["Gateway:Docker:Hosts:anonymous:Resilience:MaxRetryAttempts"] = "0",
    };

    /// <summary>Pushes the test image to the registry as <c>{registry}/{repository}:{tag}</c> and removes that tag locally.</summary>
    async Task<string> PushAsync(string tag)
    {
        var reference = $"{_registry}/{_repository}:{tag}";
        await Backend.Direct.Images.TagImageAsync(Backend.TestImage, new ImageTagParameters { RepositoryName = $"{_registry}/{_repository}", Tag = tag });
        var errors = new List<string>();
        await Backend.Direct.Images.PushImageAsync(reference, new ImagePushParameters { Tag = tag },
            new AuthConfig { ServerAddress = _registry, Username = _username, Password = _password },
            new Progress<JSONMessage>(m => { if (m.Error is { Message: { } e }) errors.Add(e); }));
        Assert.Empty(errors);
        await RemoveLocalAsync(reference);
        _pushed.Add(reference);
        return reference;
    }

    async Task RemoveLocalAsync(string reference)
    {
        try { await Backend.Direct.Images.DeleteImageAsync(reference, new ImageDeleteParameters { NoPrune = true }); }
        catch (global::Docker.DotNet.DockerImageNotFoundException) { }
        catch (global::Docker.DotNet.DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound) { }
    }

    async Task<bool> ExistsLocallyAsync(string reference) =>
        (await Backend.Direct.Images.ListImagesAsync(new ImagesListParameters { All = true }))
        .Any(i => i.RepoTags?.Contains(reference) == true);

    public override async Task DisposeAsync()
    {
        foreach (var reference in _pushed) await RemoveLocalAsync(reference);
        await base.DisposeAsync();
    }

    [Fact]
    public async Task An_image_from_a_private_registry_is_pulled_with_the_hosts_credentials_and_runs()
    {
        var reference = await PushAsync("1.0");
        Assert.False(await ExistsLocallyAsync(reference));

        using var pull = await Http.PostAsJsonAsync("v1/docker/local/images/pull", new { image = reference }, Deadline(120));
        Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        var result = await pull.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(reference, result.GetProperty("image").GetString());
        var inspected = await Backend.Direct.Images.InspectImageAsync(reference);
        Assert.Equal(inspected.ID, result.GetProperty("id").GetString());
        Assert.StartsWith("sha256:", result.GetProperty("digest").GetString());
        Assert.Contains(reference, result.GetProperty("status").GetString());
        Assert.True(await ExistsLocallyAsync(reference));

        var create = await Http.PostAsJsonAsync("v1/docker/local/containers", new { image = reference, command = new[] { "true" }, labels = RunLabels });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);

        var audit = await Http.GetFromJsonAsync<JsonElement>("v1/audit?limit=1000");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("operation").GetString() == "containers.pull-image");
    }

    [Fact]
    public async Task A_reference_without_a_tag_pulls_latest_only()
    {
        var latest = await PushAsync("latest");
        var other = await PushAsync("other");

        using var pull = await Http.PostAsJsonAsync("v1/docker/local/images/pull", new { image = $"{_registry}/{_repository}" }, Deadline(120));
        Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        Assert.Equal(latest, (await pull.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("image").GetString());
        Assert.True(await ExistsLocallyAsync(latest));
        // The Engine API pulls every tag of a repository named without one; the gateway asks for latest alone.
        Assert.False(await ExistsLocallyAsync(other));
    }

    [Fact]
    public async Task An_image_the_registry_lacks_is_404_and_a_registry_that_refuses_or_is_unreachable_502()
    {
        await Problem(await Http.PostAsJsonAsync("v1/docker/local/images/pull", new { image = $"{_registry}/{_repository}:missing" }, Deadline()),
            HttpStatusCode.NotFound, "not-found");

        // The same engine without the registry's credentials: the registry refuses it, and no password appears.
        var reference = await PushAsync("1.0");
        var refused = await Problem(await Http.PostAsJsonAsync("v1/docker/anonymous/images/pull", new { image = reference }, Deadline()),
            HttpStatusCode.BadGateway, "bad-gateway");
        Assert.Contains(reference, refused.GetProperty("detail").GetString());
        Assert.False(await ExistsLocallyAsync(reference));

        var unreachable = await Problem(await Http.PostAsJsonAsync("v1/docker/local/images/pull", new { image = $"127.0.0.1:{LoopbackPort.Free()}/x/y:1" }, Deadline()),
            HttpStatusCode.BadGateway, "bad-gateway");
        Assert.DoesNotContain(_password, unreachable.ToString());
        Assert.DoesNotContain(_password, refused.ToString());
    }

    [Fact]
    public async Task Bad_pull_bodies_are_400_without_reaching_the_engine()
    {
        object[] bodies =
        [
            new { },
            new { image = "" },
            new { image = "UPPER/case:1" },
            new { image = "has space:1" },
            new { image = "sha256:" + new string('a', 64) + "@" },
            // A registry port past 65535 reached the engine (a 502, session-42 probe); port 0 is no port either.
            new { image = "127.0.0.1:99999/x:1" },
            new { image = "registry.example:0/x:1" },
            // A misspelt field is refused, not ignored.
            new { fromImage = "busybox:1" },
            new { image = "busybox:1", tag = "2" },
        ];
        foreach (var body in bodies)
            await Problem(await Http.PostAsJsonAsync("v1/docker/nowhere/images/pull", body), HttpStatusCode.BadRequest, "bad-request");
        var malformed = new StringContent("{\"image\": [1]", System.Text.Encoding.UTF8, "application/json");
        await Problem(await Http.PostAsync("v1/docker/nowhere/images/pull", malformed), HttpStatusCode.BadRequest, "bad-request");
    }

    [Theory]
    [InlineData("Server", "", "Registries:broken:Server is required")]
    [InlineData("Server", "https://registry.example", "Registries:broken:Server is required")]
    [InlineData("Password", "", "Registries:broken:Password is required")]
    public async Task Bad_registry_settings_stop_the_gateway_naming_the_setting_and_never_the_password(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Docker:Hosts:h:Endpoint"] = "unix:///x.sock",
            ["Gateway:Docker:Hosts:h:Registries:broken:Server"] = "registry.example:5000",
            ["Gateway:Docker:Hosts:h:Registries:broken:Username"] = "user",
            ["Gateway:Docker:Hosts:h:Registries:broken:Password"] = "very-secret-password",
        };
        settings[$"Gateway:Docker:Hosts:h:Registries:broken:{key}"] = value;
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () => { await using var _ = await GatewayServer.StartAsync(settings); });
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain("very-secret-password", ex.ToString());
    }
}
