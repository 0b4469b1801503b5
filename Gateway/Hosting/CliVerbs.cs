using System.Reflection;

namespace Gateway.Hosting;

/// <summary>
/// The gateway's command line is a verb (<c>keys generate</c>, <c>audit verify</c>, <c>store reindex</c>, <c>migrate ...</c>) or
/// the server's own settings. A verb's family word with a missing or misspelt verb (<c>audit</c>, <c>keys gen</c>) is refused
/// here: otherwise it fell through to the server, which ignores a bare word, and a script asking for a check started a gateway.
/// So is a plain <c>--help</c>: it prints what the command line takes instead of starting a server.
/// </summary>
public static class CliVerbs
{
    private static readonly Dictionary<string, string> Families = new(StringComparer.Ordinal)
    {
        ["keys"] = "keys generate [--out DIR] [--name NAME]",
        ["audit"] = "audit verify [--db FILE] (--host-key KEY|FILE)... | --trusted-keys FILE [--checkpoint HEAD.json]",
        ["store"] = "store reindex STORE",
    };

    private static readonly HashSet<string> HelpWords = new(StringComparer.Ordinal) { "--help", "-h", "-?", "help" };

    /// <summary>
    /// Exit code 2 with the usage when <paramref name="args"/> names a verb family but none of its verbs, or holds a bare
    /// word that is no verb (<c>frobnicate</c>, <c>stor reindex local</c>); else null.
    /// </summary>
    public static int? RefuseUnknown(string[] args, TextWriter? error = null)
    {
        if (args.Length == 0) return null;
        error ??= Console.Error;
        if (Families.TryGetValue(args[0], out var usage))
        {
            var given = args.Length > 1 ? $"'{args[0]} {args[1]}' is not a verb" : $"'{args[0]}' needs a verb";
            error.WriteLine($"{given}; usage: {usage}");
            return 2;
        }
        if (BareWord(args) is not { } word) return null;
        error.WriteLine($"'{word}' is not a verb or a setting; verbs: migrate, store reindex, audit verify, keys generate; settings: --Section:Key=value (see --help)");
        return 2;
    }

    /// <summary>
    /// The first argument the server's command-line configuration would silently drop: neither a switch
    /// (<c>--key value</c>, <c>--key=value</c>, <c>/key value</c>) nor <c>key=value</c>, nor a switch's value.
    /// </summary>
    internal static string? BareWord(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a.Contains('=', StringComparison.Ordinal)) continue;
            if (a.StartsWith('-') || a.StartsWith('/')) { i++; continue; }
            return a;
        }
        return null;
    }

    /// <summary>
    /// Exit code 0 after printing the usage when <paramref name="args"/> asks for help (<c>--help</c>, <c>store --help</c>...)
    /// or the version (<c>--version</c>); else null.
    /// </summary>
    public static int? TryHelp(string[] args, TextWriter? output = null)
    {
        if (args.Length is 0 or > 2) return null;
        output ??= Console.Out;
        if (args.Length == 1 && args[0] == "--version")
        {
            output.WriteLine(typeof(CliVerbs).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
            return 0;
        }
        if (args.Length == 2 && Families.TryGetValue(args[0], out var usage) && HelpWords.Contains(args[1]))
        {
            output.WriteLine($"usage: {usage}  (--help after the verb for its options)");
            return 0;
        }
        if (args.Length != 1 || !HelpWords.Contains(args[0])) return null;
        output.WriteLine("""
            usage:
              Gateway [--role gateway|bridge-host] [--Section:Key=value ...]
                  run the gateway (or a bridge host); settings as in docs/configuration.md, also from
                  appsettings.json and environment variables (Gateway__Stores__...)
              Gateway migrate copy|sync|move|check|status|list|pause|resume|cancel ...
                  a client of a running gateway's migrations API (Gateway migrate --help)
              Gateway store reindex STORE
                  rebuild a local store's index from its files (the gateway must not be running on it)
              Gateway audit verify [--db FILE] (--host-key KEY|FILE)... | --trusted-keys FILE [--checkpoint HEAD.json]
                  check the audit log: every entry, its signed heads, and a saved head still in it
              Gateway keys generate [--out DIR] [--name NAME]
                  write a new CTP-96 key pair
              Gateway --version
            Each verb takes --help. With dotnet run: dotnet run --project Gateway -- ARGUMENTS
            """);
        return 0;
    }
}
