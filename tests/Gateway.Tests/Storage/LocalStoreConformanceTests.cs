using System.Net;
using System.Net.Http.Json;
using Gateway.Testing;
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
    public async Task Traversal_attempts_write_nothing_outside_the_root()
    {
        // This test makes its own attempts (it does not rely on another test having run first): each names a file
        // no other test uses, so finding it anywhere but inside a bucket means the store wrote outside its root.
        var marker = "escape-" + Guid.NewGuid().ToString("N");
        var targets = new[]
        {
            $"/v1/stores/{Store}/buckets/{Bucket}/objects/../../../../{marker}",
            $"/v1/stores/{Store}/buckets/{Bucket}/objects/%2e%2e/%2e%2e/%2e%2e/%2e%2e/{marker}",
            $"/v1/stores/{Store}/buckets/{Bucket}/objects/..%2F..%2F..%2F{marker}",
            $"/v1/stores/{Store}/buckets/{Bucket}/objects/..%5C..%5C..%5C{marker}",
            $"/v1/stores/{Store}/buckets/{Bucket}/objects/%2e%2e%2f%2e%2e%2f{marker}",
            $"/v1/stores/{Store}/buckets/..%2F{marker}",
            $"/v1/stores/{Store}/buckets/%2e%2e/objects/{marker}",
        };
        foreach (var target in targets)
        {
            var answer = await RawHttp.SendAsync(Server, "PUT", target, body: "escaped?");
            Assert.True(answer.Status is >= 200 and < 500, $"PUT {target}: {answer.Status} {answer.Body}");
        }
        // Copy with a traversal target key, through the JSON API.
        using (var copy = await Http.PostAsJsonAsync($"v1/stores/{Store}/copy", new
        {
            source = new { bucket = Bucket, key = "missing-source" },
            target = new { bucket = Bucket, key = $"../../../{marker}" },
        }))
            Assert.True((int)copy.StatusCode is >= 400 and < 500, $"copy: {(int)copy.StatusCode}");

        var outside = Directory.GetParent(Root)!.FullName;
        Assert.False(File.Exists(Path.Combine(outside, marker)), "a file was written next to the store's root");
        Assert.False(File.Exists(Path.Combine(Directory.GetParent(outside)!.FullName, marker)), "a file was written two levels above the store's root");
        Assert.False(File.Exists(Path.Combine(Root, marker)) || Directory.Exists(Path.Combine(Root, marker)), "a file was written at the store's root, outside every bucket");
        // Whatever was accepted (a key that merely contains dots) stays a key of this bucket.
        var bucketDir = Path.Combine(Root, Bucket);
        foreach (var hit in Directory.EnumerateFileSystemEntries(Root, "*" + marker + "*", SearchOption.AllDirectories))
            Assert.StartsWith(bucketDir + Path.DirectorySeparatorChar, hit);
    }
}
