using System.Net;
using Gateway.Bridges.Local;
using Gateway.Channel.Families;
using Gateway.Contracts.ObjectStorage;
using Gateway.Testing.Conformance;
using Microsoft.Extensions.DependencyInjection;
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
    public async Task An_object_holding_what_no_header_can_carry_stays_readable()
    {
        // Written straight into the store, as an older gateway or another tool could have: the rules never saw it.
        // The server's own bridge instance: a second store on the same root is refused (the root is locked).
        var store = Server.Services.GetRequiredService<BridgeRegistry<IObjectStore>>().FindBridge(Store)!;
        await store.PutObjectAsync(Bucket, "legacy", new MemoryStream(Bytes("old bytes")), new PutObjectOptions
        {
            ContentType = "text/plain\r\nX-Injected: 1",
            Metadata = new Dictionary<string, string> { ["city"] = "Köln", ["ctl"] = "a\r\nb\u007f", ["bad name"] = "x" },
        }, CancellationToken.None);

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var response = await Http.SendAsync(new HttpRequestMessage(method, ObjectUrl("legacy")));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("=?UTF-8?B?" + Convert.ToBase64String(Bytes("Köln")) + "?=", response.Headers.GetValues("x-meta-city").Single());
            Assert.StartsWith("=?UTF-8?B?", response.Headers.GetValues("x-meta-ctl").Single());
            Assert.False(response.Headers.Contains("X-Injected"));
            Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
            if (method == HttpMethod.Get) Assert.Equal("old bytes", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public void Nothing_is_written_outside_the_root()
    {
        var outside = Directory.GetParent(Root)!.FullName;
        Assert.False(File.Exists(Path.Combine(outside, "escape")));
        Assert.False(File.Exists(Path.Combine(Root, "escape")));
    }
}
