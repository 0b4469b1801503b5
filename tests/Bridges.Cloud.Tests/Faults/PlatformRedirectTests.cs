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
/// A cloud endpoint that answers with a redirect to another host (a proxy's login page, an attacker on the path): the
/// bridge must not follow it, or the request, its credentials with it, goes where <c>Location</c> points.
/// </summary>
public sealed class PlatformRedirectTests : IDisposable
{
    readonly WireMockServer _server = WireMockServer.Start();
    readonly WireMockServer _elsewhere = WireMockServer.Start();

    static IObjectStore Create(IObjectStoreFactory factory, Dictionary<string, string?> settings)
    {
        settings["Resilience:MaxRetryAttempts"] = "0";
        settings["Resilience:CircuitBreakerEnabled"] = "false";
        var section = new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(kv => "store:" + kv.Key, kv => kv.Value)).Build().GetSection("store");
        Assert.Empty(factory.Validate("redirected", section));
        return factory.Create("redirected", section, new ServiceCollection().BuildServiceProvider());
    }

    public static TheoryData<string, int> Stores() => new() { { "gcs", 302 }, { "gcs", 307 }, { "s3", 302 }, { "s3", 307 }, { "azure", 302 }, { "azure", 307 } };

    IObjectStore Store(string kind) => kind switch
    {
        "gcs" => Create(new GcsStoreFactory(), new() { ["Endpoint"] = _server.Url, ["Anonymous"] = "true", ["ProjectId"] = "p" }),
        "s3" => Create(new S3StoreFactory(), new()
        {
            ["ServiceUrl"] = _server.Url, ["ForcePathStyle"] = "true", ["AccessKeyId"] = "test", ["SecretAccessKey"] = "test", ["PlainPayloads"] = "true",
        }),
        _ => Create(new AzureBlobStoreFactory(), new()
        {
            ["ServiceUri"] = _server.Url + "/acct", ["AccountName"] = "acct", ["AccountKey"] = Convert.ToBase64String(new byte[64]),
        }),
    };

    /// <summary>A store of <paramref name="kind"/> whose endpoint answers every call with <paramref name="status"/> pointing elsewhere.</summary>
    IObjectStore Redirecting(string kind, int status)
    {
        _server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(status)
            .WithHeader("Location", _elsewhere.Url + "/stolen"));
        _elsewhere.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody(""));
        return Store(kind);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_redirect_is_not_followed(string kind, int status)
    {
        var store = Redirecting(kind, status);

        var e = await Assert.ThrowsAsync<GatewayException>(() => store.HeadObjectAsync("bkt", "key", ObjectConditions.None, CancellationToken.None));

        Assert.Empty(_elsewhere.LogEntries);
        Assert.True(e.Code is ErrorCode.BadGateway, $"{kind} {status}: {e.Code} {e.Message}");
        Assert.Contains($"answered HTTP {status}", e.Message);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_write_answered_with_a_redirect_is_not_sent_again_elsewhere(string kind, int status)
    {
        // Google.Apis re-sent a redirected request, its token added anew and its If-* conditions dropped; AWSSDK.S3
        // re-signed a 307 for the new host, body included.
        var store = Redirecting(kind, status);

        var e = await Assert.ThrowsAsync<GatewayException>(() => store.PutObjectAsync("bkt", "key", new MemoryStream("abc"u8.ToArray()),
            new PutObjectOptions { ContentLength = 3 }, CancellationToken.None));

        Assert.Empty(_elsewhere.LogEntries);
        Assert.True(e.Code is ErrorCode.BadGateway, $"{kind} {status}: {e.Code} {e.Message}");
    }

    public void Dispose()
    {
        _server.Stop();
        _elsewhere.Stop();
    }
}
