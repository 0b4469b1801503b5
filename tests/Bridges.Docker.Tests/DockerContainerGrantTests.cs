using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using static Gateway.Testing.ProblemAssert;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>
/// Grants name containers by name; the engine also takes an id or an id's prefix. A black-box probe (session 42) found
/// that a caller granted <c>containers/b*</c> inspected, started and force-removed a container of another name through a
/// prefix of its id starting with b. An id-like reference is now judged by the container's name.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DockerContainerGrantTests(DockerBackend backend) : DockerGatewayTestBase(backend)
{
    private const string PrefixKey = "prefix-key-0123456789abcdef0123456789", NameKey = "name-key-0123456789abcdef0123456789";

    private static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private async Task<(string Id, string Name)> NamedContainerAsync()
    {
        // A name no id can start with ('z' is not hex), so a grant on the id's first digit never covers the name.
        var name = "zz-grant-" + Guid.NewGuid().ToString("N")[..8];
        var create = await Http.PostAsJsonAsync("v1/docker/local/containers", new
        {
            image = Backend.TestImage,
            name,
            command = new[] { "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done" },
            labels = RunLabels,
        });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        return ((await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!, name);
    }

    private async Task<GatewayServer> ScopedGatewayAsync(string containerId) => await GatewayServer.StartAsync(new Dictionary<string, string?>
    {
        ["Gateway:Docker:Hosts:local:Endpoint"] = Backend.Endpoint.ToString(),
        ["Gateway:Security:ApiKeys:prefix:Hash"] = Hash(PrefixKey),
        ["Gateway:Security:ApiKeys:prefix:Scopes:0"] = $"read,write,delete:docker/local/containers/{containerId[0]}*",
        ["Gateway:Security:ApiKeys:prefix:Scopes:1"] = $"read,write,delete:docker/local/containers/{containerId[0]}*/**",
        ["Gateway:Security:ApiKeys:name:Hash"] = Hash(NameKey),
        ["Gateway:Security:ApiKeys:name:Scopes:0"] = "read,write:docker/local/containers/*",
    });

    private static HttpRequestMessage As(string key, HttpMethod method, string path, HttpContent? body = null) =>
        new(method, path) { Headers = { { "X-Api-Key", key } }, Content = body };

    [Fact]
    public async Task A_grant_on_names_does_not_reach_another_container_through_a_prefix_of_its_id()
    {
        var (id, name) = await NamedContainerAsync();
        await using var scoped = await ScopedGatewayAsync(id);
        using var http = scoped.CreateClient();
        var container = $"v1/docker/local/containers";
        await Problem(await http.SendAsync(As(PrefixKey, HttpMethod.Get, $"{container}/{name}")), HttpStatusCode.Forbidden, "forbidden");
        foreach (var reference in new[] { id[..6], id[..12], id })
        {
            await Problem(await http.SendAsync(As(PrefixKey, HttpMethod.Get, $"{container}/{reference}")), HttpStatusCode.Forbidden, "forbidden");
            await Problem(await http.SendAsync(As(PrefixKey, HttpMethod.Post, $"{container}/{reference}/start")), HttpStatusCode.Forbidden, "forbidden");
            await Problem(await http.SendAsync(As(PrefixKey, HttpMethod.Get, $"{container}/{reference}/logs")), HttpStatusCode.Forbidden, "forbidden");
            await Problem(await http.SendAsync(As(PrefixKey, HttpMethod.Post, $"{container}/{reference}/exec",
                JsonContent.Create(new { command = new[] { "true" } }))), HttpStatusCode.Forbidden, "forbidden");
            await Problem(await http.SendAsync(As(PrefixKey, HttpMethod.Delete, $"{container}/{reference}?force=true")), HttpStatusCode.Forbidden, "forbidden");
        }
        // Nothing was done to it: still there, never started.
        var state = await Http.GetFromJsonAsync<JsonElement>($"{container}/{name}");
        Assert.Equal(id, state.GetProperty("id").GetString());
        Assert.False(state.GetProperty("state").GetProperty("running").GetBoolean());
    }

    [Fact]
    public async Task A_grant_covering_the_reference_and_the_name_admits_an_id_prefix_and_the_call_acts_on_the_full_id()
    {
        var (id, _) = await NamedContainerAsync();
        await using var scoped = await ScopedGatewayAsync(id);
        using var http = scoped.CreateClient();
        using var inspected = await http.SendAsync(As(NameKey, HttpMethod.Get, $"v1/docker/local/containers/{id[..12]}"));
        Assert.Equal(HttpStatusCode.OK, inspected.StatusCode);
        Assert.Equal(id, (await inspected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        using var started = await http.SendAsync(As(NameKey, HttpMethod.Post, $"v1/docker/local/containers/{id[..12]}/start"));
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal(id, (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("container").GetString());
        Assert.True((await Http.GetFromJsonAsync<JsonElement>($"v1/docker/local/containers/{id}")).GetProperty("state").GetProperty("running").GetBoolean());
    }
}
