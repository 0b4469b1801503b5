using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// A body in a transfer coding the gateway does not decode (hand probe, 2026-12-05): Kestrel takes <c>gzip, chunked</c>
/// and removes only the chunked framing, so the object was stored as the gzip bytes, not what the client sent.
/// </summary>
public sealed class TransferCodingProbeTests : IAsyncLifetime
{
    private const string Bucket = "codings";
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync();
        (await _server.Client.PutAsync($"v1/stores/local/buckets/{Bucket}", null)).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    /// <summary>A PUT of <paramref name="body"/> in one chunk under the given Transfer-Encoding lines; the raw answer.</summary>
    private async Task<string> PutChunkedAsync(string key, byte[] body, params string[] transferEncodings)
    {
        var head = new StringBuilder()
            .Append($"PUT /v1/stores/local/buckets/{Bucket}/objects/{key} HTTP/1.1\r\n")
            .Append($"Host: {_server.BaseAddress.Host}:{_server.BaseAddress.Port}\r\nConnection: close\r\n");
        foreach (var h in _server.AuthHeaders) head.Append(h).Append("\r\n");
        foreach (var te in transferEncodings) head.Append("Transfer-Encoding: ").Append(te).Append("\r\n");
        head.Append("\r\n").Append($"{body.Length:x}\r\n");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_server.BaseAddress.Host, _server.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(body);
        await stream.WriteAsync("\r\n0\r\n\r\n"u8.ToArray());
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer);
        return Encoding.UTF8.GetString(answer.ToArray());
    }

    [Theory]
    [InlineData("gzip, chunked")]
    [InlineData("deflate,chunked")]
    [InlineData("identity, chunked")]
    [InlineData("chunked, chunked")]
    [InlineData("gzip", "chunked")]
    public async Task A_body_in_a_transfer_coding_besides_chunked_is_501_and_stores_nothing(params string[] transferEncodings)
    {
        var key = $"coded-{Guid.NewGuid():N}";
        var text = await PutChunkedAsync(key, Gzip("hello, gateway"), transferEncodings);

        Assert.True(text.StartsWith("HTTP/1.1 501", StringComparison.Ordinal), text);
        Assert.Contains("application/problem+json", text);
        Assert.Contains("\"code\":\"not-supported\"", text);
        using var read = await _server.Client.GetAsync($"v1/stores/local/buckets/{Bucket}/objects/{key}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task A_chunked_body_is_stored_as_sent()
    {
        var body = Gzip("hello, gateway");
        var text = await PutChunkedAsync("plain-chunked", body, "Chunked");

        Assert.True(text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal), text);
        Assert.Equal(body, await _server.Client.GetByteArrayAsync($"v1/stores/local/buckets/{Bucket}/objects/plain-chunked"));
    }
}
