namespace Gateway.Bridges.Gcs;

/// <summary>
/// The ETag the bridge reports for a GCS object, built from its generation and metageneration. The SDK cannot be
/// trusted for one: on a single object's GET it replaces the resource's <c>etag</c> with the response's HTTP ETag header
/// (an emulator's is a hash of the JSON body), so a listing and a HEAD of the same version disagreed and every
/// If-Match on a listed ETag failed. GCS's own JSON <c>etag</c> is this same value: the protobuf encoding of
/// { 1: generation, 2: metageneration } in base64 (generation 7, metageneration 1 gives <c>CAcQAQ==</c>).
/// </summary>
static class GcsETag
{
    public static string For(long generation, long metageneration)
    {
        Span<byte> buffer = stackalloc byte[2 * 11];
        var length = 0;
        buffer[length++] = 0x08; // field 1, varint
        length += Varint((ulong)generation, buffer[length..]);
        buffer[length++] = 0x10; // field 2, varint
        length += Varint((ulong)metageneration, buffer[length..]);
        return Convert.ToBase64String(buffer[..length]);
    }

    static int Varint(ulong value, Span<byte> into)
    {
        var i = 0;
        while (value >= 0x80)
        {
            into[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        into[i++] = (byte)value;
        return i;
    }
}
