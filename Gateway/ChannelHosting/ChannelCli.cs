using System.CommandLine;
using Gateway.Channel.Audit;
using System.Text.Json;
using Gateway.Channel.Identity;
using Gateway.Channel.Witnesses;

namespace Gateway.ChannelHosting;

/// <summary>
/// CLI verbs: `keys generate [--out DIR] [--name NAME]` and
/// `audit verify [--db FILE] (--host-key KEY|FILE)... | --trusted-keys FILE [--checkpoint HEAD.json]`, parsed by
/// System.CommandLine. The trusted host keys are never taken from the data directory by default: they are named on the
/// command line, or read from Gateway:Channel:TrustedHostKeysFile, which must lie outside the data directory.
/// </summary>
public static partial class ChannelCli
{
    /// <summary>Exit code of a command line the verb cannot take (an unknown, repeated or valueless option).</summary>
    private const int Usage = 2;

    /// <summary>Runs a channel verb; null when <paramref name="args"/> is not one.</summary>
    public static int? TryRun(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        if (args.Length >= 2 && args[0] == "keys" && args[1] == "generate") return Run("keys", KeysGenerate(output, error), args, output, error);
        if (args.Length >= 2 && args[0] == "audit" && args[1] == "verify") return Run("audit", AuditVerify(output, error), args, output, error);
        return null;
    }

    /// <summary>
    /// A misspelt option is refused, not skipped (`--checkpont head.json` must not verify without the checkpoint), and
    /// so is a repeated one that takes one value.
    /// </summary>
    private static int Run(string family, Command verb, string[] args, TextWriter output, TextWriter error)
    {
        var parsed = new RootCommand { Subcommands = { new Command(family) { Subcommands = { verb } } } }.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors) error.WriteLine($"{family} {verb.Name}: {problem.Message}");
            error.WriteLine($"{family} {verb.Name}: see --help.");
            return Usage;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private static Command KeysGenerate(TextWriter output, TextWriter error)
    {
        var outDir = new Option<string>("--out") { Description = "Folder of the key files", DefaultValueFactory = _ => Path.Combine("data", "keys") };
        var name = new Option<string>("--name") { Description = "Base name of the key files", DefaultValueFactory = _ => "node" };
        ValueRequired(outDir, name);
        // A file name, not a path: "--name ../evil" wrote outside --out, "--name ''" hidden ".key" files.
        name.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && !KeyFileName().IsMatch(value))
                result.AddError("--name is a file name of 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        });
        var verb = new Command("generate", "Writes a new CTP-96 hybrid (Ed25519 + ML-DSA-65) key pair: NAME.key (mode 0600) and NAME.pub.") { outDir, name };
        verb.SetAction(r => GenerateKeys(r.GetValue(outDir)!, r.GetValue(name)!, output, error));
        return verb;
    }

    private static Command AuditVerify(TextWriter output, TextWriter error)
    {
        var db = new Option<string>("--db") { Description = "The audit database (default Gateway:Channel:AuditDatabase, else DATA/audit.db)" };
        var hostKeys = new Option<string[]>("--host-key") { Description = "A trusted bridge-host key, ctp96-pub:... or a .pub file (repeatable)" };
        var trustedKeys = new Option<string>("--trusted-keys") { Description = "A file of trusted bridge-host keys, one a line, outside the data directory" };
        var checkpoint = new Option<string>("--checkpoint") { Description = "A saved /v1/audit/head answer that the log must still hold" };
        ValueRequired(db, hostKeys, trustedKeys, checkpoint);
        var verb = new Command("verify", "Verifies every entry of the audit log, that signed heads cover them, and that the heads are consistent.")
            { db, hostKeys, trustedKeys, checkpoint };
        verb.SetAction(r => VerifyAudit(r.GetValue(db), r.GetValue(hostKeys), r.GetValue(trustedKeys), r.GetValue(checkpoint), output, error));
        return verb;
    }

    /// <summary>`--host-key --checkpoint x.json` names no key: an option's value is never another option.</summary>
    private static void ValueRequired(params Option[] options)
    {
        foreach (var option in options)
            option.Validators.Add(result =>
            {
                if (result.Tokens.Any(t => t.Value.StartsWith("--", StringComparison.Ordinal))) result.AddError($"{option.Name} needs a value");
            });
    }

    private static int GenerateKeys(string dir, string name, TextWriter output, TextWriter error)
    {
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
            error.WriteLine($"keys generate: {e.Message}");
            return 1;
        }
    }

    private static int VerifyAudit(string? dbOption, string[]? hostKeys, string? trustedKeysFile, string? checkpointFile, TextWriter output, TextWriter error)
    {
        var config = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production"}.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var dataDirectory = config["Gateway:DataDirectory"] ?? "data";
        var db = dbOption ?? config["Gateway:Channel:AuditDatabase"] ?? Path.Combine(dataDirectory, "audit.db");
        List<HybridPublicKey> keys;
        string source;
        try
        {
            (keys, source) = TrustedKeys(hostKeys, trustedKeysFile, config, dataDirectory, db);
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine($"audit verify: {e.Message}");
            return Usage;
        }
        SignedTreeHead? checkpoint = null;
        if (checkpointFile is not null)
        {
            try { checkpoint = ReadCheckpoint(checkpointFile); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or JsonException or InvalidOperationException)
            {
                error.WriteLine($"audit verify: --checkpoint {checkpointFile}: not a saved /v1/audit/head answer ({e.Message})");
                return Usage;
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

    private static (List<HybridPublicKey> Keys, string Source) TrustedKeys(string[]? named, string? trustedKeysFile, IConfiguration config, string dataDirectory, string db)
    {
        if (named is { Length: > 0 })
            return (Distinct(named.Select(k => ChannelKeys.ParsePublic(k, "--host-key"))), "named with --host-key");
        var (file, setting) = trustedKeysFile is { } f
            ? (f, "--trusted-keys")
            : (config["Gateway:Channel:TrustedHostKeysFile"], "Gateway:Channel:TrustedHostKeysFile");
        if (string.IsNullOrWhiteSpace(file))
            throw new InvalidOperationException("name the trusted bridge-host keys with --host-key ctp96-pub:...|FILE.pub (repeatable) or --trusted-keys FILE, "
                + "or configure Gateway:Channel:TrustedHostKeysFile outside the data directory. Keys stored next to the audit database are not trusted by default: whoever can rewrite the log could swap them too.");
        var full = Path.GetFullPath(file);
        // Compared with every link followed on both sides: a link from elsewhere into the data folder is still inside it.
        string real;
        string[] guardedReals;
        try
        {
            real = RealPath.Of(file);
            // The database's folder as named and as resolved (the file itself may be a link into another folder).
            guardedReals = [RealPath.Of(dataDirectory), RealPath.Of(Path.GetDirectoryName(Path.GetFullPath(db))!), Path.GetDirectoryName(RealPath.Of(db))!];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{setting}: cannot tell where {file} lies: {e.Message}");
        }
        foreach (var guardedReal in guardedReals)
        {
            var root = guardedReal.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            if (real.StartsWith(root, StringComparison.Ordinal))
                throw new InvalidOperationException($"{setting}: {file} lies inside the data directory ({guardedReal}); keep the trusted keys elsewhere.");
        }
        string[] lines;
        try { lines = File.ReadAllLines(real); }
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

    [System.Text.RegularExpressions.GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial System.Text.RegularExpressions.Regex KeyFileName();
}
