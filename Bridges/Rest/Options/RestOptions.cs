using Microsoft.Extensions.Options;

namespace Gateway.Bridges.Rest.Options;

/// <summary>The upstreams, bound from <c>Gateway:Rest</c> (<c>Upstreams:{name}</c>): the only hosts the REST bridge will call.</summary>
public sealed class RestOptions
{
    public const string Section = "Gateway:Rest";
    public const string UpstreamsSection = Section + ":Upstreams";

    public Dictionary<string, RestUpstreamOptions> Upstreams { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

/// <summary>Checks every upstream at start (ValidateOnStart); each problem names the setting to fix, never its value.</summary>
public sealed class RestOptionsValidator : IValidateOptions<RestOptions>
{
    public ValidateOptionsResult Validate(string? name, RestOptions options)
    {
        var problems = new List<string>();
        foreach (var (upstream, settings) in options.Upstreams)
        {
            if (!RestOptions.IsValidName(upstream)) problems.Add($"{RestOptions.UpstreamsSection}:{upstream}: upstream names use letters, digits, '-', '_' and '.' only");
            problems.AddRange(settings.Validate().Select(e => $"{RestOptions.UpstreamsSection}:{upstream}:{e}"));
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
