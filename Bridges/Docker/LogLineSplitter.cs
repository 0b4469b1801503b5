using System.Text;
using Gateway.Contracts.Containers;

namespace Gateway.Bridges.Docker;

/// <summary>
/// Re-assembles lines from the engine's demultiplexed frames, one buffer per stream, since a read may end
/// mid-line. A line longer than <see cref="MaxLineBytes"/> is handed on in pieces so memory stays bounded.
/// </summary>
sealed class LogLineSplitter(bool timestamps)
{
    public const int MaxLineBytes = 64 * 1024;

    readonly PendingLine _stdout = new(), _stderr = new();

    public void Push(ContainerLogStream stream, ReadOnlySpan<byte> data, List<ContainerLogLine> into)
    {
        var pending = stream == ContainerLogStream.Stdout ? _stdout : _stderr;
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            var take = newline >= 0 ? newline + 1 : data.Length;
            take = Math.Min(take, MaxLineBytes - pending.Length);
            pending.Append(data[..take]);
            data = data[take..];
            if (pending.EndsWithNewline || pending.Length >= MaxLineBytes) into.Add(pending.Take(stream, timestamps));
        }
    }

    /// <summary>Lines left without a final newline when the log ends.</summary>
    public void Flush(List<ContainerLogLine> into)
    {
        if (_stdout.Length > 0) into.Add(_stdout.Take(ContainerLogStream.Stdout, timestamps));
        if (_stderr.Length > 0) into.Add(_stderr.Take(ContainerLogStream.Stderr, timestamps));
    }

    sealed class PendingLine
    {
        byte[] _buffer = new byte[256];
        public int Length { get; private set; }
        public bool EndsWithNewline => Length > 0 && _buffer[Length - 1] == (byte)'\n';

        public void Append(ReadOnlySpan<byte> data)
        {
            if (Length + data.Length > _buffer.Length)
                Array.Resize(ref _buffer, Math.Max(Length + data.Length, Math.Min(_buffer.Length * 2, MaxLineBytes)));
            data.CopyTo(_buffer.AsSpan(Length));
            Length += data.Length;
        }

        public ContainerLogLine Take(ContainerLogStream stream, bool timestamps)
        {
            var line = _buffer.AsSpan(0, Length);
            string? ts = null;
            // With timestamps the engine starts each line with an RFC 3339 time and one space.
            if (timestamps)
            {
                var space = line.IndexOf((byte)' ');
                if (space is > 0 and < 40)
                {
                    ts = Encoding.ASCII.GetString(line[..space]);
                    line = line[(space + 1)..];
                }
            }
            var result = new ContainerLogLine(stream, Encoding.UTF8.GetString(line), ts);
            Length = 0;
            return result;
        }
    }
}
