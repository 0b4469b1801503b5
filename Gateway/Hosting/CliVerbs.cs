namespace Gateway.Hosting;

/// <summary>
/// The gateway's command line is a verb (<c>keys generate</c>, <c>audit verify</c>, <c>store reindex</c>, <c>migrate ...</c>) or
/// the server's own settings. A verb's family word with a missing or misspelt verb (<c>audit</c>, <c>keys gen</c>) is refused
/// here: otherwise it fell through to the server, which ignores a bare word, and a script asking for a check started a gateway.
/// </summary>
public static class CliVerbs
{
    private static readonly Dictionary<string, string> Families = new(StringComparer.Ordinal)
    {
        ["keys"] = "keys generate [--out DIR] [--name NAME]",
        ["audit"] = "audit verify [--db FILE] (--host-key KEY|FILE)... | --trusted-keys FILE [--checkpoint HEAD.json]",
        ["store"] = "store reindex STORE",
    };

    /// <summary>Exit code 2 with the usage when <paramref name="args"/> names a verb family but none of its verbs; else null.</summary>
    public static int? RefuseUnknown(string[] args, TextWriter? error = null)
    {
        if (args.Length == 0 || !Families.TryGetValue(args[0], out var usage)) return null;
        error ??= Console.Error;
        var given = args.Length > 1 ? $"'{args[0]} {args[1]}' is not a verb" : $"'{args[0]}' needs a verb";
        error.WriteLine($"{given}; usage: {usage}");
        return 2;
    }
}
