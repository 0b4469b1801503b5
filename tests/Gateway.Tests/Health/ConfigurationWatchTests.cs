using Gateway.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Tests.Health;

public sealed class ConfigurationWatchTests
{
    [Fact]
    public async Task Settings_files_are_read_once_and_not_watched()
    {
        // A watched appsettings file puts a recursive watcher on the content root, where the embedded default keeps
        // its data: every object write would wake it and every store folder would take an inotify watch.
        await using var server = await GatewayServer.StartAsync();
        var root = (IConfigurationRoot)server.Services.GetRequiredService<IConfiguration>();
        var files = root.Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is watched for changes"));
    }
}
