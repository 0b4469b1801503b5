using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>
/// A gateway with two Docker hosts: <c>local</c> (the real dockerd) and <c>nowhere</c>, whose engine does not exist, so
/// a 400 from it proves a request was refused before any engine call (reaching it would be a 503). Containers a test
/// creates carry <see cref="RunLabel"/> and are removed afterwards.
/// </summary>
public abstract class DockerGatewayTestBase(DockerBackend backend) : IAsyncLifetime
{
    protected readonly string RunLabel = "gateway-test.run=" + Guid.NewGuid().ToString("N")[..12];
    protected DockerBackend Backend => backend;
    protected GatewayServer Gateway { get; private set; } = null!;
    protected HttpClient Http => Gateway.Client;

    protected static CancellationToken Deadline(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    protected Dictionary<string, string> RunLabels => new() { [RunLabel.Split('=')[0]] = RunLabel.Split('=')[1] };

    /// <summary>A container of this run that sleeps until stopped (and exits 0 on TERM); started unless asked not to.</summary>
    protected async Task<string> RunningContainerAsync(bool start = true)
    {
        var create = await Http.PostAsJsonAsync("v1/docker/local/containers", new
        {
            image = Backend.TestImage,
            command = new[] { "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done" },
            labels = RunLabels,
        });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var id = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        if (start) Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"v1/docker/local/containers/{id}/start", null)).StatusCode);
        return id;
    }

    /// <summary>A tar archive of the given files, as the archive endpoint takes it.</summary>
    protected static StreamContent Tar(params (string Name, byte[] Data)[] files)
    {
        var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var (name, data) in files)
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data), Mode = (UnixFileMode)0b110_100_100 });
        buffer.Position = 0;
        var content = new StreamContent(buffer);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        return content;
    }

    /// <summary>Settings a test class adds to the gateway's.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> MoreSettings => [];

    public async Task InitializeAsync() => Gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>(MoreSettings)
    {
        ["Gateway:Docker:Hosts:local:Endpoint"] = backend.Endpoint.ToString(),
        ["Gateway:Docker:Hosts:nowhere:Endpoint"] = "unix:///nonexistent/docker.sock",
        ["Gateway:Docker:Hosts:nowhere:Resilience:MaxRetryAttempts"] = "0",
    });

    public virtual async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await backend.RemoveLabelledAsync(RunLabel);
    }
}
