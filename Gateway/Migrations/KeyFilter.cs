using Microsoft.Extensions.FileSystemGlobbing;

namespace Gateway.Migrations;

/// <summary>
/// Include/exclude globs over keys relative to the source prefix, with FileSystemGlobbing's rules
/// (<c>*</c> within one '/'-separated segment, <c>**</c> across segments), compared ordinally.
/// No include glob means everything is included; an exclude glob always wins.
/// </summary>
public sealed class KeyFilter
{
    private static readonly char[] RcloneOnly = ['?', '[', ']', '{', '}'];
    private readonly Matcher? _include;
    private readonly Matcher? _exclude;

    public KeyFilter(IReadOnlyList<string> include, IReadOnlyList<string> exclude)
    {
        if (include.Count > 0) { _include = new Matcher(StringComparison.Ordinal); _include.AddIncludePatterns(include); }
        if (exclude.Count > 0) { _exclude = new Matcher(StringComparison.Ordinal); _exclude.AddIncludePatterns(exclude); }
    }

    /// <summary>Null when <paramref name="glob"/> compiles, else why not (FileSystemGlobbing refuses some patterns, e.g. '..' after the start).</summary>
    public static string? Refusal(string glob)
    {
        // FileSystemGlobbing reads these literally, so rclone's "a?c", "[ab]c" or "*.{csv,log}" would match nothing, silently
        // (an exclude that protects nothing, in a sync): refused, and a literal one is matched with '*'.
        if (glob.IndexOfAny(RcloneOnly) >= 0)
            return "'?', '[...]' and '{a,b}' are not glob syntax here (only '*' and '**' are); match such a character with '*'.";
        // FileSystemGlobbing reads '\' in a pattern as '/', while a key's '\' is a character of its segment: an exclude
        // "keep\*" protected keep/old.bak and let a sync delete keep\old.bak (session-43 probe). rclone reads it as an escape.
        if (glob.Contains('\\', StringComparison.Ordinal))
            return "'\\' is not glob syntax here (it would be read as '/'); match a '\\' in a key with '*'.";
        try { new Matcher(StringComparison.Ordinal).AddInclude(glob); return null; }
        catch (ArgumentException e) { return e.Message; }
    }

    public bool Admits(string relativeKey)
    {
        if (_include is null && _exclude is null) return true;
        if (_include is not null && !_include.Match(relativeKey).HasMatches) return false;
        return _exclude is null || !_exclude.Match(relativeKey).HasMatches;
    }
}
