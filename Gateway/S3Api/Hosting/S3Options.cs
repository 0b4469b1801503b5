namespace Gateway.S3Api.Hosting;

/// <summary>Settings of section <c>Gateway:S3</c>, the S3-compatible front door. See docs/s3.md.</summary>
public sealed class S3Options
{
    public const string Section = "Gateway:S3";

    /// <summary>Off by default: the front door is served only when enabled.</summary>
    public bool Enabled { get; set; }

    /// <summary>Own listener's port (default 5081); 0 asks the OS for a free port; -1 serves no own listener.</summary>
    public int Port { get; set; } = 5081;

    /// <summary>Address the own listener binds (default loopback).</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Also (or only, with Port -1) serve the front door on the gateway's main listener under this path, e.g. <c>/s3</c>.</summary>
    public string? PathBase { get; set; }

    /// <summary>
    /// The one store behind this front door: S3 buckets are that store's buckets. When empty, bucket names are
    /// <c>store--bucket</c> and every configured store is reachable.
    /// </summary>
    public string? Store { get; set; }

    /// <summary>Virtual-host addressing: requests for <c>{bucket}.{BaseDomain}</c> name the bucket in the host.</summary>
    public string? BaseDomain { get; set; }

    /// <summary>The region clients must sign for (and GetBucketLocation answers).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Largest clock difference accepted for a signed request, in minutes (S3 allows 15).</summary>
    public int ClockSkewMinutes { get; set; } = 15;

    /// <summary>
    /// Also accept AWS Signature Version 2 (Authorization: AWS id:signature, and AWSAccessKeyId/Expires/Signature
    /// presigned URLs), as old clients and browser form uploads sign. On by default: legacy clients are this gateway's users.
    /// </summary>
    public bool SignatureV2 { get; set; } = true;

    /// <summary>Largest aws-chunked chunk buffered while its signature is checked.</summary>
    public int MaxChunkBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Stores, by name, that the operator attests encrypt every object at rest (say, a local store on an encrypted volume), so
    /// that <c>x-amz-server-side-encryption: AES256</c> is taken for them; azure-blob, gcs and s3 stores always count.
    /// </summary>
    public List<string> EncryptedAtRestStores { get; set; } = [];

    /// <summary>Access keys by access key id.</summary>
    public Dictionary<string, S3AccessKeyOptions> AccessKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Optional JSON file holding more access keys (a secrets file), shaped like <c>AccessKeys</c>.</summary>
    public string? AccessKeysFile { get; set; }
}

public sealed class S3AccessKeyOptions
{
    /// <summary>The secret access key. SigV4 is an HMAC, so the gateway needs the secret itself (see docs/s3.md).</summary>
    public string? Secret { get; set; }

    /// <summary>
    /// The gateway caller this key acts as (audit and security events name it). When it names a configured API key,
    /// that key's scopes, expiry and revocation apply; otherwise <see cref="Scopes"/> must be given.
    /// </summary>
    public string? Caller { get; set; }

    /// <summary>Policy names or inline grants, as for API keys.</summary>
    public List<string> Scopes { get; set; } = [];

    public DateTimeOffset? ExpiresAt { get; set; }
    public bool Revoked { get; set; }
}
