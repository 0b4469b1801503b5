using Gateway.Contracts.Diagnostics;
using Microsoft.Extensions.Options;

namespace Gateway.Security;

/// <summary>
/// Checks the security settings before the server takes requests: bad settings, and in Production anything
/// that would leave the gateway open, stop the start with the setting to fix named. In Development it makes
/// the local admin key on first run.
/// </summary>
internal sealed partial class SecurityStartup(IOptions<SecurityOptions> options, ApiKeyStore keys, AccessEvaluator access,
    IHostEnvironment environment, IConfiguration configuration, EndpointDataSource endpoints, ILogger<SecurityStartup> logger) : IHostedService
{
    private bool _checked;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Check();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The checks, once: the gateway's preflight runs them before the host starts, so a refused setting is the one-line
    /// reason without the host's "Hosting failed to start" log and stack trace.
    /// </summary>
    public void Check()
    {
        if (_checked) return;
        _checked = true;
        var security = options.Value;
        var errors = new List<string>();
        foreach (var (name, policy) in security.Policies)
        {
            try { AccessEvaluator.Compile(policy); }
            catch (FormatException e) { errors.Add($"Gateway:Security:Policies:{name}: {e.Message}"); }
        }
        foreach (var key in keys.Keys)
            foreach (var scope in key.Scopes)
                if (!access.IsKnownScope(scope)) errors.Add($"Gateway:Security:ApiKeys:{key.Name}:Scopes: no policy named '{scope}' (Gateway:Security:Policies).");
        errors.AddRange(SettingErrors(security, access));
        if (errors.Count == 0)
        {
            if (environment.IsDevelopment()) Development(security, errors);
            else errors.AddRange(ProductionGuard.Errors(security, keys, configuration, endpoints));
        }
        if (errors.Count > 0) throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions), errors);
    }

    /// <summary>The checks of the settings themselves, whatever the environment (the range tests of docs/configuration.md run these).</summary>
    internal static IEnumerable<string> SettingErrors(SecurityOptions security, AccessEvaluator access) =>
        SignatureKeyCheck.Errors(security, access).Concat(JwtSetup.Errors(security.Jwt)).Concat(SecurityLimitsCheck.Errors(security));

    private void Development(SecurityOptions security, List<string> errors)
    {
        foreach (var url in ProductionGuard.Urls(configuration))
            if (!ProductionGuard.IsLoopback(url.Value))
                errors.Add($"{url.Setting}: Development binds to loopback only, but '{url.Value}' is not a loopback address.");
        var anyCredentials = keys.Keys.Count > 0 || security.Jwt.Enabled || security.Signatures.Keys.Count > 0;
        if (anyCredentials || !security.Development.CreateLocalAdminKey) return;
        var key = keys.CreateLocalAdmin();
        // Shown once on the console, never through the logging pipeline (logs are kept and shipped).
        Console.WriteLine($"""

            Gateway (Development): a local admin API key was created. It is shown only this once:

                X-Api-Key: {key}

            Its hash is kept in {keys.LocalAdminKeyPath}; delete that file to have a new key made.

            """);
        LogLocalAdminCreated(logger, keys.LocalAdminKeyPath);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = EventIds.DevelopmentKeyCreated, Level = LogLevel.Warning, Message = "Created the Development local admin key; its hash is in {Path}")]
    private static partial void LogLocalAdminCreated(ILogger logger, string path);
}
