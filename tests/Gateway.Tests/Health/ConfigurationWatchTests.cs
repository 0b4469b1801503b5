using Gateway.S3Api.Hosting;
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

    [Fact]
    public async Task The_s3_listener_host_watches_no_settings_file_either()
    {
        // The front door's listener is a second host in the process; its default builder would watch appsettings too.
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:S3:Enabled"] = "true",
            ["Gateway:S3:Port"] = "0",
            ["Gateway:S3:AccessKeys:AKWATCHTEST:Secret"] = "watch-test-secret",
            ["Gateway:S3:AccessKeys:AKWATCHTEST:Caller"] = "watch-tester",
            ["Gateway:S3:AccessKeys:AKWATCHTEST:Scopes:0"] = "admin",
        });
        var listener = server.Services.GetRequiredService<S3Listener>();
        Assert.NotNull(listener.Address);
        var root = Assert.IsAssignableFrom<IConfigurationRoot>(listener.HostConfiguration);
        var files = root.Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is watched for changes"));
    }
}
