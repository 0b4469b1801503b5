using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// The S3 front door driven by real clients (AWS CLI, boto3, rclone, s3cmd, the AWS SDK for .NET) over one store
/// kind. A store kind runs it by subclassing, as with the object-store conformance suite.
/// </summary>
public abstract partial class S3ClientSuite : IAsyncLifetime
{
    private static readonly ConcurrentDictionary<Type, Lazy<Task<S3FrontDoor>>> Doors = new();

    /// <summary>Settings of the store behind the front door, without the "Gateway:Stores:s3t:" prefix.</summary>
    protected abstract IReadOnlyDictionary<string, string?> StoreSettings { get; }

    /// <summary>Throws, naming the backend, when the store's server is not running.</summary>
    protected abstract void EnsureBackendAvailable();

    /// <summary>False when the backend lists objects of any bucket name (the GCS emulator), so a missing bucket looks empty.</summary>
    protected virtual bool MissingBucketsVisible => true;

    /// <summary>
    /// True when the store pages keys in UTF-16 code-unit order (Azure, the GCS emulator), which its capabilities then say
    /// (<c>Utf16ListingOrder</c>); false for S3's UTF-8 byte order. Stated here, not read from the gateway, so a store
    /// that claims the wrong order fails the resumed-listing test.
    /// </summary>
    protected virtual bool StoreListsInUtf16Order => false;

    protected S3FrontDoor Door { get; private set; } = null!;
    protected S3Clients Clients { get; private set; } = null!;
    /// <summary>A fresh bucket for this test, made through the REST facade.</summary>
    protected string Bucket { get; private set; } = null!;
    private string _work = null!;

    public async Task InitializeAsync()
    {
        EnsureBackendAvailable();
        Door = await Doors.GetOrAdd(GetType(), _ => new Lazy<Task<S3FrontDoor>>(() => S3FrontDoor.StartAsync(StoreSettings))).Value;
        _work = Directory.CreateTempSubdirectory("s3-clients-").FullName;
        Clients = new S3Clients(Door, _work);
        Bucket = await CreateBucketAsync(S3FrontDoor.NewBucketName());
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    protected async Task<string> CreateBucketAsync(string name)
    {
        using var response = await Door.Server.Client.PutAsync($"v1/stores/{S3FrontDoor.StoreName}/buckets/{name}", null);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"create bucket {name}: {(int)response.StatusCode}");
        return name;
    }

    /// <summary>Reads an object through the REST facade (not the front door): what the store really holds.</summary>
    protected async Task<(HttpStatusCode Status, byte[] Body)> FacadeGetAsync(string bucket, string key)
    {
        var url = $"v1/stores/{S3FrontDoor.StoreName}/buckets/{bucket}/objects/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";
        using var response = await Door.Server.Client.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    protected static void AssertOk(ClientRun run, string what) => Assert.True(run.ExitCode == 0, $"{what} failed: {run}");

    protected static string Sha256Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
