using Gateway.Testing;
using Gateway.Testing.OpenApi;
using Xunit;

namespace Gateway.Tests.OpenApi;

/// <summary>The contract the probes use refuses what the committed document does not allow (so a pass means something).</summary>
public sealed class OpenApiContractTests
{
    private const string List = "/v1/stores/{store}/buckets/{bucket}/objects";
    private const string Item = """{"key":"a.txt","size":5,"etag":"\"x\"","lastModified":"2026-01-01T00:00:00Z","contentType":"text/plain","metadata":{}}""";

    private static RawHttp.Response Answer(int status, string contentType, string body) =>
        new(status, contentType, body, $"HTTP/1.1 {status} X\r\nContent-Type: {contentType}");

    private static string? Check(string method, string path, RawHttp.Response answer) => OpenApiContract.Load().Check(method, path, answer);

    [Fact]
    public void A_listing_with_the_documented_shape_passes()
    {
        Assert.Null(Check("GET", List, Answer(200, "application/json; charset=utf-8", $$"""{"objects":[{{Item}}],"commonPrefixes":["d/"],"nextPageToken":null}""")));
    }

    [Theory]
    [InlineData("""{"objects":[],"commonPrefixes":[]}""", "nextPageToken")]
    [InlineData("""{"objects":[{"key":"a.txt"}],"commonPrefixes":[],"nextPageToken":null}""", "/objects/0")]
    [InlineData("""{"objects":[],"commonPrefixes":[7],"nextPageToken":null}""", "/commonPrefixes/0")]
    [InlineData("""{"objects":{},"commonPrefixes":[],"nextPageToken":"t"}""", "/objects")]
    [InlineData("""{"objects":[],"commonPrefixes":[],"nextPageToken":1}""", "/nextPageToken")]
    public void A_listing_that_breaks_the_schema_is_refused_naming_where(string body, string where)
    {
        var mismatch = Check("GET", List, Answer(200, "application/json", body));
        Assert.NotNull(mismatch);
        Assert.Contains(where, mismatch);
    }

    [Fact]
    public void An_undocumented_status_a_wrong_media_type_and_a_body_where_none_is_documented_are_refused()
    {
        Assert.Contains("status not documented", Check("GET", List, Answer(418, "application/problem+json", "{}")));
        Assert.Contains("the document lists application/json", Check("GET", List, Answer(200, "text/plain", "hello")));
        Assert.Contains("lists no content", Check("PUT", "/v1/stores/{store}/buckets/{bucket}", Answer(201, "text/plain", "made")));
        Assert.Contains("not in the OpenAPI document", Check("GET", "/v1/nowhere", Answer(200, "application/json", "{}")));
    }

    [Fact]
    public void Problem_answers_are_checked_against_the_problem_schema()
    {
        Assert.Null(Check("GET", List, Answer(404, "application/problem+json",
            """{"type":"https://gateway.dev/problems/not-found","title":"Not Found","status":404,"code":"not-found"}""")));
        Assert.NotNull(Check("GET", List, Answer(404, "application/problem+json", """{"title":"Not Found","status":404}""")));
        Assert.NotNull(Check("GET", List, Answer(404, "application/problem+json",
            """{"type":"https://gateway.dev/problems/x","title":"X","status":404,"code":"no-such-code"}""")));
    }

    [Fact]
    public void An_object_body_in_its_stored_content_type_is_what_the_document_says()
    {
        Assert.Null(Check("GET", "/v1/stores/{store}/buckets/{bucket}/objects/{key}", Answer(200, "text/csv", "a,b\n")));
    }
}
