namespace Gateway.Fuzz;

/// <summary>
/// The fuzz targets by name. Each takes one input and returns, or throws the rejection its caller maps to a 4xx (or, in
/// the channel, to a closed connection); anything else escapes and is a crash.
/// </summary>
public static class Targets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["frame"] = ChannelTargets.Frames,
        ["handshake"] = ChannelTargets.Handshake,
        ["witness"] = ChannelTargets.WitnessAndHeads,
        ["sigv4"] = S3Targets.SigV4,
        ["awschunked"] = S3Targets.AwsChunked,
        ["s3xml"] = S3Targets.XmlBodies,
        ["postpolicy"] = S3Targets.PostPolicyDocument,
        ["postform"] = S3Targets.PostFormBody,
        ["headers"] = HttpTargets.ObjectHeaders,
        ["tokens"] = HttpTargets.PageTokens,
        ["sfv"] = HttpTargets.StructuredFieldHeaders,
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
