using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Security;

/// <summary>
/// A resource glob such as <c>stores/local/buckets/reports/objects/**</c>: <c>*</c> matches within one
/// segment, <c>**</c> across segments, and a trailing <c>/**</c> also matches the folder itself
/// (<c>stores/**</c> covers <c>stores</c>), except where that "folder" is an object key: <c>.../objects/team/**</c>
/// covers the keys under <c>team/</c>, not an object named <c>team</c> (a prefix grant, as S3's <c>team/*</c>).
/// Everything else is literal.
/// </summary>
public sealed partial class ResourcePattern
{
    private readonly Regex _regex;
    private readonly Regex? _folder;

    public ResourcePattern(string pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern)) throw new FormatException("A resource pattern is empty.");
        Text = pattern.Trim().Trim('/');
        if (Text.Length == 0) Text = "**";
        _regex = new Regex(@"\A" + ToRegex(Text) + @"\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        if (Text.EndsWith("/**", StringComparison.Ordinal) && !ObjectKey().IsMatch(Text[..^3]))
            _folder = new Regex(@"\A" + ToRegex(Text[..^3]) + @"\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    public string Text { get; }

    /// <summary>True when the pattern covers <paramref name="resource"/>.</summary>
    public bool Matches(string resource) => _regex.IsMatch(resource) || (_folder?.IsMatch(resource) ?? false);

    /// <summary>
    /// True when the pattern covers every resource that starts with <paramref name="prefix"/> (a listing by prefix):
    /// only a pattern ending in <c>**</c> whose fixed part the prefix already holds can.
    /// </summary>
    public bool CoversPrefix(string prefix) => Text.EndsWith("**", StringComparison.Ordinal) && _regex.IsMatch(prefix);

    private static string ToRegex(string glob)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] == '*')
            {
                if (i + 1 < glob.Length && glob[i + 1] == '*') { sb.Append(@"[\s\S]*"); i++; }
                else sb.Append("[^/]*");
            }
            else sb.Append(Regex.Escape(glob[i].ToString()));
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"\Astores/[^/]+/buckets/[^/]+/objects/.")]
    private static partial Regex ObjectKey();

    public override string ToString() => Text;
}
