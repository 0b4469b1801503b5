using Gateway.Hosting;
using Gateway.S3Api.Routing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gateway.S3Api.Hosting;

/// <summary>
/// The front door's own listener (Gateway:S3:Port, default 5081): a second Kestrel server in the gateway's process
/// whose only handler is the S3 dispatcher, sharing the gateway's stores, channel, access rules and audit.
/// </summary>
public sealed partial class S3Listener(IOptions<S3Options> options, S3Dispatcher dispatcher, ILoggerFactory loggers, ILogger<S3Listener> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Where the listener answers once started (e.g. http://127.0.0.1:5081/), or null when it has none.</summary>
    public Uri? Address { get; private set; }

    /// <summary>The listener host's own configuration, or null before it starts.</summary>
    internal IConfiguration? HostConfiguration => _app?.Configuration;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var s3 = options.Value;
        if (!s3.Enabled || s3.Port < 0) return;
        // The listener's host reads no settings of its own, but the slim builder still adds appsettings files and
        // watches them, which put a second recursive inotify watcher on the working directory (thousands of watches
        // over the embedded default's data folder). It is built without config reload, as the gateway's host is.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = GatewayApp.WithoutConfigReload([]) });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.UseUrls($"http://{s3.ListenAddress}:{s3.Port}");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Non-ASCII header bytes are read as Latin-1 so the dispatcher refuses them with S3's XML InvalidArgument
            // rather than Kestrel's bare 400 (Content-Length keeps Kestrel's own check, as on the main listener).
            k.RequestHeaderEncodingSelector = name =>
                string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase) ? null : System.Text.Encoding.Latin1;
        });
        _app = builder.Build();
        _app.Run(context => dispatcher.InvokeAsync(context, ""));
        await _app.StartAsync(cancellationToken);
        var bound = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        LogListening(logger, Address.ToString());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _app = null;
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "S3 front door listening on {Address}")]
    private static partial void LogListening(ILogger logger, string address);
}
