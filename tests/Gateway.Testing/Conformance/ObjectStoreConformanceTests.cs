using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Gateway.Testing.Conformance;

/// <summary>
/// The behaviour every object store must show through the HTTP facade, as rclone's fstests do for every
/// backend. A store kind runs it by subclassing: give the store's settings and say how to tell its backend is up.
/// </summary>
public abstract partial class ObjectStoreConformanceTests : IAsyncLifetime
{
    protected const string Store = "conf";
    private static readonly ConcurrentDictionary<Type, Lazy<Task<GatewayServer>>> Servers = new();

    /// <summary>Settings of the store under test, without the "Gateway:Stores:conf:" prefix.</summary>
    protected abstract IReadOnlyDictionary<string, string?> StoreSettings { get; }

    /// <summary>Throws, naming the backend, when the store's server is not running.</summary>
    protected abstract void EnsureBackendAvailable();

    /// <summary>Extra gateway settings (e.g. a channel configuration).</summary>
    protected virtual IReadOnlyDictionary<string, string?> GatewaySettings => new Dictionary<string, string?>();

    /// <summary>Size of the large object streamed through; big enough to need multipart/block uploads.</summary>
    protected virtual long LargeObjectBytes => 64L * 1024 * 1024;

    protected GatewayServer Server { get; private set; } = null!;
    protected HttpClient Http => Server.Client;
    protected string Bucket { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        EnsureBackendAvailable();
        Server = await Servers.GetOrAdd(GetType(), _ => new Lazy<Task<GatewayServer>>(StartServerAsync)).Value;
        Bucket = await CreateBucketAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<GatewayServer> StartServerAsync()
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (k, v) in StoreSettings) settings[$"Gateway:Stores:{Store}:{k}"] = v;
        foreach (var (k, v) in GatewaySettings) settings[k] = v;
        return GatewayServer.StartAsync(settings);
    }

    /// <summary>Makes a fresh, empty bucket for one test.</summary>
    protected virtual async Task<string> CreateBucketAsync()
    {
        var name = "conf-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        using var response = await Http.PutAsync($"v1/stores/{Store}/buckets/{name}", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return name;
    }

    protected static string EncodeKey(string key) => string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
    protected string ObjectUrl(string key, string? bucket = null) => $"v1/stores/{Store}/buckets/{bucket ?? Bucket}/objects/{EncodeKey(key)}";
    protected string ListUrl(string query = "", string? bucket = null) => $"v1/stores/{Store}/buckets/{bucket ?? Bucket}/objects{query}";

    protected async Task<HttpResponseMessage> PutAsync(string key, byte[] body, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, ObjectUrl(key)) { Content = new ByteArrayContent(body) };
        configure?.Invoke(request);
        return await Http.SendAsync(request);
    }

    protected async Task<string> PutOkAsync(string key, byte[] body, Action<HttpRequestMessage>? configure = null)
    {
        using var response = await PutAsync(key, body, configure);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT {key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.Headers.ETag!.ToString();
    }

    protected async Task<List<string>> ListAllKeysAsync(string query = "")
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var sep = query.Length == 0 ? "?" : "&";
            var url = ListUrl(query + (token is null ? "" : $"{sep}pageToken={Uri.EscapeDataString(token)}"));
            var page = await Http.GetFromJsonAsync<JsonElement>(url);
            keys.AddRange(page.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("key").GetString()!));
            token = page.GetProperty("nextPageToken").GetString();
        } while (token is not null);
        return keys;
    }

    protected static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal($"https://gateway.dev/problems/{code}", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal((int)status, doc.RootElement.GetProperty("status").GetInt32());
    }

    protected static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The store's capability flags as GET /v1/stores lists them.</summary>
    protected async Task<JsonElement> CapabilitiesAsync()
    {
        var stores = await Http.GetFromJsonAsync<JsonElement>("v1/stores");
        return stores.GetProperty("stores").EnumerateArray().Single(s => s.GetProperty("name").GetString() == Store).GetProperty("capabilities");
    }

    protected async Task<bool> LacksAnyCapabilityAsync() =>
        (await CapabilitiesAsync()).EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.False);

    /// <summary>
    /// Skips the test when the store declares (GET /v1/stores) that it lacks <paramref name="capability"/>, as rclone's
    /// fstests skip what a backend's Features say it cannot do. The only kind of skip the suite allows.
    /// </summary>
    protected async Task RequireAsync(params string[] capabilities)
    {
        var flags = await CapabilitiesAsync();
        foreach (var capability in capabilities)
            Skip.IfNot(flags.GetProperty(capability).GetBoolean(), $"Store kind '{StoreSettings["Kind"]}' declares it lacks '{capability}'.");
    }
}
