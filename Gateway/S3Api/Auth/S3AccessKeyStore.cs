using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.S3Api.Hosting;
using Gateway.Security;
using Microsoft.Extensions.Options;

namespace Gateway.S3Api.Auth;

/// <summary>One access key: the caller it acts as, its scopes, and the "AWS4" + secret bytes SigV4 derives keys from.</summary>
public sealed record S3AccessKey(string AccessKeyId, string Caller, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt, bool Revoked)
{
    internal byte[] Aws4Secret { get; init; } = [];

    /// <summary>The secret's own bytes, which SigV2 and POST policy signatures are HMACs under.</summary>
    internal ReadOnlySpan<byte> SecretBytes => Aws4Secret.AsSpan(4);

    // Never print the secret.
    public override string ToString() => $"S3AccessKey {AccessKeyId} (caller {Caller})";
}

/// <summary>
/// The configured access keys (<c>Gateway:S3:AccessKeys</c> and the optional secrets file). A key whose Caller names
/// an API key shares that key's scopes, expiry and revocation, so one caller has one set of rights whichever way it comes in.
/// </summary>
public sealed partial class S3AccessKeyStore
{
    private readonly Dictionary<string, S3AccessKey> _keys = new(StringComparer.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,128}$")]
    private static partial Regex AccessKeyIdPattern();

    public S3AccessKeyStore(IOptions<S3Options> options, ApiKeyStore apiKeys)
    {
        var s3 = options.Value;
        var errors = new List<string>();
        Add(s3.AccessKeys, "Gateway:S3:AccessKeys", apiKeys, errors);
        if (!string.IsNullOrWhiteSpace(s3.AccessKeysFile))
        {
            Dictionary<string, S3AccessKeyOptions>? file = null;
            if (!File.Exists(s3.AccessKeysFile)) errors.Add($"Gateway:S3:AccessKeysFile: the file '{s3.AccessKeysFile}' does not exist.");
            else
            {
                try { file = JsonSerializer.Deserialize<Dictionary<string, S3AccessKeyOptions>>(File.ReadAllText(s3.AccessKeysFile), ApiKeyStore.JsonOptions); }
                catch (JsonException) { }
                if (file is null) errors.Add($"Gateway:S3:AccessKeysFile: '{s3.AccessKeysFile}' is not a JSON object of access key id -> {{ Secret, Caller, Scopes }}.");
                else Add(file, "Gateway:S3:AccessKeysFile", apiKeys, errors);
            }
        }
        if (errors.Count > 0) throw new OptionsValidationException(S3Options.Section, typeof(S3Options), errors);
    }

    public int Count => _keys.Count;

    public S3AccessKey? Find(string accessKeyId) => _keys.GetValueOrDefault(accessKeyId);

    private void Add(Dictionary<string, S3AccessKeyOptions> keys, string section, ApiKeyStore apiKeys, List<string> errors)
    {
        foreach (var (id, key) in keys)
        {
            var at = $"{section}:{id}";
            if (!AccessKeyIdPattern().IsMatch(id)) { errors.Add($"{at}: access key ids are 3-128 characters of A-Z, a-z, 0-9, '_', '.' and '-'."); continue; }
            if (string.IsNullOrEmpty(key.Secret) || key.Secret.Length < 16) { errors.Add($"{at}:Secret must be at least 16 characters."); continue; }
            var caller = string.IsNullOrWhiteSpace(key.Caller) ? id : key.Caller;
            var apiKey = apiKeys.Keys.FirstOrDefault(k => k.Name == caller);
            IReadOnlyList<string> scopes = key.Scopes;
            var expires = key.ExpiresAt;
            var revoked = key.Revoked;
            if (apiKey is not null)
            {
                if (key.Scopes.Count == 0) scopes = apiKey.Scopes;
                if (apiKey.ExpiresAt is { } e && (expires is null || e < expires)) expires = e;
                revoked |= apiKey.Revoked;
            }
            if (scopes.Count == 0) { errors.Add($"{at}:Scopes is empty and Caller names no API key; give at least one policy name or grant."); continue; }
            foreach (var scope in scopes)
                if (scope.Contains(':'))
                    try { Grant.Parse(scope); }
                    catch (FormatException e) { errors.Add($"{at}:Scopes: {e.Message}"); }
            _keys[id] = new S3AccessKey(id, caller, scopes, expires, revoked) { Aws4Secret = SigV4.Aws4Secret(key.Secret) };
        }
    }
}
