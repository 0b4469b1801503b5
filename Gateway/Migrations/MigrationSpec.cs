using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.Problems;

namespace Gateway.Migrations;

public enum MigrationMode { Copy, Sync, Move }

public enum VerifyMode { Checksum, Size, None }

/// <summary>A validated <see cref="MigrationRequest"/>: what a job runs from, persisted as JSON with the job.</summary>
public sealed record MigrationSpec
{
    public const int MaxConcurrency = 64;
    public required MigrationLocation Source { get; init; }
    public required MigrationLocation Target { get; init; }
    public MigrationMode Mode { get; init; }
    public bool DryRun { get; init; }
    public VerifyMode Verify { get; init; }
    public IReadOnlyList<string> Include { get; init; } = [];
    public IReadOnlyList<string> Exclude { get; init; } = [];
    public int Concurrency { get; init; } = 8;
    public long BandwidthLimit { get; init; }

    public string SourcePrefix => Source.Prefix ?? "";
    public string TargetPrefix => Target.Prefix ?? "";

    /// <summary>Whether every object keeps its bucket and key: only such a job fills a migrating store's To where it reads.</summary>
    public bool KeepsNames => Source.Bucket == Target.Bucket && SourcePrefix == TargetPrefix;

    /// <summary>Every object of the source bucket, under the same bucket and key: what a cutover may rest on.</summary>
    public bool CoversWholeBucket => KeepsNames && SourcePrefix.Length == 0 && Include.Count == 0 && Exclude.Count == 0;

    /// <summary>The target key of a source key: the source prefix replaced by the target's.</summary>
    public string TargetKey(string sourceKey) => TargetPrefix + sourceKey[SourcePrefix.Length..];

    /// <summary>Checks everything that does not need a store; BadRequest names the field.</summary>
    public static MigrationSpec From(MigrationRequest request)
    {
        var source = Location(request.Source, "source");
        var target = Location(request.Target, "target");
        if (source.Store == target.Store && source.Bucket == target.Bucket)
        {
            var (a, b) = (source.Prefix ?? "", target.Prefix ?? "");
            if (a.StartsWith(b, StringComparison.Ordinal) || b.StartsWith(a, StringComparison.Ordinal))
                throw Bad(a == b ? "source and target are the same place." : "source and target prefixes overlap in the same bucket.");
        }
        var concurrency = request.Concurrency ?? 8;
        if (concurrency is < 1 or > MaxConcurrency) throw Bad($"concurrency must be between 1 and {MaxConcurrency}.");
        if (request.BandwidthLimit is < 0 or (> 0 and < 1024)) throw Bad("bandwidthLimit is 0 (no limit) or at least 1024 bytes per second.");
        return new MigrationSpec
        {
            Source = source,
            Target = target,
            Mode = Parse(request.Mode, "mode", MigrationMode.Copy),
            DryRun = request.DryRun,
            Verify = Parse(request.Verify, "verify", VerifyMode.Checksum),
            Include = Globs(request.Include, "include"),
            Exclude = Globs(request.Exclude, "exclude"),
            Concurrency = concurrency,
            BandwidthLimit = request.BandwidthLimit ?? 0,
        };
    }

    private static MigrationLocation Location(MigrationLocation? location, string field)
    {
        if (location is null) throw Bad($"{field} is required: {{\"store\", \"bucket\", \"prefix\"?}}.");
        if (string.IsNullOrEmpty(location.Store)) throw Bad($"{field}.store is required.");
        if (string.IsNullOrEmpty(location.Bucket)) throw Bad($"{field}.bucket is required.");
        FieldErrors.Named($"{field}.store", () => ObjectNames.ValidateStore(location.Store));
        FieldErrors.Named($"{field}.bucket", () => ObjectNames.ValidateBucket(location.Bucket));
        var prefix = string.IsNullOrEmpty(location.Prefix) ? null : location.Prefix;
        // A prefix names a folder, as rclone's remote:bucket/path does: "in" moves in/... only (not inbox/... or input.txt),
        // maps in/x to out/x (not outx), and a sync deletes nothing outside out/.
        if (prefix is not null && !prefix.EndsWith('/'))
        {
            // Checked before the '/' is added, so the refusal names the length sent (session-43 probe: "1025 bytes" for 1024).
            var bytes = System.Text.Encoding.UTF8.GetByteCount(prefix);
            if (bytes >= ObjectNames.MaxKeyBytes)
                throw Bad($"{field}.prefix: The prefix is {bytes} bytes long; it names a folder ('/' is added), so at most {ObjectNames.MaxKeyBytes - 1} are allowed.");
            prefix += "/";
        }
        FieldErrors.Named($"{field}.prefix", () => ObjectNames.ValidatePrefix(prefix));
        return location with { Prefix = prefix };
    }


    private static T Parse<T>(string? value, string field, T fallback) where T : struct, Enum
    {
        if (value is null) return fallback;
        // Exactly as the OpenAPI document's enum writes them: "MOVE" is refused, not read as a move the schema forbids.
        foreach (var v in Enum.GetValues<T>())
        {
            if (string.Equals(v.ToString().ToLowerInvariant(), value, StringComparison.Ordinal)) return v;
        }
        throw Bad($"{field} must be one of: {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");
    }

    private static IReadOnlyList<string> Globs(IReadOnlyList<string>? globs, string field)
    {
        if (globs is null) return [];
        if (globs.Count > 100) throw Bad($"{field} holds at most 100 globs.");
        foreach (var g in globs)
        {
            if (string.IsNullOrEmpty(g) || g.Length > 1024 || g.Any(char.IsControl))
                throw Bad($"{field} globs are 1-1024 characters with no control characters.");
            // Checked here, not when the job runs: a glob the matcher refuses would fail the job after a 202.
            if (KeyFilter.Refusal(g) is { } why) throw Bad($"{field} glob '{g}' is not usable: {why}");
        }
        return globs;
    }

    private static GatewayException Bad(string message) => new(ErrorCode.BadRequest, message);
}
