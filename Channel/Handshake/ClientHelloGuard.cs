using System.Security.Cryptography;

namespace Gateway.Channel.Handshake;

/// <summary>
/// A bridge host's check of a ClientHello's proof before it does any expensive work: the hello's time must be within
/// <see cref="Window"/> of the host's clock, its Ed25519 proof must verify under the (pinned) client key it names,
/// and it must not have been seen before. Hellos are remembered until they could no longer be fresh, at most
/// <see cref="Capacity"/> of them; a full memory refuses (fail closed) rather than forget a hello that is still fresh.
/// One guard per host identity, shared by all its connections, so a hello replayed on another connection is refused.
/// </summary>
public sealed class ClientHelloGuard
{
    /// <summary>How far a hello's time may be from the host's clock, either way.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _clock;
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    // Insertion order; an entry leaves only when it (and every older one) expired, never early.
    private readonly Queue<(string Key, DateTimeOffset Expires)> _expiry = new();

    public ClientHelloGuard() : this(TimeProvider.System) { }

    public ClientHelloGuard(TimeProvider clock, int capacity = 65_536)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _clock = clock;
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Throws a <see cref="HandshakeException"/> unless the hello is fresh, proven and new; then remembers it.</summary>
    internal void Admit(ReadOnlySpan<byte> clientHelloMessage, ClientHello hello)
    {
        var now = _clock.GetUtcNow();
        var sent = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(hello.TimestampMs, -62_135_596_800_000L, 253_402_300_799_999L));
        if (sent < now - Window || sent > now + Window)
            throw new HandshakeException(HandshakeFailure.StaleHello,
                $"The ClientHello was made at {sent:O}, more than {Window.TotalSeconds:F0} s from this host's clock ({now:O}).");

        var signed = ClientHello.ProofMessage(clientHelloMessage);
        if (!hello.Identity.VerifyEd25519(signed, hello.Proof))
            throw new HandshakeException(HandshakeFailure.BadSignature, "The ClientHello's proof does not verify under the client key it names.");

        var key = Convert.ToBase64String(SHA256.HashData(clientHelloMessage[..^HandshakeMessages.ProofLength]));
        lock (_seen)
        {
            while (_expiry.TryPeek(out var oldest) && oldest.Expires < now)
            {
                _expiry.Dequeue();
                _seen.Remove(oldest.Key);
            }
            if (_seen.ContainsKey(key))
                throw new HandshakeException(HandshakeFailure.ReplayedHello, "This ClientHello was already used.");
            if (_seen.Count >= Capacity)
                throw new HandshakeException(HandshakeFailure.Overloaded, $"The host remembers {Capacity} fresh hellos already; try again shortly.");
            var expires = sent + Window;
            _seen[key] = expires;
            _expiry.Enqueue((key, expires));
        }
    }
}
