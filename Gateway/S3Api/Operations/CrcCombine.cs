using System.Buffers.Binary;

namespace Gateway.S3Api.Operations;

/// <summary>
/// The CRC of a concatenation from the CRCs of its pieces and their lengths, without reading a byte again (zlib's
/// crc32_combine, by multiplication with x^(8n) modulo the polynomial): crc(A·B) = crc(A)·x^(8·|B|) mod P xor crc(B).
/// That holds for any reflected CRC whose init and xorout are both all ones, as CRC-32, CRC-32C and CRC-64/NVME are; the
/// width is 32 or 64 bits. S3's FULL_OBJECT checksum of a multipart object is made this way from its parts' CRCs.
/// </summary>
internal sealed class CrcCombine
{
    public static readonly CrcCombine Crc32 = new(32, 0xEDB88320UL);
    public static readonly CrcCombine Crc32C = new(32, 0x82F63B78UL);
    public static readonly CrcCombine Crc64Nvme = new(64, Operations.Crc64Nvme.ReflectedPolynomial);

    private readonly int _width;
    private readonly ulong _polynomial;
    /// <summary>x^(2^k) mod P for every k a byte count can need (lengths in bytes are 2^3 bits upwards).</summary>
    private readonly ulong[] _powers = new ulong[67];

    private CrcCombine(int width, ulong reflectedPolynomial)
    {
        (_width, _polynomial) = (width, reflectedPolynomial);
        _powers[0] = One >> 1; // x^1
        for (var k = 1; k < _powers.Length; k++) _powers[k] = Multiply(_powers[k - 1], _powers[k - 1]);
    }

    /// <summary>The combiner for a lower-case S3 algorithm name; null for one that is no CRC (SHA-1, SHA-256).</summary>
    public static CrcCombine? For(string algorithm) => algorithm switch
    {
        "crc32" => Crc32,
        "crc32c" => Crc32C,
        "crc64nvme" => Crc64Nvme,
        _ => null,
    };

    /// <summary>In the reflected form the top bit is x^0.</summary>
    private ulong One => 1UL << (_width - 1);

    /// <summary>The CRC of A followed by B, from crc(A), crc(B) and B's length in bytes.</summary>
    public ulong Combine(ulong first, ulong second, long secondLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(secondLength);
        return secondLength == 0 ? first : Multiply(XPower8N(secondLength), first) ^ second;
    }

    /// <summary>The whole object's CRC, base64 big-endian as S3 writes it, from its parts' (base64 CRC, length) in order.</summary>
    public string Combine(IEnumerable<(string Crc, long Length)> parts)
    {
        ulong? crc = null;
        foreach (var (value, length) in parts)
        {
            var part = Read(value);
            crc = crc is { } sofar ? Combine(sofar, part, length) : part;
        }
        return Write(crc ?? 0);
    }

    private ulong Read(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        if (bytes.Length != _width / 8) throw new FormatException($"A {_width}-bit CRC is {_width / 8} bytes, not {bytes.Length}.");
        return _width == 32 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    private string Write(ulong crc)
    {
        var bytes = new byte[_width / 8];
        if (_width == 32) BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)crc);
        else BinaryPrimitives.WriteUInt64BigEndian(bytes, crc);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>a·b mod P, both in the reflected form.</summary>
    private ulong Multiply(ulong a, ulong b)
    {
        if (a == 0) return 0;
        var m = One;
        ulong product = 0;
        while (true)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                if ((a & (m - 1)) == 0) return product;
            }
            m >>= 1;
            b = (b & 1) != 0 ? (b >> 1) ^ _polynomial : b >> 1;
        }
    }

    /// <summary>x^(8n) mod P: the product of the x^(2^k) whose bits n·8 sets.</summary>
    private ulong XPower8N(long n)
    {
        var p = One;
        for (var k = 3; n != 0; n >>= 1, k++)
            if ((n & 1) != 0) p = Multiply(_powers[k], p);
        return p;
    }
}
