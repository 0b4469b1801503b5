namespace Gateway.Channel.Handshake;

/// <summary>
/// How much unauthenticated handshake work a bridge host accepts. Until ClientFinished verifies, a peer has proved
/// nothing: public keys are not secret, and every ClientHello naming a pinned key costs the host an ML-KEM
/// encapsulation and a hybrid signature. These bounds keep a flood of such hellos from starving the host's calls.
/// </summary>
public sealed class HandshakeLimits
{
    /// <summary>Handshakes in progress at once, from all addresses. Further connections are closed unanswered.</summary>
    public int MaxConcurrent { get; init; } = 32;

    /// <summary>Handshakes in progress at once from one IP address.</summary>
    public int MaxConcurrentPerAddress { get; init; } = 4;

    /// <summary>Handshakes one IP address may start per second (a token bucket of this size, refilled each second).</summary>
    public int PerAddressPerSecond { get; init; } = 20;

    /// <summary>A handshake not finished within this time is abandoned (a real one takes milliseconds).</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The first problem with these values, or null when they are usable.</summary>
    public string? Problem() =>
        MaxConcurrent < 1 ? $"{nameof(MaxConcurrent)} must be at least 1 (got {MaxConcurrent})."
        : MaxConcurrentPerAddress < 1 ? $"{nameof(MaxConcurrentPerAddress)} must be at least 1 (got {MaxConcurrentPerAddress})."
        : PerAddressPerSecond < 1 ? $"{nameof(PerAddressPerSecond)} must be at least 1 (got {PerAddressPerSecond})."
        : Deadline <= TimeSpan.Zero || Deadline > TimeSpan.FromSeconds(60) ? $"{nameof(Deadline)} must be above 0 and at most 60 seconds (got {Deadline})."
        : null;
}
