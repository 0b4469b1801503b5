using Gateway.Channel.Audit;
using System.Text.Json;
using Gateway.Channel.Identity;
using Gateway.Channel.Witnesses;

namespace Gateway.ChannelHosting;

/// <summary>
/// CLI verbs: `keys generate [--out DIR] [--name NAME]` and
/// `audit verify [--db FILE] (--host-key KEY|FILE)... | --trusted-keys FILE [--checkpoint HEAD.json]`.
/// The trusted host keys are never taken from the data directory by default: they are named on the command line, or
/// read from Gateway:Channel:TrustedHostKeysFile, which must lie outside the data directory.
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
        if (Options(args, ["--out", "--name"], [], error, "keys generate") is not { } options) return 1;
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
        // A misspelt option is refused, not skipped: `--checkpont head.json` must not verify without the checkpoint.
        if (Options(args, ["--db", "--host-key", "--trusted-keys", "--checkpoint"], ["--host-key"], error, "audit verify") is not { } options) return 2;
        var config = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production"}.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var dataDirectory = config["Gateway:DataDirectory"] ?? "data";
        var db = options.GetValueOrDefault("--db")?.Single() ?? config["Gateway:Channel:AuditDatabase"] ?? Path.Combine(dataDirectory, "audit.db");
        List<HybridPublicKey> keys;
        string source;
        try
        {
            (keys, source) = TrustedKeys(options, config, dataDirectory, db);
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine($"audit verify: {e.Message}");
            return 2;
        }
        SignedTreeHead? checkpoint = null;
        if (options.GetValueOrDefault("--checkpoint")?.Single() is { } checkpointFile)
        {
            try { checkpoint = ReadCheckpoint(checkpointFile); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or JsonException or InvalidOperationException)
            {
                error.WriteLine($"audit verify: --checkpoint {checkpointFile}: not a saved /v1/audit/head answer ({e.Message})");
                return 2;
            }
        }
        output.WriteLine($"trusted bridge-host keys ({source}): {string.Join(", ", keys.Select(k => k.Fingerprint.ToString()))}");
        AuditVerification result;
        try { result = AuditVerifier.Verify(db, keys, checkpoint); }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            // Not a SQLite file, or not an audit log (no audit tables): nothing in it can be vouched for.
            error.WriteLine($"audit log BROKEN: {db} cannot be read as an audit log ({e.Message})");
            return 1;
        }
        if (result.Ok)
        {
            output.WriteLine($"audit log OK: {result.EntriesChecked} entries, {result.TreeSize} leaves and {result.HeadsChecked} signed heads verified in {db}"
                + (checkpoint is null ? "" : $"; it still holds the checkpoint head of size {checkpoint.TreeSize}"));
            WriteUnresolved(result, output);
            return 0;
        }
        error.WriteLine(result.FirstBadSequence is { } seq
            ? $"audit log BROKEN at entry {seq}: {result.Problem} ({result.EntriesChecked} entries before it verified)"
            : $"audit log BROKEN: {result.Problem}");
        return 1;
    }

    /// <summary>Pending leaves without an outcome are no break in the log: the bridge host signed the call, the gateway's own checks never ended.</summary>
    private static void WriteUnresolved(AuditVerification result, TextWriter output)
    {
        if (result.UnresolvedCount == 0) return;
        output.WriteLine($"{result.UnresolvedCount} unresolved (the gateway stopped while the answer was read): pending leaves whose witness is signed and covered, with no outcome entry");
        foreach (var u in result.Unresolved)
            output.WriteLine($"  unresolved: leaf {u.LeafIndex}, request {u.RequestId}, {u.Operation} {u.Target}, pending since {u.RecordedAt:O}");
    }

    private static (List<HybridPublicKey> Keys, string Source) TrustedKeys(Dictionary<string, List<string>> options, IConfiguration config, string dataDirectory, string db)
    {
        if (options.GetValueOrDefault("--host-key") is { } named)
            return (Distinct(named.Select(k => ChannelKeys.ParsePublic(k, "--host-key"))), "named with --host-key");
        var (file, setting) = options.GetValueOrDefault("--trusted-keys")?.Single() is { } f
            ? (f, "--trusted-keys")
            : (config["Gateway:Channel:TrustedHostKeysFile"], "Gateway:Channel:TrustedHostKeysFile");
        if (string.IsNullOrWhiteSpace(file))
            throw new InvalidOperationException("name the trusted bridge-host keys with --host-key ctp96-pub:...|FILE.pub (repeatable) or --trusted-keys FILE, "
                + "or configure Gateway:Channel:TrustedHostKeysFile outside the data directory. Keys stored next to the audit database are not trusted by default: whoever can rewrite the log could swap them too.");
        var full = Path.GetFullPath(file);
        foreach (var guarded in new[] { Path.GetFullPath(dataDirectory), Path.GetDirectoryName(Path.GetFullPath(db))! })
        {
            var root = guarded.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            if (full.StartsWith(root, StringComparison.Ordinal))
                throw new InvalidOperationException($"{setting}: {file} lies inside the data directory ({guarded}); keep the trusted keys elsewhere.");
        }
        string[] lines;
        try { lines = File.ReadAllLines(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidOperationException($"{setting}: cannot read {file}: {e.Message}"); }
        var keys = new List<HybridPublicKey>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            // The line itself is not echoed: a wrong file named here may hold anything.
            try { keys.Add(ChannelKeys.ParsePublic(line, setting)); }
            catch (InvalidOperationException) { throw new InvalidOperationException($"{setting}: line {i + 1} of {file} is not a CTP-96 public key (ctp96-pub:...)."); }
        }
        if (keys.Count == 0) throw new InvalidOperationException($"{setting}: {file} holds no key.");
        return (Distinct(keys), $"from {setting} {full}");
    }

    /// <summary>A key named twice is trusted once.</summary>
    private static List<HybridPublicKey> Distinct(IEnumerable<HybridPublicKey> keys) =>
        keys.DistinctBy(k => k.Fingerprint.ToString(), StringComparer.Ordinal).ToList();

    private static SignedTreeHead ReadCheckpoint(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        if (!json.RootElement.TryGetProperty("encoded", out var encoded) || encoded.GetString() is not { } text)
            throw new FormatException("it has no 'encoded' field");
        return SignedTreeHead.Decode(Convert.FromBase64String(text));
    }

    /// <summary>
    /// The verb's options as name to values, or null (with the reason on <paramref name="error"/>) when an option is
    /// unknown, has no value, or is given twice without being <paramref name="repeatable"/>.
    /// </summary>
    private static Dictionary<string, List<string>>? Options(string[] args, string[] known, string[] repeatable, TextWriter error, string verb)
    {
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            var name = args[i];
            string? problem = null;
            if (!known.Contains(name, StringComparer.Ordinal))
                problem = $"'{name}' is not an option of {verb} (it takes {string.Join(", ", known)})";
            else if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                problem = $"{name} needs a value";
            else if (map.ContainsKey(name) && !repeatable.Contains(name, StringComparer.Ordinal))
                problem = $"{name} is given more than once";
            if (problem is not null)
            {
                error.WriteLine($"{verb}: {problem}.");
                return null;
            }
            if (!map.TryGetValue(name, out var list)) map[name] = list = [];
            list.Add(args[i + 1]);
        }
        return map;
    }
}
