using Gateway.Status;
using Gateway.Bridges;
using Gateway.ChannelHosting;
using Gateway.Docker;
using Gateway.Health;
using Gateway.Kubernetes;
using Gateway.Migrations;
using Gateway.Observability;
using Gateway.OpenApi;
using Gateway.Problems;
using Gateway.Rest;
using Gateway.Routing;
using Gateway.S3Api;
using Gateway.Security;
using Gateway.Storage;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>Builds the gateway: every feature registers its services and maps its endpoints here.</summary>
public static class GatewayApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(args);
            Preflight(app.Services);
            await app.StartAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A refused start (a missing key, an invalid setting, a port in use) is the operator's to fix: its reason in one
            // line and exit code 1, not an unhandled exception and an abort. A refusal from StartAsync itself (a port in
            // use) has been logged by the host already, with its stack trace.
            await Console.Error.WriteLineAsync($"The gateway did not start: {e.Message}");
            return 1;
        }
        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }

    /// <summary>
    /// What the host's StartAsync does first, done before it: the options validated at start (ValidateOnStart) and the
    /// hosted services built (the channel loads its keys there), and the security settings checked. A refused setting then reaches the one-line reason
    /// without the host's "Hosting failed to start" log and its stack trace, which say nothing more to an operator.
    /// </summary>
    private static void Preflight(IServiceProvider services)
    {
        services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        foreach (var hosted in services.GetServices<IHostedService>())
            if (hosted is SecurityStartup security) security.Check();
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = WithoutConfigReload(args) });
        AddDefaults(builder.Configuration);
        configure?.Invoke(builder);
        AddGatewayServices(builder.Services, builder.Configuration);
        var app = builder.Build();
        MapGatewayEndpoints(app);
        return app;
    }

    /// <summary>
    /// Settings are read and validated once, at start, so appsettings files are not watched for changes. Watching them
    /// put a recursive file watcher on the content root, which holds the embedded default's data folder: every object
    /// write and audit append woke it, and each of the store's fan-out folders took one of the user's inotify watches.
    /// </summary>
    internal static string[] WithoutConfigReload(string[] args) => [.. args, "--hostBuilder:reloadConfigOnChange=false"];

    public static void AddGatewayServices(IServiceCollection services, IConfiguration config)
    {
        // ValidateDataAnnotations does not look into Limits (a nested object), so its [Range] is checked here.
        services.AddOptions<GatewayOptions>().Bind(config.GetSection(GatewayOptions.Section)).ValidateDataAnnotations().ValidateOnStart()
            .Validate(o => o.Limits.MaxObjectBytes >= 0, $"{GatewayOptions.Section}:Limits:MaxObjectBytes must be 0 or more.");
        services.AddSingleton<IValidateOptions<GatewayOptions>, DataDirectoryCheck>();
        services.AddGatewayObservability(config);
        services.AddGatewayProblems();
        services.AddCaseSensitiveMethods();
        services.AddGatewaySecurity(config);
        services.AddGatewayOpenApi();
        services.AddGatewayHealth(config);
        services.AddStorage(config);
        services.AddChannel(config);
        services.AddBridgeListing();
        services.AddRestUpstreams(config);
        services.AddDocker(config);
        services.AddKubernetes(config);
        services.AddS3FrontDoor(config);
        services.AddMigrations(config);
        services.AddStatusPage();
    }

    public static void MapGatewayEndpoints(WebApplication app)
    {
        app.UseRequestIds();
        app.UseRequestLogScope();
        app.MapS3FrontDoor();
        app.UseGatewayProblems();
        app.UseGatewaySecurity();
        app.UseNamedBridgeGuard();
        app.UseScalarQueryGuard();
        app.UseVersionSelectorGuard();
        app.UseUnknownQueryGuard();
        app.UseJsonCharsetGuard();
        app.UseBodylessGuard();
        app.MapGatewayOpenApi();
        app.MapGatewayHealth();
        app.MapGatewayMetrics();
        app.MapChannelEndpoints();
        app.MapStorageEndpoints();
        app.MapBridgeEndpoints();
        app.MapRestEndpoints();
        app.MapDockerEndpoints();
        app.MapKubernetesEndpoints();
        app.MapMigrationEndpoints();
        app.MapStatusPage();
        app.MapHeadAndOptions();
    }

    /// <summary>
    /// The gateway's own defaults (Gateway/appsettings.json next to the binary) come first, so a
    /// top-level appsettings.{Environment}.json in the working directory overrides them.
    /// </summary>
    internal static void AddDefaults(ConfigurationManager configuration)
    {
        var defaults = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        if (!File.Exists(defaults) || Path.GetFullPath(defaults) == Path.GetFullPath("appsettings.json")) return;
        var source = new JsonConfigurationSource { Path = defaults, Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        configuration.Sources.Insert(0, source);
    }
}
