using Gateway.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Migrations;

public static class MigrationServices
{
    public static IServiceCollection AddMigrations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MigrationOptions>().Bind(configuration.GetSection(MigrationOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MigrationOptions>, MigrationOptionsValidator>();
        services.AddSingleton(sp => new MigrationDatabase(
            Path.Combine(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDirectory, "migrations.db")));
        services.AddSingleton<MigrationProgress>();
        services.AddSingleton<MigrationMetrics>();
        services.AddSingleton<Live.StoreCutovers>();
        services.AddSingleton<MigrationRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<MigrationRunner>());
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
