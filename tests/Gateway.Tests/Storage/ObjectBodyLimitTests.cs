using System.Net;
using Gateway.Testing;
using Xunit;
using static Gateway.Testing.ProblemAssert;

namespace Gateway.Tests.Storage;

/// <summary>
/// Gateway:Limits:MaxObjectBytes counts an object's bytes, not its chunked framing. A black-box probe (session 42) found
/// that Kestrel's limit counted the chunk sizes and line ends too: a 200,000-byte body in 1-byte chunks was 413 under a
/// limit of 1 MiB.
/// </summary>
public sealed class ObjectBodyLimitTests : IAsyncLifetime
{
    private const int Limit = 65536;
    private GatewayServer _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayServer.StartAsync(new Dictionary<string, string?> { ["Gateway:Limits:MaxObjectBytes"] = Limit.ToString() });
        Assert.Equal(HttpStatusCode.Created, (await _gateway.Client.PutAsync("v1/stores/local/buckets/limits", null)).StatusCode);
    }

    public Task DisposeAsync() => _gateway.DisposeAsync().AsTask();

    /// <summary>A body of unknown length, written <paramref name="chunk"/> bytes at a time: HttpClient sends each write as one chunk.</summary>
    private sealed class ChunkedBody(int length, int chunk) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var bytes = new byte[chunk];
            for (var sent = 0; sent < length; sent += chunk)
                await stream.WriteAsync(bytes.AsMemory(0, Math.Min(chunk, length - sent)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    [Theory]
    [InlineData(20_000, 1)] // about 120,000 bytes on the wire: over the limit, the body under it
    [InlineData(Limit, 4096)]
    [InlineData(Limit, Limit)]
    public async Task A_chunked_body_within_the_limit_is_stored_whatever_its_framing(int length, int chunk)
    {
        using var put = await _gateway.Client.PutAsync("v1/stores/local/buckets/limits/objects/within", new ChunkedBody(length, chunk));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(length, (await _gateway.Client.GetByteArrayAsync("v1/stores/local/buckets/limits/objects/within")).Length);
    }

    [Theory]
    [InlineData(Limit + 1, 4096)]
    [InlineData(Limit + 1, Limit + 1)]
    [InlineData(4 * Limit, 1024)]
    public async Task A_chunked_body_over_the_limit_is_413_and_stores_nothing(int length, int chunk)
    {
        using var put = await _gateway.Client.PutAsync("v1/stores/local/buckets/limits/objects/over", new ChunkedBody(length, chunk));
        await Problem(put, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.Client.GetAsync("v1/stores/local/buckets/limits/objects/over")).StatusCode);
    }
}
