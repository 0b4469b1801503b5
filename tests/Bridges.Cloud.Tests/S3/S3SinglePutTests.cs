using Xunit;
using Gateway.Bridges.S3;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.Cloud.Tests.S3;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCounting
{
    /// <summary>Tests that count the process's allocations run alone.</summary>
    public const string Name = "allocation counting";
}

/// <summary>
/// Issue 16 item 2: a body of declared length above one part and up to MultipartThresholdBytes streams as one
/// PutObject, with PlainPayloads against s3rver and with the default aws-chunked signing against the gateway's own S3
/// front door (which checks every signature); above the cutoff it still goes up as multipart.
/// </summary>
[Collection(AllocationCounting.Name)]
public sealed class S3SinglePutTests : IAsyncLifetime
{
    const int Mib = 1024 * 1024;
    static readonly string DoorRoot = Directory.CreateTempSubdirectory("gateway-s3-single-put-").FullName;
    static readonly Lazy<Task<Gateway.Testing.S3.S3FrontDoor>> Door = new(() => Gateway.Testing.S3.S3FrontDoor.StartAsync(new Dictionary<string, string?>
    {
        ["Kind"] = "local",
        ["Root"] = DoorRoot,
    }));

    readonly string _bucket = "single-put-" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("s3", CloudBackends.S3Endpoint);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    static S3StoreOptions S3rver()
    {
        var options = new S3StoreOptions
        {
            ServiceUrl = CloudBackends.S3Endpoint,
            ForcePathStyle = true,
            AccessKeyId = CloudBackends.S3AccessKey,
            SecretAccessKey = CloudBackends.S3SecretKey,
            PlainPayloads = true,
        };
        return options;
    }

    static async Task<S3StoreOptions> FrontDoorAsync()
    {
        var door = await Door.Value;
        return new S3StoreOptions { ServiceUrl = door.EndpointText, ForcePathStyle = true, AccessKeyId = door.AccessKeyId, SecretAccessKey = door.Secret };
    }

    async Task<S3ObjectStore> StoreAsync(S3StoreOptions options)
    {
        var store = new S3ObjectStore("single-put-test", options, ResiliencePipeline.Empty);
        await store.CreateBucketAsync(_bucket, CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task A_body_above_the_old_threshold_goes_up_as_one_put_with_plain_payloads()
    {
        using var store = await StoreAsync(S3rver());
        var body = SinglePut.Body(40 * Mib);
        var put = await store.PutObjectAsync(_bucket, "big.bin", new ForwardOnly(body), new PutObjectOptions { ContentLength = body.Length, ContentMd5 = SinglePut.Md5(body) }, CancellationToken.None);

        Assert.DoesNotContain("-", put.ETag); // a multipart upload's ETag ends in -<parts>
        Assert.Equal(SinglePut.Md5(body), put.ContentMd5);
        var stored = await SinglePut.ReadAsync(store, _bucket, "big.bin");
        Assert.Equal(body.Length, stored.Length); // not an aws-chunked body stored as is
        Assert.Equal(SinglePut.Md5(body), SinglePut.Md5(stored));
    }

    [Fact]
    public async Task A_body_above_one_part_goes_up_as_one_put_with_aws_chunked_signing()
    {
        using var store = await StoreAsync(await FrontDoorAsync());
        var body = SinglePut.Body(24 * Mib);
        var put = await store.PutObjectAsync(_bucket, "big.bin", new ForwardOnly(body), new PutObjectOptions { ContentLength = body.Length }, CancellationToken.None);

        Assert.DoesNotContain("-", put.ETag);
        Assert.Equal(SinglePut.Md5(body), put.ContentMd5);
        Assert.Equal(SinglePut.Md5(body), SinglePut.Md5(await SinglePut.ReadAsync(store, _bucket, "big.bin")));
    }

    [Fact]
    public async Task A_bad_content_md5_on_a_single_put_stores_nothing()
    {
        using var store = await StoreAsync(S3rver());
        await SinglePut.BadDigestStoresNothingAsync(store, _bucket, 40 * Mib);
    }

    [Fact]
    public async Task A_body_above_the_cutoff_still_goes_up_as_multipart()
    {
        // The front door's store reports a multipart object's ETag as S3 does (s3rver gives a plain MD5).
        var options = await FrontDoorAsync();
        options.MultipartThresholdBytes = 16 * Mib;
        using var store = await StoreAsync(options);
        var body = SinglePut.Body(20 * Mib);
        var put = await store.PutObjectAsync(_bucket, "parts.bin", new ForwardOnly(body), new PutObjectOptions { ContentLength = body.Length }, CancellationToken.None);

        Assert.Contains("-", put.ETag);
        Assert.Equal(SinglePut.Md5(body), SinglePut.Md5(await SinglePut.ReadAsync(store, _bucket, "parts.bin")));
        // S3 keeps no MD5 of a multipart object, so none is computed unless the caller states one to check.
        Assert.Null(put.ContentMd5);
        var stated = await store.PutObjectAsync(_bucket, "stated.bin", new ForwardOnly(body),
            new PutObjectOptions { ContentLength = body.Length, ContentMd5 = SinglePut.Md5(body) }, CancellationToken.None);
        Assert.Equal(SinglePut.Md5(body), stated.ContentMd5);
        await SinglePut.BadDigestStoresNothingAsync(store, _bucket, 20 * Mib);
        var asked = await store.PutObjectAsync(_bucket, "asked.bin", new ForwardOnly(body),
            new PutObjectOptions { ContentLength = body.Length, ReportMd5 = true }, CancellationToken.None);
        Assert.Equal(SinglePut.Md5(body), asked.ContentMd5);
    }

    [Fact]
    public async Task A_front_door_put_that_the_s3_store_sends_as_multipart_answers_the_body_s_md5_as_its_etag()
    {
        // S3 clients compare a PutObject's ETag with the MD5 they computed (AWS SDK for Java 1.x, s3cmd).
        var s3 = S3rver();
        await using var door = await Gateway.Testing.S3.S3FrontDoor.StartAsync(new Dictionary<string, string?>
        {
            ["Kind"] = "s3",
            ["ServiceUrl"] = s3.ServiceUrl,
            ["ForcePathStyle"] = "true",
            ["AccessKeyId"] = s3.AccessKeyId,
            ["SecretAccessKey"] = s3.SecretAccessKey,
            ["PlainPayloads"] = "true",
            ["MultipartThresholdBytes"] = (16 * Mib).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(door.AccessKeyId, door.Secret),
            new Amazon.S3.AmazonS3Config { ServiceURL = door.EndpointText, ForcePathStyle = true, AuthenticationRegion = Gateway.Testing.S3.S3FrontDoor.Region });
        await client.PutBucketAsync(_bucket);
        var body = SinglePut.Body(20 * Mib);

        var put = await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = _bucket, Key = "parts.bin", InputStream = new MemoryStream(body) });

        Assert.Equal($"\"{Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(body))}\"", put.ETag);
    }

    [Fact]
    public async Task A_single_put_does_not_hold_the_body_in_memory()
    {
        using var store = await StoreAsync(S3rver());
        var head = await SinglePut.PutAllocatingLessThanAsync(store, _bucket, warm: 9 * Mib, size: 160L * Mib, limit: 32L * Mib);
        Assert.DoesNotContain("-", head.ETag);
    }
}
