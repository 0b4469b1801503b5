using System.Text;
using System.Text.Json;
using Gateway.Channel.Rpc;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>The response message read without a document for its result reads what the serializer reads.</summary>
public class CallResponseCodecTests
{
    [Fact]
    public void A_result_written_once_reads_back_as_the_same_value()
    {
        var listing = new ObjectListing(
            [new ObjectInfo { Key = "a/é\u0000b", Size = 3, ETag = "\"e\"", LastModified = DateTimeOffset.UnixEpoch, Metadata = new Dictionary<string, string> { ["m"] = "v" } }],
            ["a/"], "next");
        var result = CallResult.Of(listing);
        var bytes = CallResponseCodec.Encode(new CallResponse { Ok = true, HasBody = false }, result.ResultJson);

        var decoded = CallResponseCodec.Decode(bytes);
        var viaSerializer = JsonSerializer.Deserialize<CallResponse>(bytes, CallJson.Options)!;

        Assert.True(decoded.Ok);
        Assert.Equal(viaSerializer.Result!.Value.GetRawText(), Encoding.UTF8.GetString(decoded.ResultJson.Span));
        var back = (ObjectListing)CallJson.ResultAs(decoded, typeof(ObjectListing))!;
        Assert.Equal("a/é\u0000b", back.Objects[0].Key);
        Assert.Equal("v", back.Objects[0].Metadata!["m"]);
        Assert.Equal(new[] { "a/" }, back.CommonPrefixes);
        Assert.Equal("next", back.NextPageToken);
    }

    [Theory]
    [InlineData("""{"OK":true,"Result":[1,2],"HASBODY":true,"unknown":{"x":[1]}}""", true, true, "[1,2]")]
    [InlineData("""{"ok":true,"result":1,"result":"two"}""", true, false, "\"two\"")]
    [InlineData("""{"ok":true,"result":null}""", true, false, null)]
    [InlineData("""{"ok":false,"error":{"code":"not-found","message":"gone"}}""", false, false, null)]
    public void Reads_what_the_serializer_reads(string json, bool ok, bool hasBody, string? result)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var decoded = CallResponseCodec.Decode(bytes);
        var expected = JsonSerializer.Deserialize<CallResponse>(bytes, CallJson.Options)!;
        Assert.Equal(ok, decoded.Ok);
        Assert.Equal(expected.Ok, decoded.Ok);
        Assert.Equal(hasBody, decoded.HasBody);
        Assert.Equal(expected.Error?.Code, decoded.Error?.Code);
        Assert.Equal(result, decoded.ResultJson.IsEmpty ? null : Encoding.UTF8.GetString(decoded.ResultJson.Span));
        Assert.Equal(expected.Result?.GetRawText(), result);
    }

    [Theory]
    [InlineData("""{"ok":"true"}""")]
    [InlineData("""{"ok":true} {}""")]
    [InlineData("""{"ok":true""")]
    [InlineData("""[{"ok":true}]""")]
    [InlineData("""null""")]
    [InlineData("""{"ok":true,"error":"text"}""")]
    [InlineData("""{"ok":true,/*c*/"result":1}""")]
    public void Refuses_what_the_serializer_refuses(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.ThrowsAny<JsonException>(() => CallResponseCodec.Decode(bytes));
        CallResponse? viaSerializer = null;
        try { viaSerializer = JsonSerializer.Deserialize<CallResponse>(bytes, CallJson.Options); }
        catch (JsonException) { }
        Assert.Null(viaSerializer);
    }
}
