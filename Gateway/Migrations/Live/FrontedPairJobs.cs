namespace Gateway.Migrations.Live;

/// <summary>
/// While a migrating store fronts From and To (not cut over), services read both through it and write To: the only job
/// that may write or delete in either is its own migration, From into To keeping bucket and prefix (the store mirrors both,
/// for every bucket of the two stores). Any other would change what services see behind the store, and its copies in To
/// would pass for their writes: a sync from From kept them and the cutover served them (session-48 probe, a job from a third
/// store into To). Refused when a job is made or resumed, and at the start of each run (a job made before the store fronted
/// the pair). A dry run writes nothing and is taken.
/// </summary>
internal static class FrontedPairJobs
{
    /// <summary>Why <paramref name="spec"/> may not run while <paramref name="stores"/> front their pairs; null when it may.</summary>
    public static string? Refusal(IEnumerable<MigratingStore> stores, MigrationSpec spec)
    {
        if (spec.DryRun) return null;
        var (source, target) = (spec.Source.Store, spec.Target.Store);
        foreach (var m in stores)
        {
            if (m.Options is not { From: { } from, To: { } to } || m.IsCutOver) continue;
            var writes = Same(target, from) || Same(target, to);
            var deletes = spec.Mode == MigrationMode.Move && (Same(source, from) || Same(source, to));
            if (!writes && !deletes) continue;
            if (Same(source, from) && Same(target, to) && spec.KeepsNames) continue;
            return $"Store '{m.Name}' fronts '{from}' (From) and '{to}' (To) and is not cut over: services read both through it and write "
                + $"'{to}', so the only job that may write or delete in either is one from '{from}' into '{to}' keeping bucket and prefix. "
                + Why(spec, from, to);
        }
        return null;
    }

    private static string Why(MigrationSpec spec, string from, string to)
    {
        var (source, target) = (spec.Source.Store, spec.Target.Store);
        if (Same(target, to) && !Same(source, from))
            return $"A job from '{source}' into '{to}' would show its objects to services as theirs, and a job from '{from}' would take them "
                + $"for services' writes and keep them at the cutover; migrate from '{from}' instead, or after the cutover.";
        if (Same(target, to))
            return $"Into another bucket or prefix of '{to}', its objects would show to services there as theirs and pass for their writes.";
        if (Same(target, from))
            return $"A job into '{from}' would change what services read behind the store, and what a job from '{from}' brings over.";
        return Same(spec.Source.Store, from)
            ? $"A move out of '{from}' would delete objects services still read there; copy instead."
            : $"A move out of '{to}' would delete services' writes; copy instead.";
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
