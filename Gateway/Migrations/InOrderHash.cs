using System.Security.Cryptography;
using Gateway.Contracts.IO;

namespace Gateway.Migrations;

/// <summary>
/// The whole object's SHA-256 and MD5, taken in part order while the parts of one upload are read and sent in parallel:
/// part n's bytes pass only after part n - 1's have all passed (<see cref="Part"/>), and part n's source read is opened
/// when its turn comes (<see cref="TurnAsync"/>), so no read stands open waiting with the channel's window full. A store
/// bridge holds a part whole before it sends it, so the sends still overlap; only the source bytes flow in order. This
/// gives the hash a single read of the object in order gives, without reading the completed object back.
/// </summary>
internal sealed class InOrderHash(long size) : IDisposable
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private readonly Lock _lock = new();
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _turn = 1;
    private long _hashed;

    /// <summary>The hashes once every byte of the object passed, in order; null otherwise.</summary>
    public (string Sha256, string Md5)? Result() => Volatile.Read(ref _hashed) == size
        ? (Convert.ToHexStringLower(_sha256.GetCurrentHash()), Convert.ToBase64String(_md5.GetCurrentHash()))
        : null;

    /// <summary>Part <paramref name="number"/> of <paramref name="length"/> bytes, read from <paramref name="inner"/> in its turn.</summary>
    public Stream Part(Stream inner, int number, long length) => new PartStream(this, inner, number, length);

    /// <summary>
    /// Completes once part <paramref name="number"/>'s bytes may pass (every part before it has passed). A part opens its
    /// source read (and takes one of the job's part slots) only then: a part in its turn can always finish, so a part that
    /// holds a slot never waits for one that does not.
    /// </summary>
    public async ValueTask TurnAsync(int number, CancellationToken ct)
    {
        while (true)
        {
            Task advanced;
            lock (_lock)
            {
                if (_turn >= number) return;
                advanced = _advanced.Task;
            }
            await advanced.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        _sha256.AppendData(bytes);
        _md5.AppendData(bytes);
        Interlocked.Add(ref _hashed, bytes.Length);
    }

    private void Passed(int number)
    {
        TaskCompletionSource advanced;
        lock (_lock)
        {
            _turn = number + 1;
            advanced = _advanced;
            _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        advanced.TrySetResult();
    }

    public void Dispose()
    {
        _sha256.Dispose();
        _md5.Dispose();
    }

    /// <summary>
    /// One part's bytes: waits for the part's turn at the first read, hashes what passes, and hands the turn on when the
    /// part's length has passed. A part that ends short never hands it on: the upload fails on its size, and the parts
    /// waiting are cancelled with it.
    /// </summary>
    private sealed class PartStream(InOrderHash whole, Stream inner, int number, long length) : ReadOnlyStream, IDeliveredSha256
    {
        // The bytes pass unchanged: what the source vouches for is what this part delivered.
        public bool VouchesForSha256 => DeliveredSha256.Vouches(inner);
        (byte[] Sha256, long Length)? IDeliveredSha256.DeliveredSha256 => DeliveredSha256.Of(inner);

        private bool _inTurn;
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_inTurn)
            {
                await whole.TurnAsync(number, cancellationToken).ConfigureAwait(false);
                _inTurn = true;
            }
            var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0) return 0;
            whole.Append(buffer.Span[..n]);
            var before = _read;
            _read += n;
            if (before < length && _read >= length) whole.Passed(number); // more than length fails the part on its size
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
