using Gateway.Contracts.Errors;

namespace Gateway.Contracts.ObjectStorage;

/// <summary>
/// A part's body read whole into a buffer, for stores that send a part in one request with its MD5: the declared length
/// (or, without one, the store's largest part) is enforced before anything is sent.
/// </summary>
public static class PartBuffer
{
    /// <summary>How many bytes of <paramref name="buffer"/> a part of <paramref name="declaredLength"/> (-1 when unknown) may take.</summary>
    public static int Limit(long declaredLength, int maxPartBytes)
    {
        if (declaredLength > maxPartBytes) throw TooLarge(maxPartBytes);
        return declaredLength >= 0 ? (int)declaredLength : maxPartBytes;
    }

    /// <summary>Reads the part into <paramref name="buffer"/> (at least <see cref="Limit"/> bytes long); its length.</summary>
    public static async Task<int> ReadAsync(Stream content, Memory<byte> buffer, long declaredLength, int maxPartBytes, CancellationToken ct)
    {
        var limit = Limit(declaredLength, maxPartBytes);
        var length = await content.ReadAtLeastAsync(buffer[..limit], limit, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (length == limit && await content.ReadAsync(new byte[1], ct).ConfigureAwait(false) > 0)
            throw declaredLength >= 0
                ? new GatewayException(ErrorCode.BadRequest, $"The part is longer than its given length of {declaredLength} bytes.")
                : TooLarge(maxPartBytes);
        if (declaredLength >= 0 && length != declaredLength)
            throw new GatewayException(ErrorCode.BadRequest, $"The part has {length} bytes but its length was given as {declaredLength}.");
        return length;
    }

    private static GatewayException TooLarge(int max) => new(ErrorCode.PayloadTooLarge, $"A part of this store is at most {max} bytes.");
}
