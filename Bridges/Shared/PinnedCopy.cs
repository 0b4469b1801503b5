using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.Shared;

/// <summary>
/// A copy is pinned to the source version it read (its conditions were judged on that version, its metadata may be
/// carried over), and the service refuses it (412) when another writer replaces the source before the copy runs. An S3
/// copy takes whatever source is current, so the copy starts again from a fresh read instead of answering a condition
/// the caller never set; the fresh read judges the caller's own source conditions again.
/// </summary>
static class PinnedCopy
{
    /// <summary>How many times a copy starts again before its source is called too busy to copy (503).</summary>
    public const int Attempts = 8;

    /// <summary>Runs <paramref name="attempt"/> (null: the source changed under it) until one copy is made.</summary>
    public static async Task<ObjectInfo> RunAsync(Func<Task<ObjectInfo?>> attempt, string store, CopyObjectRequest request)
    {
        for (var i = 1; ; i++)
        {
            if (await attempt() is { } copied) return copied;
            if (i == Attempts)
                throw new GatewayException(ErrorCode.Unavailable,
                    $"{store}: copy '{request.SourceBucket}/{request.SourceKey}': the source was replaced during each of {i} copies.");
        }
    }

    /// <summary>
    /// After the service refused a pinned copy (412): true when the source is still the version it was pinned to, so the
    /// refusal is the caller's own (a target condition) and is answered; false when the source changed (start again).
    /// A source deleted meanwhile is <paramref name="notFound"/>.
    /// </summary>
    public static async Task<bool> RefusalIsCallersAsync<T>(Task<T?> reread, Func<T, bool> unchanged, Func<Exception> notFound) where T : class =>
        await reread is { } now ? unchanged(now) : throw notFound();

    /// <summary>
    /// What a copy the service answered not-found (<paramref name="cause"/>) tells the caller. The source was there when
    /// the copy began, so unless <paramref name="reread"/> finds it gone, what is missing is the target's bucket, and the
    /// answer names that bucket, not the source (the service's 404 does not say which of the two it missed).
    /// </summary>
    public static async Task<Exception> NotFoundAsync<T>(Task<T?> reread, string store, CopyObjectRequest request, Exception cause) where T : class
    {
        try
        {
            if (await reread is null) return cause;
        }
        catch (GatewayException)
        {
            return cause; // the re-read failed (the store unavailable): the service's own 404 is what is known
        }
        return new GatewayException(ErrorCode.NotFound, $"{store}: copy to '{request.TargetBucket}/{request.TargetKey}': bucket '{request.TargetBucket}' does not exist.", cause);
    }
}
