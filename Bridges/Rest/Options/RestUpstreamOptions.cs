using Gateway.Bridges.Resilience;

namespace Gateway.Bridges.Rest.Options;

/// <summary>One upstream, bound from <c>Gateway:Rest:Upstreams:{name}</c>.</summary>
public sealed class RestUpstreamOptions
{
    /// <summary>Shortcut for a single destination: the upstream's base URL (http or https, may carry a base path).</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Several destinations by id; calls go round-robin to the healthy ones.</summary>
    public Dictionary<string, DestinationOptions> Destinations { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Removed from the start of the caller's path when present, e.g. "v1".</summary>
    public string? RemovePathPrefix { get; set; }

    /// <summary>Put before the caller's path, after the destination's own base path, e.g. "legacy/api".</summary>
    public string? PathPrefix { get; set; }

    public HeaderRuleOptions RequestHeaders { get; set; } = new();
    public HeaderRuleOptions ResponseHeaders { get; set; } = new();

    /// <summary>Adds X-Forwarded-For/-Proto/-Host/-Prefix toward the upstream (callers' own are always dropped).</summary>
    public bool AddForwardedHeaders { get; set; } = true;

    /// <summary>
    /// The gateway's public host (<c>host[:port]</c>) as this upstream should see it in X-Forwarded-Host. The caller's
    /// Host header is not a trustworthy source: nothing filters it.
    /// </summary>
    public string? PublicHost { get; set; }

    /// <summary>
    /// Without <see cref="PublicHost"/>: the caller Host values (<c>host[:port]</c>, case-insensitive) that may be passed on
    /// as X-Forwarded-Host. Any other Host, or an empty list, sends no X-Forwarded-Host at all.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    public UpstreamAuthOptions Auth { get; set; } = new();

    /// <summary>Largest request body passed on; larger ones get 413. Null: no limit.</summary>
    public long? MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Largest response body passed back; a longer one is cut off and the call aborted. Null: no limit.</summary>
    public long? MaxResponseBodyBytes { get; set; }

    /// <summary>
    /// Request bodies up to this size are kept in memory while sent, so an idempotent call can be retried;
    /// a larger body streams through once and its call is not retried.
    /// </summary>
    public int ReplayBufferBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Longest silence within an answer once its head came: an upstream that sends no byte for this long has its answer
    /// aborted (as nginx's proxy_read_timeout, YARP's ActivityTimeout, whose 100 s is the default here). An event stream
    /// that may be quiet longer needs a larger value or null (no limit).
    /// </summary>
    public TimeSpan? ResponseIdleTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How long a destination that failed is skipped while others are healthy.</summary>
    public TimeSpan DestinationCooldown { get; set; } = TimeSpan.FromSeconds(10);

    public ResilienceOptions Resilience { get; set; } = new();

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BaseUrl is not null && Destinations.Count > 0)
            errors.Add("BaseUrl and Destinations are exclusive: use one");
        if (BaseUrl is null && Destinations.Count == 0)
            errors.Add("BaseUrl or Destinations:<id>:Address is required");
        if (BaseUrl is not null && !IsHttpUrl(BaseUrl))
            errors.Add("BaseUrl must be an absolute http or https URL without query, fragment or user info");
        foreach (var (id, d) in Destinations)
            if (d.Address is null || !IsHttpUrl(d.Address))
                errors.Add($"Destinations:{id}:Address must be an absolute http or https URL without query, fragment or user info");
        if (PathPrefix?.Split('/').Any(s => s is "." or "..") == true) errors.Add("PathPrefix must not contain '.' or '..' segments");
        foreach (var host in (PublicHost is null ? [] : new[] { PublicHost }).Concat(AllowedHosts))
            if (!IsHostAndPort(host)) errors.Add($"'{host}' is not a host[:port] (PublicHost, AllowedHosts)");
        if (MaxRequestBodyBytes is < 0) errors.Add("MaxRequestBodyBytes must not be negative");
        if (MaxResponseBodyBytes is < 0) errors.Add("MaxResponseBodyBytes must not be negative");
        if (ReplayBufferBytes is < 0 or > 16 * 1024 * 1024) errors.Add("ReplayBufferBytes must be between 0 and 16 MiB");
        if (DestinationCooldown < TimeSpan.Zero) errors.Add("DestinationCooldown must not be negative");
        if (ResponseIdleTimeout is { } idle && (idle <= TimeSpan.Zero || idle > TimeSpan.FromDays(1)))
            errors.Add("ResponseIdleTimeout must be more than zero and at most one day (leave it empty for no limit)");
        errors.AddRange(RequestHeaders.Validate("RequestHeaders"));
        errors.AddRange(ResponseHeaders.Validate("ResponseHeaders"));
        errors.AddRange(Auth.Validate());
        errors.AddRange(Resilience.Validate());
        return errors;
    }

    internal IEnumerable<(string Id, Uri Address)> DestinationAddresses() => BaseUrl is not null
        ? [("default", new Uri(BaseUrl))]
        : Destinations.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (d.Key, new Uri(d.Value.Address!)));

    static bool IsHostAndPort(string value) =>
        value.Length > 0 && !value.Any(c => c <= ' ' || c >= 127 || c is '/' or '\\' or '?' or '#' or '@' or ',')
        && Uri.TryCreate("http://" + value + "/", UriKind.Absolute, out var uri) && uri.Authority.Equals(value, StringComparison.OrdinalIgnoreCase);

    static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo);
}

public sealed class DestinationOptions
{
    public string? Address { get; set; }
}

/// <summary>Headers set (added or replaced) and removed on the way through.</summary>
public sealed class HeaderRuleOptions
{
    public Dictionary<string, string> Set { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> Remove { get; set; } = [];

    internal IEnumerable<string> Validate(string section)
    {
        foreach (var name in Set.Keys.Concat(Remove))
            if (string.IsNullOrWhiteSpace(name) || name.Any(c => c <= ' ' || c >= 127 || c == ':'))
                yield return $"{section}: '{name}' is not a valid header name";
        foreach (var (name, value) in Set)
            if (value.Any(c => c is '\r' or '\n' or '\0'))
                yield return $"{section}:Set:{name} must not contain line breaks";
    }
}
