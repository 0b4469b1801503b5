using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;
using Google;
using Google.Cloud.Storage.V1;

namespace Gateway.Bridges.Gcs;

/// <summary>
/// One media GET (objects.get with alt=media) whose response body is the stream the contract hands out, read by the
/// caller as it arrives. Google.Cloud.Storage.V1 only downloads into a destination stream (on a task of its own,
/// through a buffer of its chunk size), which needed a pipe and two more copies per byte in between; the request is
/// still the SDK's: built by its service (URL, escaping, conditions) and sent through its HTTP client (credentials,
/// handlers). A whole-object download is checked against the CRC32C GCS reports in x-goog-hash, as the SDK's
/// downloader does: a mismatch fails the read that reaches the end. Disposing the stream ends the download.
/// </summary>
sealed class GcsMediaDownload : ReadOnlyStream
{
    readonly HttpResponseMessage _response;
    readonly Stream _body;
    readonly uint? _expectedCrc32c;
    uint _crc = uint.MaxValue;
    bool _verified;

    GcsMediaDownload(HttpResponseMessage response, Stream body, uint? expectedCrc32c)
    {
        _response = response;
        _body = body;
        _expectedCrc32c = expectedCrc32c;
    }

    /// <summary>The generation the bytes are of (x-goog-generation), when the response says.</summary>
    public long? Generation { get; private init; }

    /// <summary>Where the bytes sent start in the object, and how many there are.</summary>
    public long SentOffset { get; private init; }
    public long? SentLength { get; private init; }

    bool Whole { get; init; }

    /// <summary>Whether the response holds exactly <paramref name="range"/> (null: the whole object) of an object of <paramref name="size"/> bytes.</summary>
    public bool Holds((long Offset, long Length)? range, long size) => range is { } r
        ? SentOffset == r.Offset && SentLength == r.Length
        : Whole && SentLength == size;

    /// <summary>
    /// Sends the GET (pinned to <paramref name="generation"/> when given) and returns once its headers are in, so a
    /// failure before any byte (not found, precondition) is thrown here.
    /// </summary>
    public static async Task<GcsMediaDownload> StartAsync(StorageClient sdk, string bucket, string key, long? generation, RangeHeaderValue? range, CancellationToken ct)
    {
        var get = sdk.Service.Objects.Get(bucket, key);
        get.IfGenerationMatch = generation;
        using var request = get.CreateRequest();
        request.RequestUri = new UriBuilder(request.RequestUri!) { Query = AddMediaAlt(request.RequestUri!.Query) }.Uri;
        request.Headers.Range = range;
        var response = await sdk.Service.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                var error = await sdk.Service.DeserializeError(response);
                throw new GoogleApiException(sdk.Service.Name) { Error = error, HttpStatusCode = response.StatusCode };
            }
            var whole = response.StatusCode == HttpStatusCode.OK;
            var sent = response.Content.Headers.ContentRange;
            var body = await response.Content.ReadAsStreamAsync(ct);
            return new GcsMediaDownload(response, body, whole ? ReportedCrc32c(response) : null)
            {
                Whole = whole,
                Generation = response.Headers.TryGetValues("x-goog-generation", out var values) && long.TryParse(values.FirstOrDefault(), out var g) ? g : null,
                SentOffset = whole ? 0 : sent?.From ?? -1,
                SentLength = whole ? response.Content.Headers.ContentLength : sent is { From: { } from, To: { } to } ? to - from + 1 : null,
            };
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    static string AddMediaAlt(string query) => query.Length <= 1 ? "alt=media" : query[1..] + "&alt=media";

    /// <summary>The CRC32C of the bytes as sent, or null when there is none or GCS decompressed a gzip object on the way.</summary>
    static uint? ReportedCrc32c(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("x-goog-stored-content-encoding", out var stored) && stored.Any(v => v.Contains("gzip", StringComparison.OrdinalIgnoreCase))
            && !response.Content.Headers.ContentEncoding.Contains("gzip", StringComparer.OrdinalIgnoreCase))
            return null;
        if (!response.Headers.TryGetValues("x-goog-hash", out var hashes)) return null;
        foreach (var part in hashes.SelectMany(h => h.Split(',')))
        {
            var pair = part.Trim();
            if (!pair.StartsWith("crc32c=", StringComparison.Ordinal)) continue;
            Span<byte> bytes = stackalloc byte[4];
            return Convert.TryFromBase64String(pair["crc32c=".Length..], bytes, out var n) && n == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : null;
        }
        return null;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Check(buffer, _body.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _body.ReadAsync(buffer, cancellationToken);
        return Check(buffer.Span, read);
    }

    int Check(ReadOnlySpan<byte> buffer, int read)
    {
        if (_expectedCrc32c is not { } expected || buffer.Length == 0) return read;
        if (read > 0)
        {
            _crc = Crc32c.Append(_crc, buffer[..read]);
            return read;
        }
        if (!_verified)
        {
            _verified = true;
            if (~_crc != expected)
                throw new GatewayException(ErrorCode.Unavailable, "The object's bytes as received do not match the CRC32C GCS reports for it.");
        }
        return 0;
    }

    public override async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync();
        _response.Dispose();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
            _response.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>CRC-32C (Castagnoli), the checksum GCS keeps for every object, on the CPU's CRC32 instruction where it has one.</summary>
static class Crc32c
{
    /// <summary>Continues <paramref name="crc"/> (start with uint.MaxValue, complement the end result) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
