using Gateway.Bridges.AzureBlob;
using Gateway.Bridges.Gcs;
using Gateway.Bridges.S3;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Faults;

/// <summary>
/// Platform failures served by WireMock.Net in each platform's real error shapes: they must map to the gateway's
/// error codes, and transient ones must be retried for idempotent calls only.
/// </summary>
public sealed class PlatformFaultTests : IDisposable
{
    const int Retries = 2;
    readonly WireMockServer _server = WireMockServer.Start();

    static IObjectStore Create(IObjectStoreFactory factory, Dictionary<string, string?> settings)
    {
        settings["Resilience:MaxRetryAttempts"] = Retries.ToString();
        settings["Resilience:BaseDelay"] = "00:00:00.010";
        settings["Resilience:MaxDelay"] = "00:00:00.050";
        settings["Resilience:CircuitBreakerEnabled"] = "false";
        var section = new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(kv => "store:" + kv.Key, kv => kv.Value)).Build().GetSection("store");
        Assert.Empty(factory.Validate("faulty", section));
        return factory.Create("faulty", section, new ServiceCollection().BuildServiceProvider());
    }

    IObjectStore Gcs() => Create(new GcsStoreFactory(), new() { ["Endpoint"] = _server.Url, ["Anonymous"] = "true", ["ProjectId"] = "p" });

    IObjectStore S3() => Create(new S3StoreFactory(), new()
    {
        ["ServiceUrl"] = _server.Url, ["ForcePathStyle"] = "true", ["AccessKeyId"] = "test", ["SecretAccessKey"] = "test", ["PlainPayloads"] = "true",
    });

    IObjectStore Azure() => Create(new AzureBlobStoreFactory(), new()
    {
        ["ServiceUri"] = _server.Url + "/acct", ["AccountName"] = "acct", ["AccountKey"] = Convert.ToBase64String(new byte[64]),
    });

    /// <summary>Calls that reached a stub (an unmatched call would get WireMock's own 404 and prove nothing).</summary>
    int Calls(string method) => _server.LogEntries.Count(e => e.RequestMessage?.Method == method && e.MappingGuid is { } g && g != Guid.Empty);

    static string GcsObject(string name) =>
        $$"""{"kind":"storage#object","name":"{{name}}","bucket":"bkt","generation":"7","metageneration":"1","size":"3","md5Hash":"rL0Y20zC+Fzt72VPzMSk2A==","crc32c":"AAAAAA==","etag":"CAc=","updated":"2026-01-01T00:00:00.000Z","contentType":"text/plain"}""";

    [Fact]
    public async Task Gcs_transient_failures_of_a_read_are_retried_until_it_succeeds()
    {
        var path = Request.Create().WithPath("/storage/v1/b/bkt/o/key").UsingGet();
        _server.Given(path).InScenario("flaky").WillSetStateTo("one").RespondWith(Response.Create().WithStatusCode(503));
        _server.Given(path).InScenario("flaky").WhenStateIs("one").WillSetStateTo("two").RespondWith(Response.Create().WithStatusCode(500));
        _server.Given(path).InScenario("flaky").WhenStateIs("two").RespondWith(Response.Create().WithStatusCode(200).WithBody(GcsObject("key")));

        var info = await Gcs().HeadObjectAsync("bkt", "key", ObjectConditions.None, CancellationToken.None);

        Assert.Equal("\"CAcQAQ==\"", info.ETag);
        Assert.Equal("AAAAAA==", info.Crc32c);
        Assert.Equal(3, Calls("GET"));
    }

    [Fact]
    public async Task Gcs_throttling_that_persists_becomes_throttled_after_the_retries()
    {
        _server.Given(Request.Create().WithPath("/storage/v1/b/bkt/o/key").UsingGet()).RespondWith(Response.Create().WithStatusCode(429)
            .WithHeader("Content-Type", "application/json")
            .WithBody("""{"error":{"code":429,"message":"The rate of change requests to the object is too high.","errors":[{"reason":"rateLimitExceeded"}]}}"""));

        var e = await Assert.ThrowsAsync<GatewayException>(() => Gcs().HeadObjectAsync("bkt", "key", ObjectConditions.None, CancellationToken.None));

        Assert.Equal(ErrorCode.Throttled, e.Code);
        Assert.Equal(1 + Retries, Calls("GET"));
    }

    [Fact]
    public async Task Gcs_a_failed_bucket_creation_is_not_retried()
    {
        _server.Given(Request.Create().WithPath("/storage/v1/b").UsingPost()).RespondWith(Response.Create().WithStatusCode(503));

        var e = await Assert.ThrowsAsync<GatewayException>(() => Gcs().CreateBucketAsync("bkt", CancellationToken.None));

        Assert.Equal(ErrorCode.Unavailable, e.Code);
        Assert.Equal(1, Calls("POST"));
    }

    [Theory]
    [InlineData(404, "notFound", ErrorCode.NotFound)]
    [InlineData(403, "forbidden", ErrorCode.Forbidden)]
    [InlineData(409, "conflict", ErrorCode.Conflict)]
    public async Task Gcs_errors_map_to_gateway_codes(int status, string reason, ErrorCode expected)
    {
        _server.Given(Request.Create().WithPath("/storage/v1/b").UsingPost()).RespondWith(Response.Create().WithStatusCode(status)
            .WithHeader("Content-Type", "application/json")
            .WithBody($$$"""{"error":{"code":{{{status}}},"message":"m","errors":[{"reason":"{{{reason}}}"}]}}"""));

        var e = await Assert.ThrowsAsync<GatewayException>(() => Gcs().CreateBucketAsync("bkt", CancellationToken.None));

        Assert.Equal(expected, e.Code);
    }

    [Theory]
    [InlineData(503, "SlowDown", ErrorCode.Throttled, 1 + Retries)]
    [InlineData(500, "InternalError", ErrorCode.Unavailable, 1 + Retries)]
    [InlineData(404, "NoSuchBucket", ErrorCode.NotFound, 1)]
    [InlineData(403, "AccessDenied", ErrorCode.Forbidden, 1)]
    public async Task S3_errors_map_to_gateway_codes_and_only_transient_ones_are_retried(int status, string code, ErrorCode expected, int calls)
    {
        _server.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/bkt/?$")).UsingGet()).RespondWith(Response.Create().WithStatusCode(status)
            .WithHeader("Content-Type", "application/xml")
            .WithBody($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>m</Message><RequestId>r</RequestId></Error>"));

        var e = await Assert.ThrowsAsync<GatewayException>(() => S3().ListObjectsAsync("bkt", new ListObjectsRequest(), CancellationToken.None));

        Assert.Equal(expected, e.Code);
        Assert.Equal(calls, Calls("GET"));
    }

    [Theory]
    [InlineData(503, "ServerBusy", ErrorCode.Throttled, 1 + Retries)]
    [InlineData(404, "ContainerNotFound", ErrorCode.NotFound, 1)]
    [InlineData(403, "AuthenticationFailed", ErrorCode.Forbidden, 1)]
    public async Task Azure_errors_map_to_gateway_codes_and_only_transient_ones_are_retried(int status, string code, ErrorCode expected, int calls)
    {
        _server.Given(Request.Create().WithPath("/acct/bkt").UsingGet()).RespondWith(Response.Create().WithStatusCode(status)
            .WithHeader("x-ms-error-code", code).WithHeader("Content-Type", "application/xml")
            .WithBody($"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>m</Message></Error>"));

        var e = await Assert.ThrowsAsync<GatewayException>(() => Azure().ListObjectsAsync("bkt", new ListObjectsRequest(), CancellationToken.None));

        Assert.Equal(expected, e.Code);
        Assert.Equal(calls, Calls("GET"));
    }

    /// <summary>
    /// An error answer with no XML body (Azurite's 500 to a listing by a delimiter above U+FFFF; a proxy's bare 5xx): the
    /// Azure SDK fails building its own exception with an XmlException, which reached the caller as the gateway's 500
    /// (a black-box probe, session 42). It is the platform's failure: 503, retried as one.
    /// </summary>
    [Theory]
    [InlineData("application/xml")]
    [InlineData(null)]
    public async Task An_azure_error_answer_without_a_body_is_unavailable(string? contentType)
    {
        var answer = Response.Create().WithStatusCode(500);
        if (contentType is not null) answer = answer.WithHeader("Content-Type", contentType);
        _server.Given(Request.Create().WithPath("/acct/bkt").UsingGet()).RespondWith(answer);

        var e = await Assert.ThrowsAsync<GatewayException>(() => Azure().ListObjectsAsync("bkt", new ListObjectsRequest { Delimiter = "/" }, CancellationToken.None));

        Assert.Equal(ErrorCode.Unavailable, e.Code);
        Assert.Equal(1 + Retries, Calls("GET"));
    }

    [Fact]
    public void A_backend_that_does_not_answer_fails_naming_it()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var e = Assert.Throws<InvalidOperationException>(() => CloudBackends.EnsureAnswers("azurite", $"http://127.0.0.1:{port}/"));

        Assert.Contains("'azurite'", e.Message);
        Assert.Contains("scripts/backends.sh start azurite", e.Message);
    }

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
    }
}
