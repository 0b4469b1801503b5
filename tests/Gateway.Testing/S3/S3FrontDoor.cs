using System.Security.Cryptography;
using Gateway.S3Api.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Testing.S3;

/// <summary>
/// A gateway with the S3 front door on its own loopback listener over one store, with access keys: a full one, one
/// that may only read one bucket (for the default-deny tests), and two more full ones of other callers (the compatibility
/// suite's "alt" and "tenant" users). Keys are random per server.
/// </summary>
public sealed class S3FrontDoor : IAsyncDisposable
{
    public const string StoreName = "s3t";
    public const string ReadOnlyBucket = "s3t-readable";

    private S3FrontDoor(GatewayServer server, Uri endpoint, string accessKeyId, string secret, string readerKeyId, string readerSecret,
        IReadOnlyDictionary<string, (string KeyId, string Secret)> others)
    {
        Others = others;
        Server = server;
        Endpoint = endpoint;
        AccessKeyId = accessKeyId;
        Secret = secret;
        ReaderKeyId = readerKeyId;
        ReaderSecret = readerSecret;
    }

    public GatewayServer Server { get; }
    /// <summary>The front door's own listener, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public Uri Endpoint { get; }
    public string EndpointText => Endpoint.ToString().TrimEnd('/');
    public string AccessKeyId { get; }
    public string Secret { get; }
    public string ReaderKeyId { get; }
    public string ReaderSecret { get; }
    /// <summary>Full access keys of the callers "s3-alt" and "s3-tenant", by caller name.</summary>
    public IReadOnlyDictionary<string, (string KeyId, string Secret)> Others { get; }
    public const string Region = "us-east-1";
    /// <summary>Virtual-host base domain; tests resolve {bucket}.s3.test to loopback themselves (curl --resolve).</summary>
    public const string BaseDomain = "s3.test";

    public static async Task<S3FrontDoor> StartAsync(IReadOnlyDictionary<string, string?> storeSettings, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var id = "AKGW" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        var readerId = "AKRD" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var readerSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:S3:Enabled"] = "true",
            ["Gateway:S3:Port"] = "0",
            ["Gateway:S3:PathBase"] = "/s3",
            ["Gateway:S3:Store"] = StoreName,
            ["Gateway:S3:Region"] = Region,
            ["Gateway:S3:BaseDomain"] = BaseDomain,
            [$"Gateway:S3:AccessKeys:{id}:Secret"] = secret,
            [$"Gateway:S3:AccessKeys:{id}:Caller"] = "s3-tester",
            [$"Gateway:S3:AccessKeys:{id}:Scopes:0"] = "admin",
            [$"Gateway:S3:AccessKeys:{readerId}:Secret"] = readerSecret,
            [$"Gateway:S3:AccessKeys:{readerId}:Caller"] = "s3-reader",
            [$"Gateway:S3:AccessKeys:{readerId}:Scopes:0"] = $"read:stores/{StoreName}/buckets/{ReadOnlyBucket}/**",
        };
        var others = new Dictionary<string, (string KeyId, string Secret)>();
        foreach (var caller in new[] { "s3-alt", "s3-tenant" })
        {
            var otherId = "AKOT" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
            var otherSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
            others[caller] = (otherId, otherSecret);
            settings[$"Gateway:S3:AccessKeys:{otherId}:Secret"] = otherSecret;
            settings[$"Gateway:S3:AccessKeys:{otherId}:Caller"] = caller;
            settings[$"Gateway:S3:AccessKeys:{otherId}:Scopes:0"] = "admin";
        }
        foreach (var (k, v) in storeSettings) settings[$"Gateway:Stores:{StoreName}:{k}"] = v;
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        var server = await GatewayServer.StartAsync(settings);
        var endpoint = server.Services.GetRequiredService<S3Listener>().Address
            ?? throw new InvalidOperationException("The S3 front door did not start its listener.");
        return new S3FrontDoor(server, endpoint, id, secret, readerId, readerSecret, others);
    }

    public static string NewBucketName() => "s3t-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
