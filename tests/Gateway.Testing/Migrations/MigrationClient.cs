using Xunit;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Testing.Migrations;

/// <summary>Drives /v1/migrations and the object facade of one test gateway.</summary>
public sealed class MigrationClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public MigrationClient(GatewayServer server) : this(server.Client) { }

    private HttpClient Http => http;

    public async Task<(HttpResponseMessage Response, JsonElement Body)> CreateAsync(object request)
    {
        var response = await Http.PostAsJsonAsync("v1/migrations", request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response, body);
    }

    public async Task<string> StartAsync(object request)
    {
        var (response, body) = await CreateAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        Assert.Equal($"/v1/migrations/{body.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
        return body.GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> StatusAsync(string id) => await Http.GetFromJsonAsync<JsonElement>($"v1/migrations/{id}");

    /// <summary>Follows the NDJSON progress stream until the job ends; returns every status line seen.</summary>
    public async Task<List<JsonElement>> FollowToEndAsync(string id)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        using var response = await Http.GetAsync($"v1/migrations/{id}/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/x-ndjson",
            $"{(int)response.StatusCode} {response.Content.Headers.ContentType}: {await response.Content.ReadAsStringAsync(cts.Token)}");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var lines = new List<JsonElement>();
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            lines.Add(JsonSerializer.Deserialize<JsonElement>(line, Json));
        }
        Assert.NotEmpty(lines);
        return lines;
    }

    public async Task<JsonElement> WaitForEndAsync(string id)
    {
        var lines = await FollowToEndAsync(id);
        var last = lines[^1];
        Assert.Contains(last.GetProperty("state").GetString(), new[] { "completed", "failed", "interrupted", "cancelled" });
        return last;
    }

    /// <summary>
    /// Starts a job, follows it to its end and asserts it completed with totals that match its items. Returns its status and
    /// each item's "state/action" by key.
    /// </summary>
    public async Task<(JsonElement Status, Dictionary<string, string> Items)> RunCompletedAsync(object request)
    {
        var id = await StartAsync(request);
        var end = await WaitForEndAsync(id);
        Assert.True(end.GetProperty("state").GetString() == "completed", $"{end}");
        var status = await AssertTotalsMatchItemsAsync(id);
        var items = (await ItemsAsync(id)).ToDictionary(i => i.GetProperty("key").GetString()!,
            i => i.GetProperty("state").GetString() + "/" + i.GetProperty("action").GetString());
        return (status, items);
    }

    public async Task<List<JsonElement>> ItemsAsync(string id, string? state = null)
    {
        var items = new List<JsonElement>();
        string? token = null;
        do
        {
            var url = $"v1/migrations/{id}/items?pageSize=100" + (state is null ? "" : $"&state={state}") + (token is null ? "" : $"&pageToken={Uri.EscapeDataString(token)}");
            var page = await Http.GetFromJsonAsync<JsonElement>(url);
            items.AddRange(page.GetProperty("items").EnumerateArray());
            token = page.TryGetProperty("nextPageToken", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        } while (token is not null);
        return items;
    }

    /// <summary>
    /// Counts the job's totals afresh from its per-object report and asserts that its status shows exactly those
    /// (objects and bytes planned/done/skipped/failed, deleted at the target and at the source). Returns the status.
    /// </summary>
    public async Task<JsonElement> AssertTotalsMatchItemsAsync(string id)
    {
        var status = await StatusAsync(id);
        var items = (await ItemsAsync(id)).Select(i => (State: i.GetProperty("state").GetString(), Action: i.GetProperty("action").GetString(), Size: i.GetProperty("size").GetInt64(),
            SourceDeleted: i.GetProperty("sourceDeleted").GetBoolean())).ToList();
        var planned = items.Where(i => i.Action != "delete").ToList();
        var done = items.Where(i => i is { State: "done", Action: "copy" }).ToList();
        var skipped = items.Where(i => i.State == "skipped").ToList();
        var failed = items.Where(i => i.State == "failed").ToList();
        var counted = new[] { planned, done, skipped, failed };
        string[] names = ["planned", "done", "skipped", "failed"];
        for (var n = 0; n < names.Length; n++)
        {
            Assert.True(counted[n].Count == status.GetProperty("objects").GetProperty(names[n]).GetInt64(), $"objects.{names[n]}: {counted[n].Count} items, status {status}");
            Assert.True(counted[n].Sum(i => i.Size) == status.GetProperty("bytes").GetProperty(names[n]).GetInt64(), $"bytes.{names[n]}: {counted[n].Sum(i => i.Size)} in items, status {status}");
        }
        Assert.Equal(items.Count(i => i is { State: "done", Action: "delete" }), status.GetProperty("deletedAtTarget").GetInt64());
        Assert.Equal(items.Count(i => i.SourceDeleted), status.GetProperty("deletedAtSource").GetInt64());
        Assert.Equal(items.Count(i => i is { State: "done", Action: "delete" } || i.SourceDeleted), status.GetProperty("deleted").GetInt64());
        Assert.Equal(items.Count(i => i.Action == "gone-at-source"), status.GetProperty("goneAtSource").GetInt64());
        return status;
    }

    public static string ObjectUrl(string store, string bucket, string key) =>
        $"v1/stores/{store}/buckets/{bucket}/objects/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";

    public async Task PutAsync(string store, string bucket, string key, byte[] body, string contentType = "application/octet-stream",
        IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyDictionary<string, string>? contentHeaders = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, ObjectUrl(store, bucket, key)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) request.Headers.Add("x-meta-" + k, v);
        foreach (var (k, v) in contentHeaders ?? new Dictionary<string, string>())
            if (!request.Headers.TryAddWithoutValidation(k, v)) request.Content.Headers.TryAddWithoutValidation(k, v);
        using var response = await Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"PUT {key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<HttpResponseMessage> GetAsync(string store, string bucket, string key) =>
        await Http.GetAsync(ObjectUrl(store, bucket, key));

    /// <summary>Asserts that <paramref name="source"/> arrived at its own key: the same bytes, content type and metadata.</summary>
    public async Task AssertArrivedAsync(string store, string bucket, MigrationObject source)
    {
        using var response = await GetAsync(store, bucket, source.Key);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{source.Key}: {(int)response.StatusCode}");
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(source.Body),
            System.Security.Cryptography.SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal(source.ContentType, response.Content.Headers.ContentType?.MediaType);
        foreach (var (k, v) in source.Metadata) Assert.Equal(v, response.Headers.GetValues("x-meta-" + k).Single());
    }

    public async Task CreateBucketAsync(string store, string bucket)
    {
        using var response = await Http.PutAsync($"v1/stores/{store}/buckets/{bucket}", null);
        Assert.True(response.IsSuccessStatusCode, $"create bucket {store}/{bucket}: {(int)response.StatusCode}");
    }

    /// <summary>Every key of a bucket, page by page.</summary>
    public async Task<List<JsonElement>> ListAsync(string store, string bucket, string? prefix = null)
    {
        var objects = new List<JsonElement>();
        string? token = null;
        do
        {
            var url = $"v1/stores/{store}/buckets/{bucket}/objects?pageSize=1000" + (prefix is null ? "" : $"&prefix={Uri.EscapeDataString(prefix)}")
                + (token is null ? "" : $"&pageToken={Uri.EscapeDataString(token)}");
            var page = await Http.GetFromJsonAsync<JsonElement>(url);
            objects.AddRange(page.GetProperty("objects").EnumerateArray());
            token = page.TryGetProperty("nextPageToken", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        } while (token is not null);
        return objects;
    }
}
