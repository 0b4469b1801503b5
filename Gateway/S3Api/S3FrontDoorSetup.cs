using Gateway.S3Api.Auth;
using Gateway.S3Api.Hosting;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Stores;
using Microsoft.Extensions.Options;

namespace Gateway.S3Api;

/// <summary>The S3-compatible front door (docs/s3.md): its own listener and/or a path base on the main one.</summary>
public static class S3FrontDoorSetup
{
    public static IServiceCollection AddS3FrontDoor(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<S3Options>().Bind(config.GetSection(S3Options.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<S3Options>, S3OptionsValidation>();
        services.AddSingleton<S3AccessKeyStore>();
        services.AddSingleton<SigV2Verifier>();
        services.AddSingleton<SigV4Verifier>();
        services.AddSingleton<Operations.PostObject.PostObjectAuth>();
        services.AddSingleton<Operations.PostObject.PostObjectOperation>();
        services.AddSingleton<S3StoreAdapter>();
        services.AddSingleton<S3Services>();
        services.AddSingleton<S3Dispatcher>();
        services.AddSingleton<S3Listener>();
        services.AddHostedService<S3Startup>(); // checks settings before the listener opens
        services.AddHostedService(sp => sp.GetRequiredService<S3Listener>());
        return services;
    }

    /// <summary>
    /// Goes first in the main pipeline: requests under the path base are S3's (SigV4, XML errors), so the facade's
    /// problem+json and API-key middleware never see them.
    /// </summary>
    public static WebApplication MapS3FrontDoor(this WebApplication app)
    {
        var s3 = app.Services.GetRequiredService<IOptions<S3Options>>().Value;
        if (!s3.Enabled || string.IsNullOrEmpty(s3.PathBase)) return app;
        var dispatcher = app.Services.GetRequiredService<S3Dispatcher>();
        var pathBase = s3.PathBase;
        app.Map(pathBase, branch => branch.Run(context => dispatcher.InvokeAsync(context, pathBase)));
        return app;
    }
}

/// <summary>When enabled, builds the access keys and checks the store at start, so bad settings stop the gateway with the setting named.</summary>
internal sealed class S3Startup(IOptions<S3Options> options, IOptions<Security.SecurityOptions> security, IHostEnvironment environment,
    IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var s3 = options.Value;
        if (!s3.Enabled) return Task.CompletedTask;
        // The own listener speaks plain HTTP: in Production only behind a TLS-terminating proxy, as for the main listener.
        if (environment.IsProduction() && s3.Port >= 0 && !security.Value.AllowPlainHttp)
            throw new OptionsValidationException(S3Options.Section, typeof(S3Options),
            [
                "Gateway:S3:Port: the front door's own listener is plain HTTP. In Production set Gateway:Security:AllowPlainHttp "
                + "(TLS ends at a proxy in front) or use Port -1 with a PathBase on the gateway's HTTPS listener.",
            ]);
        _ = services.GetRequiredService<S3AccessKeyStore>().Count;
        services.GetRequiredService<S3StoreAdapter>().Validate();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
