using System.Security.Cryptography;
using System.Text;
using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Testing;

/// <summary>The real gateway on Kestrel, on a free loopback port, with its state in a temporary folder.</summary>
public sealed class GatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <summary>Name of the admin API key every server gets unless the caller passes its own security settings.</summary>
    public const string TestAdminKeyName = "test-admin";

    private readonly bool _ownsData;

    private GatewayServer(WebApplication app, Uri baseAddress, string dataDirectory, string? apiKey, bool ownsData, ServerRequests requests)
    {
        Requests = requests;
        _ownsData = ownsData;
        _app = app;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        ApiKey = apiKey;
        Client = CreateClient();
    }

    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;
    /// <summary>Requests as the server saw them start and finish (server-side signals to wait on).</summary>
    public ServerRequests Requests { get; }
    /// <summary>The temporary folder holding this instance's state (the default local store is under objects/).</summary>
    public string DataDirectory { get; }

    /// <summary>The test admin API key (all operations on everything), or null when the caller configured security itself.</summary>
    public string? ApiKey { get; }

    /// <summary>Header lines that authenticate as the test admin (empty without a test key), for hand-written requests.</summary>
    public IReadOnlyList<string> AuthHeaders => ApiKey is null ? [] : [$"X-Api-Key: {ApiKey}"];

    /// <summary>A client for this server carrying the test admin key (when there is one) on every request.</summary>
    public HttpClient CreateClient(HttpMessageHandler? handler = null)
    {
        var client = handler is null ? new HttpClient() : new HttpClient(handler);
        client.BaseAddress = BaseAddress;
        client.Timeout = TimeSpan.FromMinutes(5);
        if (ApiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    public static async Task<GatewayServer> StartAsync(IDictionary<string, string?>? settings = null,
        string environment = "Development", Action<ILoggingBuilder>? logging = null, bool defaultApiKey = true,
        string? dataDirectory = null, Action<IServiceCollection>? services = null)
    {
        // A given data directory (a restart of an earlier server) is the caller's to delete.
        var data = dataDirectory ?? Directory.CreateTempSubdirectory("gateway-test-").FullName;
        var config = new Dictionary<string, string?>
        {
            ["Gateway:DataDirectory"] = data,
            ["Gateway:Stores:local:Kind"] = "local",
            ["Gateway:Stores:local:Root"] = Path.Combine(data, "objects"),
            ["Logging:LogLevel:Default"] = "Warning",
            // Suites drive thousands of calls as one caller; rate limits are tested where a test sets them.
            ["Gateway:Security:RateLimits:PermitLimit"] = "0",
            // The 1 s bound on a witness's signed head is tested where a test sets it; on a loaded 2-core CI machine a
            // head can take longer, which would fail a test about something else (fail-closed, as designed).
            ["Gateway:Channel:HeadTimeout"] = "00:00:10",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) config[k] = v;
        // Security is on for every test: unless the caller brings its own credentials, an admin key is made and
        // put on Client. It is random per server, so it never works anywhere else.
        string? apiKey = null;
        if (defaultApiKey && !config.Keys.Any(IsCredentialSetting))
        {
            apiKey = "gwk_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            config[$"Gateway:Security:ApiKeys:{TestAdminKeyName}:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
            config[$"Gateway:Security:ApiKeys:{TestAdminKeyName}:Scopes:0"] = "admin";
        }
        var requests = new ServerRequests();
        var app = GatewayApp.Build([$"--environment={environment}"], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddSingleton<IStartupFilter>(requests);
            builder.Configuration.AddInMemoryCollection(config);
            logging?.Invoke(builder.Logging);
            services?.Invoke(builder.Services);
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A refused start leaves what did start running: its meter provider, still listening, takes on a metric
            // stream (~144 KB each, never collected) for every instrument of every app the test process starts after it.
            await DisposeRefusedAsync(app);
            if (dataDirectory is null) DeleteQuietly(data);
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayServer(app, new Uri(address.Replace("[::]", "127.0.0.1") + "/"), data, apiKey, ownsData: dataDirectory is null, requests);
    }

    private static async Task DisposeRefusedAsync(WebApplication app)
    {
        // The start's own exception is the one the test asserts on; nothing here may replace it.
        try { await app.StopAsync(); } catch (Exception) { }
        try { await app.DisposeAsync(); } catch (Exception) { }
    }

    private static void DeleteQuietly(string directory)
    {
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static bool IsCredentialSetting(string key) =>
        key.StartsWith("Gateway:Security:ApiKeys", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Gateway:Security:Jwt", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Gateway:Security:Signatures:Keys", StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsData) DeleteQuietly(DataDirectory);
    }
}
