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

    private GatewayServer(WebApplication app, Uri baseAddress, string dataDirectory)
    {
        _app = app;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;
    /// <summary>The temporary folder holding this instance's state (the default local store is under objects/).</summary>
    public string DataDirectory { get; }

    public static async Task<GatewayServer> StartAsync(IDictionary<string, string?>? settings = null,
        string environment = "Development", Action<ILoggingBuilder>? logging = null)
    {
        var data = Directory.CreateTempSubdirectory("gateway-test-").FullName;
        var config = new Dictionary<string, string?>
        {
            ["Gateway:DataDirectory"] = data,
            ["Gateway:Stores:local:Kind"] = "local",
            ["Gateway:Stores:local:Root"] = Path.Combine(data, "objects"),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) config[k] = v;
        var app = GatewayApp.Build([$"--environment={environment}"], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(config);
            logging?.Invoke(builder.Logging);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayServer(app, new Uri(address.Replace("[::]", "127.0.0.1") + "/"), data);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
