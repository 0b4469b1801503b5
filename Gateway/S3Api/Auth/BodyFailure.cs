using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Auth;

/// <summary>
/// Remembers why a verifying body stream refused its bytes, so the S3 error reaches the client however the store
/// call surfaced the failure (the channel resets the call; the store keeps nothing).
/// </summary>
public sealed class BodyFailure
{
    public S3Exception? Error { get; private set; }

    public S3Exception Fail(S3Exception error)
    {
        Error ??= error;
        return Error;
    }
}
