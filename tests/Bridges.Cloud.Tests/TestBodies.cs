using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;
using Gateway.Contracts.ObjectStorage;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests;

/// <summary>A request body as the gateway hands it on: forward only.</summary>
sealed class ForwardOnly(byte[] bytes) : ReadOnlyStream
{
    readonly MemoryStream _inner = new(bytes, writable: false);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
}

/// <summary>A forward-only body of <paramref name="size"/> bytes made as it is read, so the test itself holds none of it.</summary>
sealed class GeneratedBody(long size) : ReadOnlyStream
{
    long _position;
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = (int)Math.Min(buffer.Length, size - _position);
        var span = buffer.Span[..n];
        for (var i = 0; i < n; i++) span[i] = (byte)((_position + i) * 31 >> 7);
        _position += n;
        return ValueTask.FromResult(n);
    }
}

/// <summary>What the single-request put tests of every cloud store make, read and check.</summary>
static class SinglePut
{
    public static byte[] Body(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public static string Md5(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(bytes));

    public static async Task<byte[]> ReadAsync(IObjectStore store, string bucket, string key)
    {
        await using var content = await store.GetObjectAsync(bucket, key, new GetObjectOptions(), CancellationToken.None);
        using var copy = new MemoryStream();
        await content.Body.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// A body of <paramref name="size"/> bytes whose declared Content-MD5 is wrong fails with BadDigest, over an existing
    /// object (which keeps its bytes) and over none (which stays absent).
    /// </summary>
    public static async Task BadDigestStoresNothingAsync(IObjectStore store, string bucket, int size)
    {
        var before = Body(1024);
        await store.PutObjectAsync(bucket, "kept.bin", new MemoryStream(before), new PutObjectOptions { ContentLength = before.Length }, CancellationToken.None);
        var body = Body(size);

        var e = await Assert.ThrowsAsync<GatewayException>(() => store.PutObjectAsync(bucket, "kept.bin", new ForwardOnly(body),
            new PutObjectOptions { ContentLength = body.Length, ContentMd5 = Md5(body.AsSpan(1)) }, CancellationToken.None));
        Assert.Equal(ErrorCode.BadDigest, e.Code);
        Assert.Equal(before, await ReadAsync(store, bucket, "kept.bin"));
        var fresh = await Assert.ThrowsAsync<GatewayException>(() => store.PutObjectAsync(bucket, "never.bin", new ForwardOnly(body),
            new PutObjectOptions { ContentLength = body.Length, ContentMd5 = Md5(body.AsSpan(1)) }, CancellationToken.None));
        Assert.Equal(ErrorCode.BadDigest, fresh.Code);
        var missing = await Assert.ThrowsAsync<GatewayException>(() => store.HeadObjectAsync(bucket, "never.bin", new ObjectConditions(), CancellationToken.None));
        Assert.Equal(ErrorCode.NotFound, missing.Code);
    }

    /// <summary>
    /// Puts a generated body of <paramref name="size"/> bytes as "huge.bin" after a warm-up put of <paramref name="warm"/>
    /// bytes, checks the process allocated less than <paramref name="limit"/> bytes during it, and returns its head.
    /// </summary>
    public static async Task<ObjectInfo> PutAllocatingLessThanAsync(IObjectStore store, string bucket, long warm, long size, long limit)
    {
        await store.PutObjectAsync(bucket, "warm.bin", new GeneratedBody(warm), new PutObjectOptions { ContentLength = warm }, CancellationToken.None);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        await store.PutObjectAsync(bucket, "huge.bin", new GeneratedBody(size), new PutObjectOptions { ContentLength = size }, CancellationToken.None);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(allocated < limit, $"a {size >> 20} MiB single put allocated {allocated >> 10} KiB");
        var head = await store.HeadObjectAsync(bucket, "huge.bin", new ObjectConditions(), CancellationToken.None);
        Assert.Equal(size, head.Size);
        return head;
    }
}
