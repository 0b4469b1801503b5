using Gateway.Bridges.AzureBlob;
using Gateway.Contracts.ObjectStorage;
using Polly;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.AzureBlob;

/// <summary>
/// A store configured by connection string (AccountName and AccountKey inside it) addresses a key ending in '/' as that
/// key: "dir/" and "dir" are two objects. Before, the SDK's client dropped the trailing '/' (the %2F form needed a
/// credential the bridge took only from AccountName/AccountKey settings), so a PUT of "x/" replaced "x" and "x/" was never
/// listed. The same with a SAS connection string (SharedAccessSignature inside it). And a key with a backslash, which Azure
/// reads as '/', is refused rather than written over (or read from) the slash key.
/// </summary>
public sealed class AzureConnectionStringKeyTests : IAsyncLifetime
{
    readonly string _bucket = "conn-string-" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("azurite", CloudBackends.AzuriteEndpoint + "?comp=list");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        var service = AzureBlobObjectStore.CreateClient(new AzureBlobStoreOptions { ConnectionString = ConnectionString() });
        await service.GetBlobContainerClient(_bucket).DeleteIfExistsAsync();
    }

    static string ConnectionString() =>
        $"DefaultEndpointsProtocol=http;AccountName={CloudBackends.AzuriteAccount};" +
        $"AccountKey={CloudBackends.AzuriteKey};BlobEndpoint={CloudBackends.AzuriteEndpoint};";

    static Task PutAsync(IObjectStore store, string bucket, string key, byte[] body) =>
        store.PutObjectAsync(bucket, key, new MemoryStream(body), new PutObjectOptions { ContentLength = body.Length }, CancellationToken.None);

    [Fact]
    public async Task A_key_ending_in_a_slash_is_its_own_object_with_a_connection_string()
    {
        var store = new AzureBlobObjectStore("conn-string-test", new AzureBlobStoreOptions { ConnectionString = ConnectionString() }, ResiliencePipeline.Empty);
        await store.CreateBucketAsync(_bucket, CancellationToken.None);
        await PutAsync(store, _bucket, "x", "file"u8.ToArray());
        await PutAsync(store, _bucket, "x/", "marker"u8.ToArray());
        await PutAsync(store, _bucket, "dir/", "folder"u8.ToArray());

        Assert.Equal("file"u8.ToArray(), await SinglePut.ReadAsync(store, _bucket, "x"));
        Assert.Equal("marker"u8.ToArray(), await SinglePut.ReadAsync(store, _bucket, "x/"));
        var listing = await store.ListObjectsAsync(_bucket, new ListObjectsRequest(), CancellationToken.None);
        Assert.Equal(["dir/", "x", "x/"], listing.Objects.Select(o => o.Key).Order(StringComparer.Ordinal));
        await store.DeleteObjectAsync(_bucket, "x/", new ObjectConditions(), CancellationToken.None);
        Assert.Equal("file"u8.ToArray(), await SinglePut.ReadAsync(store, _bucket, "x"));
    }

    [Fact]
    public async Task A_key_ending_in_a_slash_is_its_own_object_with_a_sas_connection_string()
    {
        var keyed = new AzureBlobObjectStore("conn-string-test", new AzureBlobStoreOptions { ConnectionString = ConnectionString() }, ResiliencePipeline.Empty);
        await keyed.CreateBucketAsync(_bucket, CancellationToken.None);
        await PutAsync(keyed, _bucket, "x", "file"u8.ToArray());
        var sas = AzureBlobObjectStore.CreateClient(new AzureBlobStoreOptions { ConnectionString = ConnectionString() })
            .GenerateAccountSasUri(Azure.Storage.Sas.AccountSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1), Azure.Storage.Sas.AccountSasResourceTypes.All).Query.TrimStart('?');
        var store = new AzureBlobObjectStore("conn-string-test", new AzureBlobStoreOptions
        {
            ConnectionString = $"BlobEndpoint={CloudBackends.AzuriteEndpoint};SharedAccessSignature={sas}",
        }, ResiliencePipeline.Empty);

        await PutAsync(store, _bucket, "x/", "marker"u8.ToArray());
        Assert.Equal("file"u8.ToArray(), await SinglePut.ReadAsync(store, _bucket, "x"));
        Assert.Equal("marker"u8.ToArray(), await SinglePut.ReadAsync(store, _bucket, "x/"));
        var listing = await store.ListObjectsAsync(_bucket, new ListObjectsRequest(), CancellationToken.None);
        Assert.Equal(["x", "x/"], listing.Objects.Select(o => o.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_key_ending_in_a_slash_is_its_own_object_with_the_development_storage_shorthand()
    {
        // UseDevelopmentStorage=true means the emulator at its fixed address: the backend must be the one there.
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1", CloudBackends.AzuriteEndpoint.TrimEnd('/'));
        var store = new AzureBlobObjectStore("conn-string-test", new AzureBlobStoreOptions { ConnectionString = "UseDevelopmentStorage=true" }, ResiliencePipeline.Empty);
        await store.CreateBucketAsync(_bucket, CancellationToken.None);
        await PutAsync(store, _bucket, "x", "file"u8.ToArray());
        await PutAsync(store, _bucket, "x/", "marker"u8.ToArray());

        Assert.Equal("file"u8.ToArray(), await SinglePut.ReadAsync(store, _bucket, "x"));
        Assert.Equal("marker"u8.ToArray(), await SinglePut.ReadAsync(store, _bucket, "x/"));
        var listing = await store.ListObjectsAsync(_bucket, new ListObjectsRequest(), CancellationToken.None);
        Assert.Equal(["x", "x/"], listing.Objects.Select(o => o.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_key_with_a_backslash_is_refused_and_the_slash_key_is_left_alone()
    {
        var store = new AzureBlobObjectStore("conn-string-test", new AzureBlobStoreOptions { ConnectionString = ConnectionString() }, ResiliencePipeline.Empty);
        await store.CreateBucketAsync(_bucket, CancellationToken.None);
        await PutAsync(store, _bucket, "a/b", "slash"u8.ToArray());

        // Azure reads a\b as a/b: written, it would replace that object; read, it would answer it.
        var put = await Assert.ThrowsAsync<Gateway.Contracts.Errors.GatewayException>(() => PutAsync(store, _bucket, "a\\b", "backslash"u8.ToArray()));
        Assert.Equal(Gateway.Contracts.Errors.ErrorCode.BadRequest, put.Code);
        var get = await Assert.ThrowsAsync<Gateway.Contracts.Errors.GatewayException>(() => SinglePut.ReadAsync(store, _bucket, "a\\b"));
        Assert.Equal(Gateway.Contracts.Errors.ErrorCode.BadRequest, get.Code);
        Assert.Equal("slash"u8.ToArray(), await SinglePut.ReadAsync(store, _bucket, "a/b"));
        var listing = await store.ListObjectsAsync(_bucket, new ListObjectsRequest(), CancellationToken.None);
        Assert.Equal(["a/b"], listing.Objects.Select(o => o.Key));
    }
}
