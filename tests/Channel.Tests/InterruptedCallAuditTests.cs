using System.Diagnostics;
using System.Security.Cryptography;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>
/// Issue 12 item 1: every call that reached a bridge leaves an audit entry, including one that failed at the bridge.
/// A GET whose object file is truncated under the host while the body streams: the caller's body fails (never a short
/// body that looks complete), and the host's witness of what it sent is recorded with outcome "interrupted".
/// </summary>
public class InterruptedCallAuditTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_get_whose_body_fails_at_its_source_is_audited_as_interrupted(bool tcp)
    {
        await using var h = ChannelHarness.Create(tcp: tcp);
        await h.Store.CreateBucketAsync("interrupt", default);
        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        await h.Store.PutObjectAsync("interrupt", "big.bin", new MemoryStream(data), new PutObjectOptions(), default);
        var file = Directory.EnumerateFiles(Path.Combine(h.Root, "objects"), "*", SearchOption.AllDirectories)
            .OrderByDescending(f => new FileInfo(f).Length).First();

        long received;
        await using (var content = await h.Remote.GetObjectAsync("interrupt", "big.bin", new GetObjectOptions(), default))
        {
            var part = new byte[256 * 1024];
            await content.Body.ReadExactlyAsync(part);
            // The host holds the file open; cut it to nothing underneath, as a failing disk or a careless operator would.
            await TruncateAsync(file);
            received = part.Length;
            var buffer = new byte[64 * 1024];
            await Assert.ThrowsAnyAsync<IOException>(async () =>
            {
                int n;
                while ((n = await content.Body.ReadAsync(buffer)) > 0) received += n;
            });
        }
        Assert.True(received < data.Length, $"received {received} of {data.Length}");

        var entry = await AuditWait.ForEntryAsync(h.Audit, e => e.Operation == "object-storage.get-object", "the interrupted call");
        Assert.Equal(WitnessRecord.Interrupted, entry.Outcome);
        Assert.Equal(Witness.InterruptedStatus, entry.Status);
        // The channel stays usable, and the next call is released as usual.
        var listing = await h.Remote.ListObjectsAsync("interrupt", new ListObjectsRequest(), default);
        Assert.Single(listing.Objects);
    }

    [Fact]
    public async Task A_put_streaming_a_get_whose_body_fails_at_its_source_fails_as_unavailable_and_stores_nothing()
    {
        await using var h = ChannelHarness.Create();
        await h.Store.CreateBucketAsync("interrupt", default);
        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        await h.Store.PutObjectAsync("interrupt", "big.bin", new MemoryStream(data), new PutObjectOptions(), default);
        var file = Directory.EnumerateFiles(Path.Combine(h.Root, "objects"), "*", SearchOption.AllDirectories)
            .OrderByDescending(f => new FileInfo(f).Length).First();

        await using var content = await h.Remote.GetObjectAsync("interrupt", "big.bin", new GetObjectOptions(), default);
        var passedOn = new CutAfter(content.Body, 256 * 1024, () => TruncateAsync(file));
        var e = await Assert.ThrowsAsync<GatewayException>(() =>
            h.Remote.PutObjectAsync("interrupt", "copy.bin", passedOn, new PutObjectOptions { ContentLength = data.Length }, default));

        // The source broke, not the PUT's host: a transient failure (a migration retries it), said as such.
        Assert.Equal(ErrorCode.Unavailable, e.Code);
        Assert.Contains("failed at its source", e.Message, StringComparison.Ordinal);
        Assert.True(passedOn.Cut);
        var missing = await Assert.ThrowsAsync<GatewayException>(() => h.Store.HeadObjectAsync("interrupt", "copy.bin", ObjectConditions.None, default));
        Assert.Equal(ErrorCode.NotFound, missing.Code);
        var listing = await h.Remote.ListObjectsAsync("interrupt", new ListObjectsRequest(), default);
        Assert.Equal(["big.bin"], listing.Objects.Select(o => o.Key));
    }

    /// <summary>Passes its source on and, once <paramref name="after"/> bytes went through, runs <paramref name="cut"/> once.</summary>
    private sealed class CutAfter(Stream source, long after, Func<Task> cut) : ReadOnlyStream
    {
        private long _passed;

        public bool Cut { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!Cut && _passed >= after)
            {
                Cut = true;
                await cut();
            }
            var n = await source.ReadAsync(buffer, cancellationToken);
            _passed += n;
            return n;
        }
    }

    /// <summary>coreutils' truncate: .NET's own file sharing would refuse to open a file another handle reads.</summary>
    private static async Task TruncateAsync(string path)
    {
        using var truncate = Process.Start(new ProcessStartInfo("truncate", ["-s", "0", path]) { RedirectStandardError = true })!;
        await truncate.WaitForExitAsync();
        Assert.True(truncate.ExitCode == 0, await truncate.StandardError.ReadToEndAsync());
    }
}
