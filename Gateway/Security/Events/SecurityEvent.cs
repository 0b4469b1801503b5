namespace Gateway.Security;

/// <summary>Kinds of denied or malformed requests; the slug is the <c>event</c> tag of the counter.</summary>
public enum SecurityEvent
{
    MissingCredentials,
    InvalidCredentials,
    ExpiredCredentials,
    RevokedCredentials,
    BadSignature,
    StaleSignature,
    ReplayedNonce,
    DigestMismatch,
    Forbidden,
    NoAccessMapping,
    RateLimited,
    HeadersTooLarge,
    BodyTooLarge,
    InsecureTransport,
}

public static class SecurityEventNames
{
    public static string Slug(this SecurityEvent e) => e switch
    {
        SecurityEvent.MissingCredentials => "missing-credentials",
        SecurityEvent.InvalidCredentials => "invalid-credentials",
        SecurityEvent.ExpiredCredentials => "expired-credentials",
        SecurityEvent.RevokedCredentials => "revoked-credentials",
        SecurityEvent.BadSignature => "bad-signature",
        SecurityEvent.StaleSignature => "stale-signature",
        SecurityEvent.ReplayedNonce => "replayed-nonce",
        SecurityEvent.DigestMismatch => "digest-mismatch",
        SecurityEvent.Forbidden => "forbidden",
        SecurityEvent.NoAccessMapping => "no-access-mapping",
        SecurityEvent.RateLimited => "rate-limited",
        SecurityEvent.HeadersTooLarge => "headers-too-large",
        SecurityEvent.BodyTooLarge => "body-too-large",
        SecurityEvent.InsecureTransport => "insecure-transport",
        _ => "other",
    };
}
