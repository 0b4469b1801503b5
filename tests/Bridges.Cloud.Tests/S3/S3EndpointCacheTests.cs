using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Amazon.S3.Endpoints;
using Amazon.S3.Internal;
using Gateway.Bridges.S3;
using Gateway.Contracts.ObjectStorage;
using Polly;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.S3;

/// <summary>
/// Issue 16 (peak RSS): the SDK's endpoint rules run once per bucket, not once per request, so a multipart upload
/// does not make the runtime recompile them (about 30 MB of native memory each time; docs/performance.md, session 13).
/// </summary>
public sealed class S3EndpointCacheTests : IAsyncLifetime
{
    const int Mib = 1024 * 1024;
    readonly string _bucket = "endpoint-cache-" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("s3", CloudBackends.S3Endpoint);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Multipart_uploads_of_several_keys_run_the_endpoint_rules_once_per_bucket_and_request_kind()
    {
        using var store = new S3ObjectStore("endpoint-cache-test", new S3StoreOptions
        {
            ServiceUrl = CloudBackends.S3Endpoint,
            ForcePathStyle = true,
            AccessKeyId = CloudBackends.S3AccessKey,
            SecretAccessKey = CloudBackends.S3SecretKey,
            PlainPayloads = true,
            MultipartThresholdBytes = 16 * Mib,
        }, ResiliencePipeline.Empty);
        await store.CreateBucketAsync(_bucket, CancellationToken.None);
        var bucketRuns = store.Endpoints.RuleRuns;

        var bodies = new Dictionary<string, byte[]> { ["a/first.bin"] = SinglePut.Body(20 * Mib), ["b/second.bin"] = SinglePut.Body(20 * Mib) };
        foreach (var (key, body) in bodies)
        {
            var put = await store.PutObjectAsync(_bucket, key, new ForwardOnly(body), new PutObjectOptions { ContentLength = body.Length, ContentMd5 = SinglePut.Md5(body) },
                CancellationToken.None);
            Assert.Equal(SinglePut.Md5(body), put.ContentMd5);
        }
        // A listing's request path is the bucket alone, for which the SDK appends "/" to the endpoint it is given:
        // the cached endpoint must not carry that into the object requests after it.
        var listing = await store.ListObjectsAsync(_bucket, new ListObjectsRequest { PageSize = 10 }, CancellationToken.None);
        Assert.Equal(bodies.Keys.Order(StringComparer.Ordinal), listing.Objects.Select(o => o.Key));
        foreach (var (key, body) in bodies)
            Assert.Equal(SinglePut.Md5(body), SinglePut.Md5(await SinglePut.ReadAsync(store, _bucket, key)));

        // The creation lists the bucket first (S3 in us-east-1 answers a re-creation 200), then creates it: the two
        // request kinds each run the rules once. Two uploads of three parts each (start, parts, completion), a listing
        // and two reads after them: 11 requests, no further rule run.
        Assert.Equal(2, bucketRuns);
        Assert.Equal(2, store.Endpoints.RuleRuns);
    }

    [Fact]
    public void The_cache_key_holds_every_endpoint_parameter_the_rules_read()
    {
        var parameters = typeof(S3EndpointParameters).GetProperties().Where(p => p.DeclaringType == typeof(S3EndpointParameters)).Select(p => p.Name);
        Assert.Equal(parameters.Order(), S3EndpointCache.KeyParameters.Concat(S3EndpointCache.IgnoredParameters).Order());

        // The parameters left out of the key are read once into the rules' table and never looked up again: each
        // name is loaded exactly twice by the rules method (table key and parameter lookup) and in no URL template.
        var literals = StringLiterals(typeof(AmazonS3EndpointProvider), nameof(AmazonS3EndpointProvider.ResolveEndpoint));
        foreach (var ignored in S3EndpointCache.IgnoredParameters)
        {
            Assert.Equal(2, literals.Count(l => l == ignored));
            Assert.DoesNotContain(literals, l => l.Contains('{' + ignored + '}', StringComparison.Ordinal) || l.Contains('{' + ignored + '#', StringComparison.Ordinal));
        }
        Assert.True(literals.Count(l => l == "Bucket") > 2, "the scan finds the rules' uses of a parameter they do read");
    }

    static List<string> StringLiterals(Type type, string method)
    {
        using var pe = new PEReader(File.OpenRead(type.Assembly.Location));
        var metadata = pe.GetMetadataReader();
        var definition = metadata.GetMethodDefinition((MethodDefinitionHandle)MetadataTokens.EntityHandle(type.GetMethod(method)!.MetadataToken));
        var il = pe.GetMethodBody(definition.RelativeVirtualAddress).GetILReader();
        var literals = new List<string>();
        while (il.RemainingBytes > 0)
        {
            var opcode = il.ReadByte();
            if (opcode != 0x72 || il.RemainingBytes < 4) continue; // ldstr
            var token = il.ReadInt32();
            if (token >> 24 == 0x70) literals.Add(metadata.GetUserString(MetadataTokens.UserStringHandle(token & 0xFFFFFF)));
            else il.Offset -= 4; // not an ldstr after all: a byte inside another instruction's operand
        }
        return literals;
    }
}
