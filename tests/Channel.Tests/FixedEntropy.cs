using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Channel.Handshake;

namespace Gateway.Channel.Tests;

/// <summary>Deterministic entropy for test vectors: SHA-256(seed || counter (u32 BE)) blocks, in order.</summary>
internal sealed class FixedEntropy(string seed) : IHandshakeEntropy
{
    private readonly byte[] _seed = System.Text.Encoding.ASCII.GetBytes(seed);
    private uint _counter;
    private byte[] _block = [];
    private int _offset;

    public void Fill(Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (_offset == _block.Length)
            {
                var input = new byte[_seed.Length + 4];
                _seed.CopyTo(input, 0);
                BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(_seed.Length), _counter++);
                _block = SHA256.HashData(input);
                _offset = 0;
            }
            var n = Math.Min(buffer.Length, _block.Length - _offset);
            _block.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            buffer = buffer[n..];
        }
    }
}

/// <summary>Reads a fixed script, collects writes: drives one side of a handshake without a peer.</summary>
internal sealed class ScriptedStream(byte[] input) : Stream
{
    private readonly MemoryStream _in = new(input);
    public MemoryStream Written { get; } = new();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);
    public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
