using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Gateway.Tests.S3Api;

/// <summary>The form of the conditional headers over several header lines, which the HTTP clients of the suite cannot send.</summary>
public sealed class ConditionalHeadersTests
{
    [Theory]
    [InlineData("If-Match", "\"abc\"", "*")]
    [InlineData("If-None-Match", "*", "*")]
    [InlineData("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT", "")]
    public void A_listed_star_or_an_empty_date_on_a_second_line_is_refused(string name, string first, string second)
    {
        var headers = new HeaderDictionary { [name] = new[] { first, second } };
        var refusal = Assert.Throws<S3Exception>(() => ConditionalHeaders.Check(headers));
        Assert.Equal(("InvalidArgument", 400), (refusal.Code, refusal.Status));
        Assert.Contains(("ArgumentName", name), refusal.Details);
    }

    [Fact]
    public void Entity_tags_over_two_lines_and_a_lone_star_are_taken()
    {
        Assert.Null(Record.Exception(() => ConditionalHeaders.Check(new HeaderDictionary { ["If-Match"] = new[] { "\"a\"", "\"b\", W/\"c\"" } })));
        Assert.Null(Record.Exception(() => ConditionalHeaders.Check(new HeaderDictionary { ["If-None-Match"] = "*" })));
        // RFC 9110 §5.6.1: a list's empty elements are skipped, and a header line is a list element.
        Assert.Null(Record.Exception(() => ConditionalHeaders.Check(new HeaderDictionary { ["If-Match"] = "\"a\", , \"b\"" })));
        Assert.Null(Record.Exception(() => ConditionalHeaders.Check(new HeaderDictionary { ["If-Match"] = new[] { "\"a\"", "" } })));
    }
}
