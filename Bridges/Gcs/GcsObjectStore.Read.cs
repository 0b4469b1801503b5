using System.Net.Http.Headers;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.Gcs;

public sealed partial class GcsObjectStore
{
    /// <summary>How many times a GET reads an object that keeps changing between its resource and its bytes before it gives up.</summary>
    const int ConsistentReadAttempts = 8;

    public async Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct)
    {
        // The resource (metadata) and the bytes come from two requests, and another writer may replace the object between
        // them: GCS then refuses the read pinned to the resource's generation (412), and a service that ignores the pin
        // (the Firebase emulator) sends the new generation's bytes. Either way the pair is read again, as a whole, so the
        // bytes served always belong to the metadata served with them, as one S3 GET's do.
        for (var attempt = 1; ; attempt++)
        {
            if (await TryGetConsistentAsync(bucket, key, options, ct) is { } content) return content;
            if (attempt == ConsistentReadAttempts)
                throw new GatewayException(ErrorCode.Unavailable,
                    $"GCS store '{Name}': get '{bucket}/{key}': the object was replaced between its metadata and its bytes on each of {attempt} reads.");
        }
    }

    /// <summary>The object's metadata with bytes of the same generation, or null when the object changed in between.</summary>
    async Task<ObjectContent?> TryGetConsistentAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct)
    {
        // Media responses carry no user metadata, so every GET reads the object's resource as well. Without conditions
        // both are asked for at once (one round trip instead of two); the media answer is used when it is of the
        // generation the resource describes and holds the range asked for, else the read is made again, pinned.
        GcsMediaDownload? early = null;
        GcsObject current;
        if (options.Conditions.IsEmpty)
        {
            var sdk = await _client.GetAsync();
            var media = GcsMediaDownload.StartAsync(sdk, bucket, key, null, RangeHeader(options.Range), ct);
            try
            {
                current = await HeadCheckedAsync(bucket, key, options.Conditions, ct);
            }
            catch
            {
                if (await Settled(media) is { } unused) await unused.DisposeAsync();
                throw;
            }
            early = await Settled(media);
        }
        else current = await HeadCheckedAsync(bucket, key, options.Conditions, ct);

        var info = current.Info;
        (long Offset, long Length)? range = null;
        if (options.Range is { } requested)
        {
            range = requested.Resolve(info.Size);
            if (range is null)
            {
                if (early is not null) await early.DisposeAsync();
                throw new GatewayException(ErrorCode.RangeNotSatisfiable, "The range is not satisfiable for this object.")
                {
                    Extensions = new Dictionary<string, object?> { ["size"] = info.Size },
                };
            }
        }

        var body = early;
        if (body is null || body.Generation != current.Generation || !body.Holds(range, info.Size))
        {
            if (body is not null) await body.DisposeAsync();
            body = await ReadPinnedAsync(bucket, key, current.Generation, range, ct);
            if (body is null) return null;
            if (body.Generation is { } sent && sent != current.Generation)
            {
                await body.DisposeAsync();
                return null;
            }
            if (!body.Holds(range, info.Size))
            {
                await body.DisposeAsync();
                throw new GatewayException(ErrorCode.Unavailable, $"GCS store '{Name}': get '{bucket}/{key}': the service sent other bytes than the range asked for.");
            }
        }
        return range is { } part
            ? new ObjectContent(info, body, part.Offset, part.Length, isPartial: true)
            : new ObjectContent(info, body, 0, info.Size, isPartial: false);
    }

    static RangeHeaderValue? RangeHeader(ByteRange? range) => range switch
    {
        null => null,
        { SuffixLength: { } n } => new RangeHeaderValue(null, n),
        _ => new RangeHeaderValue(range.From ?? 0, range.To),
    };

    /// <summary>The download once its headers are in, or null when it failed (the pinned read that follows reports why).</summary>
    static async Task<GcsMediaDownload?> Settled(Task<GcsMediaDownload> media)
    {
        try
        {
            return await media;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// The bytes of exactly <paramref name="generation"/>, or null when that generation is no longer the object's (412);
    /// retried only until the response headers, after that the body belongs to the caller.
    /// </summary>
    async Task<GcsMediaDownload?> ReadPinnedAsync(string bucket, string key, long generation, (long Offset, long Length)? range, CancellationToken ct)
    {
        var operation = $"get '{bucket}/{key}'";
        var sdk = await _client.GetAsync();
        var header = range is { } r ? new RangeHeaderValue(r.Offset, r.Offset + r.Length - 1) : null;
        try
        {
            return await _pipeline.ExecuteCallAsync(async c =>
            {
                try
                {
                    return await GcsMediaDownload.StartAsync(sdk, bucket, key, generation, header, c);
                }
                catch (Exception e) when (GcsErrors.Translate(e, Name, operation) is { } translated && translated != e)
                {
                    throw translated;
                }
            }, true, ct);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.PreconditionFailed)
        {
            return null;
        }
    }
}
