namespace Gateway.Fuzz;

/// <summary>
/// The fuzz targets by name. Each takes one input and returns, or throws the rejection its caller maps to a 4xx (or, in
/// the channel, to a closed connection); anything else escapes and is a crash.
/// </summary>
public static class Targets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["frame"] = Bounded(ChannelTargets.Frames),
        ["handshake"] = Bounded(ChannelTargets.Handshake),
        ["witness"] = Bounded(ChannelTargets.WitnessAndHeads),
        ["sigv4"] = Bounded(S3Targets.SigV4),
        ["awschunked"] = Bounded(S3Targets.AwsChunked),
        ["s3xml"] = Bounded(S3Targets.XmlBodies),
        ["postpolicy"] = Bounded(S3Targets.PostPolicyDocument),
        ["postform"] = Bounded(S3Targets.PostFormBody),
        ["headers"] = Bounded(HttpTargets.ObjectHeaders),
        ["tokens"] = Bounded(HttpTargets.PageTokens),
        ["sfv"] = Bounded(HttpTargets.StructuredFieldHeaders),
    };

    /// <summary>
    /// The target, failing when one input made it allocate more than 64 MiB plus 64 bytes per input byte: a length field
    /// that is believed (2^31 read as a size) is a crash too, even where the runtime would have found the memory.
    /// </summary>
    private static Action<byte[]> Bounded(Action<byte[]> target) => data =>
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        target(data);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > (64L << 20) + 64L * data.Length)
            throw new InsufficientMemoryException($"One input of {data.Length} bytes allocated {allocated} bytes.");
    };

    /// <summary>The input as text fields: UTF-8 (invalid bytes become U+FFFD, as a lenient server decodes), split at '\n'.</summary>
    public static string[] Fields(byte[] data, int count)
    {
        var parts = System.Text.Encoding.UTF8.GetString(data).Split('\n', count);
        return parts.Length == count ? parts : [.. parts, .. Enumerable.Repeat("", count - parts.Length)];
    }

    /// <summary>Runs <paramref name="action"/>; <typeparamref name="T"/> is the documented rejection and is swallowed when <paramref name="accepted"/> holds.</summary>
    public static void Rejects<T>(Action action, Func<T, bool>? accepted = null) where T : Exception
    {
        try { action(); }
        catch (T e) when (accepted is null || accepted(e)) { }
    }
}
