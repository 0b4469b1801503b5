using Gateway.Channel.Audit;
using Gateway.Channel.Identity;

namespace Gateway.ChannelHosting;

/// <summary>
/// CLI verbs: `keys generate [--out DIR] [--name NAME]` and
/// `audit verify [--db FILE] [--host-key KEY|FILE]...` (defaults: data/audit.db and data/keys/node.pub).
/// </summary>
public static class ChannelCli
{
    /// <summary>Runs a channel verb; null when <paramref name="args"/> is not one.</summary>
    public static int? TryRun(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        if (args.Length >= 2 && args[0] == "keys" && args[1] == "generate") return GenerateKeys(args[2..], output, error);
        if (args.Length >= 2 && args[0] == "audit" && args[1] == "verify") return VerifyAudit(args[2..], output, error);
        return null;
    }

    private static int GenerateKeys(string[] args, TextWriter output, TextWriter error)
    {
        var options = Options(args);
        var dir = options.GetValueOrDefault("--out")?.Single() ?? Path.Combine("data", "keys");
        var name = options.GetValueOrDefault("--name")?.Single() ?? "node";
        using var key = HybridSigningKey.Generate();
        try
        {
            var (privatePath, publicPath) = KeyFiles.Write(key, dir, name);
            output.WriteLine($"private key: {privatePath} (mode 0600)");
            output.WriteLine($"public key:  {publicPath}");
            output.WriteLine($"fingerprint: {key.PublicKey.Fingerprint}");
            output.WriteLine(key.PublicKey.ToText());
            return 0;
        }
        catch (IOException e)
        {
            error.WriteLine($"keys generate: {e.Message} (an existing key is never overwritten)");
            return 1;
        }
    }

    private static int VerifyAudit(string[] args, TextWriter output, TextWriter error)
    {
        var options = Options(args);
        var db = options.GetValueOrDefault("--db")?.Single() ?? Path.Combine("data", "audit.db");
        var keyArgs = options.GetValueOrDefault("--host-key") ?? [Path.Combine("data", "keys", "node.pub")];
        List<HybridPublicKey> keys;
        try { keys = keyArgs.Select(k => ChannelKeys.ParsePublic(k, "--host-key")).ToList(); }
        catch (InvalidOperationException e)
        {
            error.WriteLine($"audit verify: {e.Message}");
            return 2;
        }
        var result = AuditVerifier.Verify(db, keys);
        if (result.Ok)
        {
            output.WriteLine($"audit chain OK: {result.EntriesChecked} entries verified in {db}");
            return 0;
        }
        error.WriteLine(result.FirstBadSequence is { } seq
            ? $"audit chain BROKEN at entry {seq}: {result.Problem} ({result.EntriesChecked} entries before it verified)"
            : $"audit verify: {result.Problem}");
        return 1;
    }

    private static Dictionary<string, List<string>> Options(string[] args)
    {
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!map.TryGetValue(args[i], out var list)) map[args[i]] = list = [];
            list.Add(args[i + 1]);
        }
        return map;
    }
}
