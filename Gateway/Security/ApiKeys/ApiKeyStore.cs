using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Security;

public sealed record ApiKeyEntry(string Name, byte[] Hash, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt, bool Revoked, bool Development);

/// <summary>The configured API keys (configuration, the optional secrets file and, in Development, the local admin key).</summary>
public sealed class ApiKeyStore
{
    public const string LocalAdminName = "local-admin";
    private readonly List<ApiKeyEntry> _keys = [];

    public ApiKeyStore(IOptions<SecurityOptions> options, IOptions<GatewayOptions> gateway, IHostEnvironment environment)
    {
        var security = options.Value;
        Add(security.ApiKeys, "Gateway:Security:ApiKeys");
        if (!string.IsNullOrWhiteSpace(security.ApiKeysFile))
        {
            var path = security.ApiKeysFile;
            if (!File.Exists(path)) throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions),
                [$"Gateway:Security:ApiKeysFile: the file '{path}' does not exist."]);
            Dictionary<string, ApiKeyOptions>? file;
            try { file = JsonSerializer.Deserialize<Dictionary<string, ApiKeyOptions>>(File.ReadAllText(path), JsonOptions); }
            catch (JsonException) { file = null; }
            if (file is null) throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions),
                [$"Gateway:Security:ApiKeysFile: '{path}' is not a JSON object of name -> {{ Hash, Scopes, ExpiresAt, Revoked }}."]);
            Add(file, "Gateway:Security:ApiKeysFile");
        }
        LocalAdminKeyPath = Path.Combine(gateway.Value.DataDirectory, "security", "local-admin-key.json");
        if (environment.IsDevelopment() && File.Exists(LocalAdminKeyPath)) AddLocalAdmin();
    }

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Where the Development local admin key's hash is kept.</summary>
    public string LocalAdminKeyPath { get; }

    public IReadOnlyList<ApiKeyEntry> Keys => _keys;

    /// <summary>Finds the key in constant time with respect to the stored hashes: every entry is compared.</summary>
    public ApiKeyEntry? Find(string presented)
    {
        var hash = ApiKeyHash.Compute(presented);
        ApiKeyEntry? match = null;
        foreach (var entry in _keys)
            if (CryptographicOperations.FixedTimeEquals(hash, entry.Hash)) match = entry;
        return match;
    }

    /// <summary>Creates the Development local admin key (once) and returns the plain key so it can be shown once.</summary>
    public string CreateLocalAdmin()
    {
        var key = ApiKeyHash.NewKey();
        Directory.CreateDirectory(Path.GetDirectoryName(LocalAdminKeyPath)!);
        var entry = new ApiKeyOptions { Hash = ApiKeyHash.Format(key), Scopes = [AccessEvaluator.AdminPolicy], Development = true };
        File.WriteAllText(LocalAdminKeyPath, JsonSerializer.Serialize(entry, JsonOptions));
        AddLocalAdmin();
        return key;
    }

    private void AddLocalAdmin()
    {
        var entry = JsonSerializer.Deserialize<ApiKeyOptions>(File.ReadAllText(LocalAdminKeyPath), JsonOptions);
        if (entry is null || !ApiKeyHash.TryParse(entry.Hash, out var hash))
            throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions),
                [$"The local admin key file '{LocalAdminKeyPath}' is damaged; delete it to have a new key made."]);
        _keys.Add(new ApiKeyEntry(LocalAdminName, hash, [AccessEvaluator.AdminPolicy], null, false, Development: true));
    }

    private void Add(Dictionary<string, ApiKeyOptions> keys, string section)
    {
        var errors = new List<string>();
        foreach (var (name, key) in keys)
        {
            if (!ApiKeyHash.TryParse(key.Hash, out var hash))
            {
                errors.Add($"{section}:{name}:Hash must be 'sha256:' followed by 64 hex digits (the SHA-256 of the key).");
                continue;
            }
            // One key, one entry: with two, the last one won, so a Revoked copy or a narrower one was silently ignored.
            if (_keys.FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(k.Hash, hash)) is { } same)
                errors.Add($"{section}:{name}:Hash is the hash of the same key as '{same.Name}'; give each key one entry (revoke or narrow that one).");
            if (key.Scopes.Count == 0) errors.Add($"{section}:{name}:Scopes is empty; give at least one policy name or grant.");
            foreach (var scope in key.Scopes)
                if (scope.Contains(':'))
                    try { Grant.Parse(scope); }
                    catch (FormatException e) { errors.Add($"{section}:{name}:Scopes: {e.Message}"); }
            _keys.Add(new ApiKeyEntry(name, hash, key.Scopes, key.ExpiresAt, key.Revoked, key.Development));
        }
        if (errors.Count > 0) throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions), errors);
    }
}
