using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Gateway.Bridges.Kubernetes.Tests;

/// <summary>
/// WireMock.Net standing in for a Kubernetes API server (none can run on these machines): it answers with the
/// real API's JSON shapes from Fixtures/ and records every request, so tests check what the bridge sent.
/// </summary>
public sealed class KubeApiServer : IDisposable
{
    public const string Token = "test-token-not-a-secret";

    public WireMockServer Server { get; } = WireMockServer.Start();
    public string Url => Server.Url!;

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public void Json(string method, string path, string fixture, int status = 200, IDictionary<string, string>? query = null)
    {
        var request = Request.Create().WithPath(path).UsingMethod(method);
        foreach (var (k, v) in query ?? new Dictionary<string, string>()) request = request.WithParam(k, v);
        Server.Given(request).RespondWith(Response.Create().WithStatusCode(status)
            .WithHeader("Content-Type", "application/json").WithBodyFromFile(Fixture(fixture)));
    }

    /// <summary>
    /// A JSON answer of <paramref name="head"/>, <paramref name="repeat"/> times <paramref name="piece"/>, then
    /// <paramref name="tail"/>: with a Content-Length, or chunked (its size known only as it is read).
    /// </summary>
    public void LargeAnswer(string path, string head, string piece, int repeat, string tail, bool withLength)
    {
        var response = Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json");
        Server.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(withLength
            ? response.WithBody(head + string.Concat(Enumerable.Repeat(piece, repeat)) + tail)
            : response.WithSseBody((_, queue) =>
            {
                queue.Write(head);
                for (var i = 0; i < repeat; i++) queue.Write(piece);
                queue.Write(tail);
                queue.Close();
                return Task.CompletedTask;
            }));
    }

    /// <summary>
    /// A chunked log stream: the first part goes out at once, the rest only after <paramref name="release"/>
    /// completes, the way a followed log trickles in from the kubelet.
    /// </summary>
    public void StreamedLog(string path, string firstFixture, string restFixture, Task release)
    {
        var first = File.ReadAllText(Fixture(firstFixture));
        var rest = File.ReadAllText(Fixture(restFixture));
        Server.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "text/plain")
            .WithSseBody(async (_, queue) =>
            {
                queue.Write(first);
                await release;
                queue.Write(rest);
                queue.Close();
            }));
    }

    /// <summary>Writes a kubeconfig that points at this server with a bearer token, as a real one would.</summary>
    public string WriteKubeConfig(string directory) => WriteKubeConfig(directory, Url);

    /// <summary>A kubeconfig for <paramref name="server"/> (a raw API server a test runs itself) with the test token.</summary>
    public static string WriteKubeConfig(string directory, string server)
    {
        var path = Path.Combine(directory, "kubeconfig.yaml");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {server}
            contexts:
            - name: test
              context:
                cluster: test
                user: tester
                namespace: shop
            current-context: test
            users:
            - name: tester
              user:
                token: {Token}
            """);
        return path;
    }

    public IReadOnlyList<WireMock.IRequestMessage> Requests => Server.LogEntries.Select(e => e.RequestMessage!).ToList();

    public static string? Query(WireMock.IRequestMessage request, string key) =>
        request.Query is { } q && q.TryGetValue(key, out var values) ? string.Join(",", values) : null;

    public static string? Header(WireMock.IRequestMessage request, string key) =>
        request.Headers is { } h && h.FirstOrDefault(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Value is { } v
            ? string.Join(",", v) : null;

    public void Dispose() => Server.Stop();
}
