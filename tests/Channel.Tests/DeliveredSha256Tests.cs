using System.Security.Cryptography;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.IO;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>
/// A channel response body vouches for the SHA-256 it checked against its witness, and a request body that passes such
/// a body on (a migration streaming a GET into a PUT) is sent without hashing the bytes again. The host still hashes
/// what it received, so a byte changed on the way, or a body cut short, fails the call.
/// </summary>
public class DeliveredSha256Tests
{
    private static readonly byte[] Data = RandomNumberGenerator.GetBytes(700_000);

    private static async Task<ChannelHarness> WithObjectAsync()
    {
        var h = ChannelHarness.Create();
        await h.Store.CreateBucketAsync("bucket-one", default);
        await h.Store.PutObjectAsync("bucket-one", "obj", new MemoryStream(Data), new PutObjectOptions(), default);
        return h;
    }

    [Fact]
    public async Task A_response_body_vouches_for_its_sha256_only_once_every_byte_was_delivered_and_its_witness_verified()
    {
        await using var h = await WithObjectAsync();
        await using var content = await h.Remote.GetObjectAsync("bucket-one", "obj", new GetObjectOptions(), default);
        var body = Assert.IsAssignableFrom<IDeliveredSha256>(content.Body);
        Assert.True(body.VouchesForSha256);

        var buffer = new byte[Data.Length];
        var read = await content.Body.ReadAtLeastAsync(buffer, Data.Length - 1);
        Assert.Null(body.DeliveredSha256);
        // The last byte is released only once the witness verified: with it, the digest is known.
        while (read < Data.Length) read += await content.Body.ReadAsync(buffer.AsMemory(read));

        var (sha256, length) = Assert.NotNull(body.DeliveredSha256);
        Assert.Equal(0, await content.Body.ReadAsync(new byte[16]));
        Assert.Equal(SHA256.HashData(Data), sha256);
        Assert.Equal(Data.Length, length);
    }

    [Fact]
    public async Task A_get_streamed_into_a_put_is_witnessed_with_the_digest_of_the_bytes_received()
    {
        await using var h = await WithObjectAsync();
        var remote = h.Remote;
        await using (var content = await remote.GetObjectAsync("bucket-one", "obj", new GetObjectOptions(), default))
            await remote.PutObjectAsync("bucket-one", "copy", new PassedOn(content.Body), new PutObjectOptions { ContentLength = Data.Length }, default);

        await using (var copy = await h.Store.GetObjectAsync("bucket-one", "copy", new GetObjectOptions(), default))
            Assert.Equal(SHA256.HashData(Data), await SHA256.HashDataAsync(copy.Body));
        var put = (await h.Audit.ReadAsync(0, 10, default)).Select(e => Witness.Decode(e.Witness)).Single(w => w.Operation == "object-storage.put-object");
        Assert.Equal(SHA256.HashData(Data), put.RequestBodySha256);
    }

    [Fact]
    public async Task A_byte_changed_between_the_get_and_the_put_fails_the_put_on_its_witness()
    {
        await using var h = await WithObjectAsync();
        var remote = h.Remote;
        await using var content = await remote.GetObjectAsync("bucket-one", "obj", new GetObjectOptions(), default);

        // The view vouches for its source's digest but hands on one byte changed: the host hashes what it received.
        var e = await Assert.ThrowsAsync<WitnessFailedException>(() =>
            remote.PutObjectAsync("bucket-one", "copy", new PassedOn(content.Body, flipAt: 123_456), new PutObjectOptions(), default));

        Assert.Equal(WitnessFailure.DigestMismatch, e.Reason);
        Assert.DoesNotContain(await h.Audit.ReadAsync(0, 10, default), a => a.Operation == "object-storage.put-object" && a.Outcome == WitnessRecord.Released);
    }

    [Fact]
    public async Task A_body_that_vouches_but_ends_before_its_source_did_fails_the_call_and_nothing_is_stored()
    {
        await using var h = await WithObjectAsync();
        var remote = h.Remote;
        await using var content = await remote.GetObjectAsync("bucket-one", "obj", new GetObjectOptions(), default);

        await Assert.ThrowsAsync<IOException>(() =>
            remote.PutObjectAsync("bucket-one", "copy", new PassedOn(content.Body, stopAfter: 100_000), new PutObjectOptions(), default));

        await Assert.ThrowsAsync<Contracts.Errors.GatewayException>(() => h.Store.HeadObjectAsync("bucket-one", "copy", ObjectConditions.None, default));
    }

    /// <summary>A view that passes its source on and vouches for what its source vouches for; the tests' faults are its lies.</summary>
    private sealed class PassedOn(Stream source, long flipAt = -1, long stopAfter = long.MaxValue) : ReadOnlyStream, IDeliveredSha256
    {
        private long _passed;

        public bool VouchesForSha256 => DeliveredSha256.Vouches(source);
        (byte[] Sha256, long Length)? IDeliveredSha256.DeliveredSha256 => DeliveredSha256.Of(source);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_passed >= stopAfter) return 0;
            var n = await source.ReadAsync(buffer[..(int)Math.Min(buffer.Length, stopAfter - _passed)], cancellationToken);
            if (flipAt >= _passed && flipAt < _passed + n) buffer.Span[(int)(flipAt - _passed)] ^= 0x01;
            _passed += n;
            return n;
        }
    }
}
