using Gateway.Bridges.Rest.Options;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.Rest;

/// <summary>The upstreams configured under <c>Gateway:Rest:Upstreams</c>; the only hosts the REST bridge will call.</summary>
public sealed class RestUpstreamCatalog : IRestUpstreamCatalog, IBridgeInstanceSource, IDisposable
{
    public const string SectionPath = "Gateway:Rest:Upstreams";

    readonly Dictionary<string, RestUpstream> _upstreams;

    public RestUpstreamCatalog(IReadOnlyDictionary<string, RestUpstreamOptions> upstreams, ILoggerFactory loggers, TimeProvider? time = null)
    {
        var errors = Validate(upstreams);
        if (errors.Count > 0) throw new InvalidOperationException("Invalid REST upstream settings: " + string.Join("; ", errors));
        _upstreams = upstreams.ToDictionary(u => u.Key, u => new RestUpstream(u.Key, u.Value, loggers, time), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Reads every <c>Gateway:Rest:Upstreams:{name}</c> section.</summary>
    public static Dictionary<string, RestUpstreamOptions> Bind(IConfiguration configuration)
    {
        var result = new Dictionary<string, RestUpstreamOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in configuration.GetSection(SectionPath).GetChildren())
        {
            var options = new RestUpstreamOptions();
            section.Bind(options);
            result[section.Key] = options;
        }
        return result;
    }

    /// <summary>Every problem in the settings, each naming the setting to fix (never its value).</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyDictionary<string, RestUpstreamOptions> upstreams)
    {
        var errors = new List<string>();
        foreach (var (name, options) in upstreams)
        {
            if (!IsValidName(name)) errors.Add($"{SectionPath}:{name}: upstream names use letters, digits, '-', '_' and '.' only");
            errors.AddRange(options.Validate().Select(e => $"{SectionPath}:{name}:{e}"));
        }
        return errors;
    }

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public IReadOnlyCollection<IRestUpstream> Upstreams => _upstreams.Values;

    public IRestUpstream? Find(string name) => _upstreams.GetValueOrDefault(name);

    public IEnumerable<IBridgeInstance> GetInstances() => _upstreams.Values.OrderBy(u => u.Name, StringComparer.Ordinal);

    public void Dispose()
    {
        foreach (var upstream in _upstreams.Values) upstream.Dispose();
    }
}
