using System.Text;

namespace Gateway.Problems;

/// <summary>
/// Strict percent-decoding of a raw request target part: every '%' starts two hex digits and the bytes are
/// well-formed UTF-8 (no overlong forms, no lone surrogates). Lenient decoders keep invalid sequences escaped,
/// which would let two spellings (<c>a%c0%afb</c> and <c>a%25c0%25afb</c>) reach one key.
/// </summary>
public static class PercentDecoding
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The decoded text, or null when the escapes are malformed or the bytes are not UTF-8.</summary>
    public static string? TryDecode(ReadOnlySpan<char> raw)
    {
        if (raw.IndexOf('%') < 0 && !HasNonAscii(raw)) return raw.ToString();
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(raw.Length)];
        var n = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '%')
            {
                if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2])) return null;
                bytes[n++] = (byte)(HexValue(raw[i + 1]) << 4 | HexValue(raw[i + 2]));
                i += 2;
            }
            else if (c < 0x80) bytes[n++] = (byte)c;
            else return null; // a request target is ASCII on the wire; anything else was not sent percent-encoded
        }
        try { return Strict.GetString(bytes, 0, n); }
        catch (ArgumentException) { return null; }
    }

    private static bool HasNonAscii(ReadOnlySpan<char> raw)
    {
        foreach (var c in raw) if (c >= 0x80) return true;
        return false;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
