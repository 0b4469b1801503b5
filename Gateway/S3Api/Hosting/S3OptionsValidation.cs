using Microsoft.Extensions.Options;

namespace Gateway.S3Api.Hosting;

/// <summary>Checks Gateway:S3 at start, naming the setting to fix.</summary>
public sealed class S3OptionsValidation : IValidateOptions<S3Options>
{
    public ValidateOptionsResult Validate(string? name, S3Options o)
    {
        if (!o.Enabled) return ValidateOptionsResult.Success;
        var errors = new List<string>();
        if (o.Port is < -1 or > 65535) errors.Add("Gateway:S3:Port must be -1 (no own listener), 0 (any free port) or a port number.");
        if (o.Port == -1 && string.IsNullOrEmpty(o.PathBase)) errors.Add("Gateway:S3: with Port -1 a PathBase is needed, or the front door is unreachable.");
        if (o.PathBase is { Length: > 0 } p && (!p.StartsWith('/') || p.EndsWith('/') || p.Length < 2))
            errors.Add("Gateway:S3:PathBase must start with '/' and not end with one, e.g. '/s3'.");
        if (string.IsNullOrWhiteSpace(o.Region) || o.Region.Any(ch => !(char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '-')))
            errors.Add("Gateway:S3:Region must be a region name such as 'us-east-1'.");
        if (o.ClockSkewMinutes is < 1 or > 60) errors.Add("Gateway:S3:ClockSkewMinutes must be between 1 and 60.");
        if (o.MaxChunkBytes is < 8 * 1024 or > 64 * 1024 * 1024) errors.Add("Gateway:S3:MaxChunkBytes must be between 8 KiB and 64 MiB.");
        if (o.BaseDomain is { Length: > 0 } d && (d.StartsWith('.') || d.Contains('/') || d.Contains(':')))
            errors.Add("Gateway:S3:BaseDomain is a host name such as 's3.example.com' (no scheme, port or leading dot).");
        if (o.AccessKeys.Count == 0 && string.IsNullOrEmpty(o.AccessKeysFile))
            errors.Add("Gateway:S3: no AccessKeys (or AccessKeysFile) configured; every request would be refused.");
        return errors.Count > 0 ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}
