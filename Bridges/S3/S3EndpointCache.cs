using System.Collections.Concurrent;
using Amazon.Runtime.Endpoints;

namespace Gateway.Bridges.S3;

/// <summary>
/// The SDK's S3 endpoint rules, run once per distinct set of the parameters they read instead of once per request.
/// </summary>
/// <remarks>
/// AWSSDK.S3 resolves every request's endpoint by running its generated rule set (one method of 28 KB of IL). Once
/// called 30 times the runtime recompiles that method, twice (instrumented, then optimised), and each compilation
/// takes about 30 MB of native memory for a moment: the 10-13 MB step seen at the end of the first multipart upload
/// of a fresh gateway, which stays resident (docs/performance.md, session 13). Resolution is a function of its
/// parameters alone, so a cached endpoint is the answer the rules would give. <c>Key</c>, <c>Prefix</c> and
/// <c>CopySource</c> are left out of the cache key: the rules of the referenced SDK never read them (a test checks
/// this against the SDK's IL), so every request on one bucket shares an entry and the rules stay cold.
/// </remarks>
sealed class S3EndpointCache(IEndpointProvider rules) : IEndpointProvider
{
    /// <summary>Every parameter the rules read; a test checks that it matches the SDK's S3EndpointParameters.</summary>
    internal static readonly string[] KeyParameters =
    [
        "Bucket", "Region", "UseFIPS", "UseDualStack", "Endpoint", "ForcePathStyle", "Accelerate", "UseGlobalEndpoint",
        "UseObjectLambdaEndpoint", "DisableAccessPoints", "DisableMultiRegionAccessPoints", "UseArnRegion",
        "UseS3ExpressControlEndpoint", "DisableS3ExpressSessionAuth",
    ];

    /// <summary>The parameters the SDK sets that the rules do not read (per-object values).</summary>
    internal static readonly string[] IgnoredParameters = ["Key", "Prefix", "CopySource"];

    // A handful of entries per bucket (object, bucket-level and copy requests differ in their flags); the bound only
    // keeps a gateway that touches very many buckets from growing without limit.
    const int MaxEntries = 1024;

    readonly ConcurrentDictionary<CacheKey, Endpoint> _resolved = new();
    long _misses;

    /// <summary>How many times the rules themselves ran.</summary>
    internal long RuleRuns => Interlocked.Read(ref _misses);

    public Endpoint ResolveEndpoint(EndpointParameters parameters)
    {
        var key = new CacheKey(Array.ConvertAll(KeyParameters, name => parameters[name]));
        if (!_resolved.TryGetValue(key, out var endpoint))
        {
            Interlocked.Increment(ref _misses);
            endpoint = rules.ResolveEndpoint(parameters); // a rule's error (a bad bucket name) is thrown, not cached
            if (_resolved.Count >= MaxEntries) _resolved.Clear();
            _resolved.TryAdd(key, endpoint);
        }
        // A copy each time: the SDK's resolver appends "/" to the URL it is given for some requests.
        return new Endpoint(endpoint.URL) { Attributes = endpoint.Attributes, Headers = endpoint.Headers };
    }

    readonly struct CacheKey(object?[] values) : IEquatable<CacheKey>
    {
        readonly object?[] _values = values;

        public bool Equals(CacheKey other) => _values.AsSpan().SequenceEqual(other._values);
        public override bool Equals(object? obj) => obj is CacheKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var value in _values) hash.Add(value);
            return hash.ToHashCode();
        }
    }
}
