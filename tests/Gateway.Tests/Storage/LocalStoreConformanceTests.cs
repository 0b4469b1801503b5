using Gateway.Testing.Conformance;
using Xunit;

namespace Gateway.Tests.Storage;

public sealed class LocalStoreConformanceTests : ObjectStoreConformanceTests
{
    private static readonly string Root = Directory.CreateTempSubdirectory("gateway-local-conf-").FullName;

    protected override IReadOnlyDictionary<string, string?> StoreSettings => new Dictionary<string, string?>
    {
        ["Kind"] = "local",
        ["Root"] = Root,
    };

    protected override void EnsureBackendAvailable() { }

    protected override long LargeObjectBytes => 256L * 1024 * 1024;

    [Fact]
    public async Task Failed_uploads_leave_no_temporary_files()
    {
        await A_truncated_upload_leaves_nothing_and_keeps_the_previous_version();
        var tmp = Path.Combine(Root, ".tmp");
        // The server notices the dropped connections on its own schedule: wait for it, with a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Directory.EnumerateFiles(tmp).Any() && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Empty(Directory.EnumerateFiles(tmp));
    }

    [Fact]
    public void Nothing_is_written_outside_the_root()
    {
        var outside = Directory.GetParent(Root)!.FullName;
        Assert.False(File.Exists(Path.Combine(outside, "escape")));
        Assert.False(File.Exists(Path.Combine(Root, "escape")));
    }
}
