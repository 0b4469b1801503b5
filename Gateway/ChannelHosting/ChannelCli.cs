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
        var result = AuditVerifier.Verify(db, keys, checkpoint);
        if (result.Ok)
        {
            output.WriteLine($"audit log OK: {result.EntriesChecked} entries, {result.TreeSize} leaves and {result.HeadsChecked} signed heads verified in {db}"
                + (checkpoint is null ? "" : $"; it still holds the checkpoint head of size {checkpoint.TreeSize}"));
            return 0;
        }
        error.WriteLine(result.FirstBadSequence is { } seq
            ? $"audit log BROKEN at entry {seq}: {result.Problem} ({result.EntriesChecked} entries before it verified)"
            : $"audit log BROKEN: {result.Problem}");
        return 1;
    }

    private static (List<HybridPublicKey> Keys, string Source) TrustedKeys(Dictionary<string, List<string>> options, IConfiguration config, string dataDirectory, string db)
    {
        if (options.GetValueOrDefault("--host-key") is { } named)
            return (named.Select(k => ChannelKeys.ParsePublic(k, "--host-key")).ToList(), "named with --host-key");
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
        var keys = lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => ChannelKeys.ParsePublic(l, setting)).ToList();
        if (keys.Count == 0) throw new InvalidOperationException($"{setting}: {file} holds no key.");
        return (keys, $"from {setting} {full}");
    }

    private static SignedTreeHead ReadCheckpoint(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        if (!json.RootElement.TryGetProperty("encoded", out var encoded) || encoded.GetString() is not { } text)
            throw new FormatException("it has no 'encoded' field");
        return SignedTreeHead.Decode(Convert.FromBase64String(text));
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
