using System.Buffers.Binary;
using System.IO.Hashing;

namespace Gateway.S3Api.Operations;

/// <summary>
/// CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5, init and xorout all ones; check value of "123456789"
/// 0xAE8B14860A799888), big-endian like S3's x-amz-checksum-crc64nvme. System.IO.Hashing 10.0 has only CRC-64/ECMA-182
/// and no parameter sets. Eight bytes a step (slicing-by-8), since S3 clients may send it for every upload.
/// </summary>
internal sealed class Crc64Nvme() : NonCryptographicHashAlgorithm(8)
{
    public const ulong ReflectedPolynomial = 0x9A6C9329AC4BC9B5UL;
    private static readonly ulong[][] Tables = BuildTables();
    private ulong _crc = ulong.MaxValue;

    private static ulong[][] BuildTables()
    {
        var tables = new ulong[8][];
        for (var t = 0; t < 8; t++) tables[t] = new ulong[256];
        for (var i = 0; i < 256; i++)
        {
            var c = (ulong)i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? ReflectedPolynomial ^ (c >> 1) : c >> 1;
            tables[0][i] = c;
        }
        for (var t = 1; t < 8; t++)
            for (var i = 0; i < 256; i++)
                tables[t][i] = (tables[t - 1][i] >> 8) ^ tables[0][tables[t - 1][i] & 0xFF];
        return tables;
    }

    public override void Append(ReadOnlySpan<byte> source)
    {
        var crc = _crc;
        var (t0, t1, t2, t3, t4, t5, t6, t7) = (Tables[0], Tables[1], Tables[2], Tables[3], Tables[4], Tables[5], Tables[6], Tables[7]);
        while (source.Length >= 8)
        {
            crc ^= BinaryPrimitives.ReadUInt64LittleEndian(source);
            crc = t7[crc & 0xFF] ^ t6[(crc >> 8) & 0xFF] ^ t5[(crc >> 16) & 0xFF] ^ t4[(crc >> 24) & 0xFF]
                ^ t3[(crc >> 32) & 0xFF] ^ t2[(crc >> 40) & 0xFF] ^ t1[(crc >> 48) & 0xFF] ^ t0[crc >> 56];
            source = source[8..];
        }
        foreach (var b in source) crc = t0[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _crc = crc;
    }

    public override void Reset() => _crc = ulong.MaxValue;

    protected override void GetCurrentHashCore(Span<byte> destination) => BinaryPrimitives.WriteUInt64BigEndian(destination, ~_crc);
}
