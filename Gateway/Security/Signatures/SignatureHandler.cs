using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Gateway.Security;

/// <summary>
/// RFC 9421 HTTP Message Signatures. The signature must cover @method and @target-uri, and content-digest when the
/// request has a body (the digest itself is checked while the body streams, see <see cref="ContentDigest"/>);
/// created must be recent, expires not passed, and the nonce unseen within the window.
/// </summary>
public sealed class SignatureHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    SignatureKeyring keys, INonceStore nonces, IOptions<SecurityOptions> security, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "HttpSignature";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers;
        if (!headers.TryGetValue("Signature-Input", out var inputHeader) || !headers.TryGetValue("Signature", out var signatureHeader))
            return Fail(SecurityEvent.BadSignature, "A signed request needs both Signature-Input and Signature.");
        IReadOnlyList<SfEntry> inputs, signatures;
        try
        {
            inputs = StructuredFields.ParseDictionary(string.Join(", ", inputHeader.ToArray()));
            signatures = StructuredFields.ParseDictionary(string.Join(", ", signatureHeader.ToArray()));
        }
        catch (FormatException) { return Fail(SecurityEvent.BadSignature, "Signature-Input or Signature is malformed."); }

        SfEntry? input = null;
        SignatureKey? key = null;
        foreach (var candidate in inputs)
        {
            if (candidate.Member.Parameter("keyid") is string id && keys.Find(id) is { } found) { input = candidate; key = found; break; }
        }
        if (input is null || key is null) return Fail(SecurityEvent.InvalidCredentials, "The signature's keyid is not a known key.");
        if (signatures.FirstOrDefault(s => s.Key == input.Key)?.Member.Value is not byte[] signature)
            return Fail(SecurityEvent.BadSignature, $"No Signature member labelled '{input.Key}'.");
        if (key.Revoked || key.ExpiresAt is { } keyExpiry && keyExpiry <= time.GetUtcNow())
            return Fail(key.Revoked ? SecurityEvent.RevokedCredentials : SecurityEvent.ExpiredCredentials, "The signature key is not valid.");

        if (input.Member.Value is not List<SfMember> items) return Fail(SecurityEvent.BadSignature, "Signature-Input members are inner lists.");
        var components = new List<string>();
        foreach (var item in items)
        {
            if (item.Value is not string name || item.Parameters.Count > 0)
                return Fail(SecurityEvent.BadSignature, "Covered components are plain strings; component parameters are not supported.");
            if (components.Contains(name)) return Fail(SecurityEvent.BadSignature, $"The component '{name}' is covered twice.");
            components.Add(name);
        }
        var hasBody = Context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? Request.ContentLength > 0;
        foreach (var required in hasBody ? new[] { "@method", "@target-uri", "content-digest" } : ["@method", "@target-uri"])
            if (!components.Contains(required))
                return Fail(SecurityEvent.BadSignature, $"The signature must cover {string.Join(", ", hasBody ? ["@method", "@target-uri", "content-digest"] : new[] { "@method", "@target-uri" })}.");

        if (input.Member.Parameter("alg") is { } alg && !(alg is string a && a == key.Algorithm))
            return Fail(SecurityEvent.BadSignature, "The signature's alg does not match its key.");
        if (input.Member.Parameter("created") is not long created) return Fail(SecurityEvent.BadSignature, "The signature needs an integer 'created'.");
        if (input.Member.Parameter("nonce") is not string nonce || nonce.Length is 0 or > 256)
            return Fail(SecurityEvent.BadSignature, "The signature needs a 'nonce' (1-256 characters).");
        var settings = security.Value.Signatures;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (created > now + settings.ClockSkewSeconds || created < now - settings.MaxAgeSeconds)
            return Fail(SecurityEvent.StaleSignature, $"The signature's 'created' is outside the accepted window of {settings.MaxAgeSeconds} s.");
        if (input.Member.Parameter("expires") is { } expires && (expires is not long e || e <= now))
            return Fail(SecurityEvent.StaleSignature, "The signature has expired.");

        string signatureBase;
        try { signatureBase = SignatureBase.Build(Context, components, input.Raw); }
        catch (FormatException ex) { return Fail(SecurityEvent.BadSignature, ex.Message); }
        if (!Verify(key, Encoding.UTF8.GetBytes(signatureBase), signature))
            return Fail(SecurityEvent.BadSignature, "The signature does not verify.");

        // Remembered only once the signature is genuine, until it could no longer be accepted anyway.
        var until = DateTimeOffset.FromUnixTimeSeconds(created + settings.MaxAgeSeconds + settings.ClockSkewSeconds);
        if (!await nonces.TryRememberAsync($"{key.Id}\n{nonce}", until, Context.RequestAborted))
            return Fail(SecurityEvent.ReplayedNonce, "The signature's nonce was already used.");

        var principal = CallerClaims.Create(key.Id, "signature", SchemeName, key.Scopes);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private static bool Verify(SignatureKey key, byte[] data, byte[] signature)
    {
        if (key.Algorithm == SignatureKeyring.HmacSha256)
            return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key.Material, data), signature);
        if (signature.Length != 64) return false;
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(key.Material, 0));
        verifier.BlockUpdate(data, 0, data.Length);
        return verifier.VerifySignature(signature);
    }

    private AuthenticateResult Fail(SecurityEvent kind, string message)
    {
        Context.Items[typeof(AuthFailure)] = new AuthFailure(kind, message);
        return AuthenticateResult.Fail(message);
    }
}
