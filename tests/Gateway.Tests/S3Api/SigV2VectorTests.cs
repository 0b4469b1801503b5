using System.Text;
using Gateway.S3Api.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Xunit;

namespace Gateway.Tests.S3Api;

/// <summary>
/// The S3 API reference's SigV2 example ("Signing and authenticating REST requests", the GET of photos/puppy.jpg:
/// signature qgk2+6Sv9/oM7G3qLEjTH1a1l1g= for awsexamplebucket1, bWq2s1WEIj+Ydj0vQ697zp+IXMU= in the older johnsmith
/// edition), and the date forms legacy clients send, computed by the front door's own code.
/// </summary>
public sealed class SigV2VectorTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

    private static HttpRequest Request(string method, string rawTarget, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        var q = rawTarget.IndexOf('?');
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        context.Request.Method = method;
        context.Request.Path = q < 0 ? rawTarget : rawTarget[..q];
        context.Request.QueryString = q < 0 ? QueryString.Empty : new QueryString(rawTarget[q..]);
        foreach (var (name, value) in headers) context.Request.Headers[name] = value;
        return context.Request;
    }

    [Theory]
    [InlineData("/awsexamplebucket1/photos/puppy.jpg", "qgk2+6Sv9/oM7G3qLEjTH1a1l1g=")]
    [InlineData("/johnsmith/photos/puppy.jpg", "bWq2s1WEIj+Ydj0vQ697zp+IXMU=")]
    public void The_reference_get_example_signs_as_published(string resource, string signature)
    {
        const string date = "Tue, 27 Mar 2007 19:36:42 +0000";
        var request = Request("GET", "/photos/puppy.jpg", ("Date", date));
        var toSign = SigV2.StringToSign(request, date, resource);
        Assert.Equal($"GET\n\n\n{date}\n{resource}", toSign);
        Assert.True(SigV2.SignatureEquals(SigV2.Sign(Secret, toSign), signature));
        Assert.False(SigV2.SignatureEquals(SigV2.Sign(Secret, toSign + "x"), signature));
        Assert.False(SigV2.SignatureEquals(SigV2.Sign(Secret, toSign), "not base64!"));
    }

    [Fact]
    public void Amz_headers_and_sub_resources_are_canonicalized_and_other_query_parameters_are_not()
    {
        var request = Request("PUT", "/b/k?uploadId=u%2B1&partNumber=2&foo=bar&response-content-type=text%2Fplain",
            ("Content-MD5", "md5"), ("Content-Type", "text/plain"), ("X-Amz-Meta-B", " two "), ("x-amz-meta-a", "one"));
        Assert.Equal("PUT\nmd5\ntext/plain\n\nx-amz-meta-a:one\nx-amz-meta-b:two\n/b/k?partNumber=2&response-content-type=text/plain&uploadId=u+1",
            SigV2.StringToSign(request, "", "/b/k"));
    }

    [Theory]
    [InlineData("publicAccessBlock")]
    [InlineData("ownershipControls")]
    public void Bucket_configurations_the_front_door_acts_on_are_signed_so_none_can_be_appended_to_a_signed_request(string subResource) =>
        Assert.EndsWith($"\n/b?{subResource}", SigV2.StringToSign(Request("PUT", $"/b?{subResource}"), "", "/b"), StringComparison.Ordinal);

    [Theory]
    [InlineData("Tue, 27 Mar 2007 19:36:42 +0000", "2007-03-27T19:36:42Z")]
    [InlineData("Tue, 27 Mar 2007 21:36:42 +0200", "2007-03-27T19:36:42Z")]
    [InlineData("Tue, 27 Mar 2007 19:36:42 GMT", "2007-03-27T19:36:42Z")]
    [InlineData("Fri, 27 Mar 2007 19:36:42 GMT", "2007-03-27T19:36:42Z")] // a wrong weekday is judged by its time
    [InlineData("20070327T193642Z", "2007-03-27T19:36:42Z")]
    public void Legacy_date_forms_are_read(string text, string expected)
    {
        Assert.True(SigV2.TryParseDate(text, out var time));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), time);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bad Date")]
    [InlineData("Tue, 32 Mar 2007 19:36:42 GMT")]
    [InlineData("Tue, 27 Mar 2007 19:36:42 +99")]
    public void Garbage_dates_are_not_read(string text) => Assert.False(SigV2.TryParseDate(text, out _));
}
