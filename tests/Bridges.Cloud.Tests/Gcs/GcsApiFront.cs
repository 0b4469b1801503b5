using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Gateway.Bridges.Cloud.Tests.Gcs;

/// <summary>
/// WireMock.Net stubs for the bucket calls the Firebase Storage emulator lacks (create, list, delete), in the JSON
/// API's real shapes: bucket resources, error bodies, status codes. <see cref="GcsTestEndpoint"/> routes to them.
/// </summary>
sealed class GcsApiFront : IDisposable
{
    readonly WireMockServer _server;
    readonly HttpClient _emulator;
    readonly ConcurrentDictionary<string, DateTimeOffset> _buckets = new(StringComparer.Ordinal);

    public GcsApiFront(string emulatorUrl, string project)
    {
        _emulator = new HttpClient { BaseAddress = new Uri(emulatorUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(5) };
        _server = WireMockServer.Start();
        _server.Given(Request.Create().WithPath("/storage/v1/b").WithParam("project", project).UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithCallback(CreateBucket));
        _server.Given(Request.Create().WithPath("/storage/v1/b").WithParam("project", project).UsingGet()).AtPriority(1)
            .RespondWith(Response.Create().WithCallback(_ => Json(200, new
            {
                kind = "storage#buckets",
                items = _buckets.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => BucketResource(b.Key, b.Value)).ToArray(),
            })));
        _server.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/storage/v1/b/[^/]+$")).UsingDelete()).AtPriority(1)
            .RespondWith(Response.Create().WithCallback(DeleteBucketAsync));
    }

    /// <summary>Whether a bucket was created through the stubs (the emulator itself makes any bucket it is asked about).</summary>
    public bool Exists(string bucket) => _buckets.ContainsKey(bucket);

    /// <summary>Where the bucket stubs answer.</summary>
    public string Url => _server.Url!;

    IResponseMessage CreateBucket(IRequestMessage request)
    {
        using var body = JsonDocument.Parse(request.Body ?? "{}");
        var name = body.RootElement.TryGetProperty("name", out var n) ? n.GetString() : null;
        if (string.IsNullOrEmpty(name)) return Error(400, "required", "Required");
        var created = DateTimeOffset.UtcNow;
        if (!_buckets.TryAdd(name, created))
            return Error(409, "conflict", "Your previous request to create the named bucket succeeded and you already own it.");
        return Json(200, BucketResource(name, created));
    }

    async Task<IResponseMessage> DeleteBucketAsync(IRequestMessage request)
    {
        var name = Uri.UnescapeDataString(request.AbsolutePath["/storage/v1/b/".Length..]);
        if (!_buckets.ContainsKey(name)) return Error(404, "notFound", "The specified bucket does not exist.");
        using var listing = await _emulator.GetAsync($"storage/v1/b/{Uri.EscapeDataString(name)}/o?maxResults=1");
        using var doc = JsonDocument.Parse(await listing.Content.ReadAsStringAsync());
        if (doc.RootElement.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array && items.GetArrayLength() > 0)
            return Error(409, "conflict", "The bucket you tried to delete is not empty.");
        _buckets.TryRemove(name, out _);
        return new ResponseMessage { StatusCode = 204 };
    }

    static object BucketResource(string name, DateTimeOffset created) => new
    {
        kind = "storage#bucket",
        id = name,
        name,
        projectNumber = "0",
        metageneration = "1",
        location = "US",
        storageClass = "STANDARD",
        etag = "CAE=",
        timeCreated = created.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
        updated = created.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
    };

    static ResponseMessage Error(int status, string reason, string message) => Json(status, new
    {
        error = new { code = status, message, errors = new[] { new { message, domain = "global", reason } } },
    });

    static ResponseMessage Json(int status, object body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json; charset=UTF-8") },
        BodyData = new BodyData { BodyAsString = JsonSerializer.Serialize(body), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
        _emulator.Dispose();
    }
}
