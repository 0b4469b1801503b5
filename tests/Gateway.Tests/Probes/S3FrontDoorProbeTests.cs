using System.Text;
using System.Xml.Linq;
using Gateway.Testing;
using Gateway.Testing.S3;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// Malformed requests at the S3 front door, signed correctly so they reach the operations: bad XML bodies (truncated,
/// with a DTD, too many keys), wrong query parameters, bad ranges and dates, out-of-range max-keys and part numbers,
/// missing or malformed headers. Each gets S3's XML error (the code where S3's is known), never a 5xx (501
/// NotImplemented for what is not built is S3's own answer), and changes nothing. Every offender is listed at once.
/// </summary>
public sealed class S3FrontDoorProbeTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("gw-s3-probe-").FullName;
    private S3FrontDoor _door = null!;
    private S3Signer _signer = null!;
    private readonly string _bucket = S3FrontDoor.NewBucketName();
    private readonly List<string> _failures = [];

    public async Task InitializeAsync()
    {
        _door = await S3FrontDoor.StartAsync(new Dictionary<string, string?> { ["Kind"] = "local", ["Root"] = _root });
        _signer = new S3Signer(_door.AccessKeyId, _door.Secret, S3FrontDoor.Region);
        Assert.Equal(200, (await SendAsync("PUT", $"/{_bucket}", "")).Status);
        Assert.Equal(200, (await SendAsync("PUT", $"/{_bucket}/obj.txt", "hello")).Status);
    }

    public async Task DisposeAsync()
    {
        await _door.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private Task<RawHttp.Response> SendAsync(string method, string target, string? body, params (string, string)[] headers) =>
        RawHttp.SendAsync(_door.Endpoint, method, target, body,
            _signer.Sign(method, $"{_door.Endpoint.Host}:{_door.Endpoint.Port}", target, Encoding.UTF8.GetBytes(body ?? ""), headers));

    /// <summary>Sends and checks: below 500 (or S3's 501 NotImplemented), an XML Error body with a Code, and the expected code when given.</summary>
    private async Task ProbeAsync(string method, string target, string? body, string? code, params (string, string)[] headers)
    {
        var answer = await SendAsync(method, target, body, headers);
        if (code == MayAccept && answer.Status < 300)
        {
            _state = await StateAsync();
            return;
        }
        Check(method, target, headers, answer, code == MayAccept ? null : code);
        if (method is "GET" or "HEAD") return;
        // Whatever was refused changed nothing (each probe is checked on its own, so the offender is named).
        var now = await StateAsync();
        if (now != _state) _failures.Add($"{answer.Status} but the bucket changed after {method} {Trim(target)} {string.Join(" | ", headers.Select(h => $"{h.Item1}: {Trim(h.Item2)}"))}");
        _state = now;
    }

    /// <summary>For a request S3 itself may accept (an ignored header or parameter): any 2xx is fine, and a refusal is checked as usual.</summary>
    private const string MayAccept = "(may accept)";

    private string _state = "";

    private async Task<string> StateAsync() =>
        (await SendAsync("GET", $"/{_bucket}?list-type=2", null)).Payload + (await SendAsync("GET", "/", null)).Payload;

    private void Check(string method, string target, IEnumerable<(string Name, string Value)> headers, RawHttp.Response answer, string? code)
    {
        var what = $"{method} {(target.Length > 120 ? target[..120] + "..." : target)} {string.Join(" | ", headers.Select(h => $"{h.Name}: {Trim(h.Value)}"))}";
        string? errorCode = null;
        if (answer.Status >= 300 && method != "HEAD" && answer.Status != 304)
        {
            try { errorCode = XDocument.Parse(answer.Payload).Root is { Name.LocalName: "Error" } root ? root.Element("Code")?.Value : null; }
            catch (System.Xml.XmlException) { }
            if (errorCode is null)
            {
                _failures.Add($"{answer.Status} without an S3 XML error ({answer.ContentType}) for {what}: {Trim(answer.Payload)}");
                return;
            }
        }
        if (answer.Status >= 500 && !(answer.Status == 501 && errorCode == "NotImplemented"))
            _failures.Add($"{answer.Status} {errorCode} for {what}: {Trim(answer.Payload)}");
        else if (code is not null && errorCode != code)
            _failures.Add($"{answer.Status} {errorCode ?? "(no error)"} (expected {code}) for {what}");
    }

    private static string Trim(string s) => s.Length > 200 ? s[..200] + "..." : s;

    [Fact]
    public async Task Malformed_requests_get_s3_xml_errors_never_5xx_and_change_nothing()
    {
        _state = await StateAsync();
        var b = _bucket;
        const string md5Header = "Content-MD5";

        // XML bodies.
        await ProbeAsync("PUT", "/s3p-newbucket-x1", "<CreateBucketConfiguration><LocationConstraint>", "MalformedXML");
        await ProbeAsync("PUT", "/s3p-newbucket-x2", "not xml at all", "MalformedXML");
        foreach (var body in new[]
        {
            "<Delete><Object><Key>obj.txt</Key>", "", "<Delete/>", "<Other><Object><Key>obj.txt</Key></Object></Other>",
            "<!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Delete><Object><Key>&e;</Key></Object></Delete>",
            "<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><Delete><Object><Key>&c;</Key></Object></Delete>",
            "<Delete>" + string.Concat(Enumerable.Range(0, 1001).Select(i => $"<Object><Key>k{i}</Key></Object>")) + "</Delete>",
            "<Delete><Object><Key></Key></Object></Delete>", "<Delete><Object></Object></Delete>", "<Delete><Quiet>maybe</Quiet><Object><Key>obj.txt</Key></Object></Delete>",
        })
        {
            var md5 = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(body)));
            await ProbeAsync("POST", $"/{b}?delete", body, null, (md5Header, md5));
        }
        await ProbeAsync("POST", $"/{b}?delete", "<Delete><Object><Key>obj.txt</Key></Object></Delete>", "BadDigest", (md5Header, "AAAAAAAAAAAAAAAAAAAAAA=="));
        await ProbeAsync("POST", $"/{b}?delete", "<Delete><Object><Key>obj.txt</Key></Object></Delete>", "InvalidDigest", (md5Header, "zz"));

        // Listings: max-keys, list-type, tokens, encoding-type, duplicates.
        foreach (var q in new[] { "max-keys=-1", "max-keys=abc", "max-keys=1.5", "max-keys=" })
        {
            await ProbeAsync("GET", $"/{b}?list-type=2&{q}", null, "InvalidArgument");
            await ProbeAsync("GET", $"/{b}?{q}", null, "InvalidArgument");
        }
        foreach (var q in new[] { "max-keys=99999999999999999999", "max-keys=2147483648", "max-keys=1&max-keys=2", "list-type=3", "list-type=abc",
                     "list-type=2&continuation-token=garbage", "list-type=2&continuation-token=", "encoding-type=bogus", "list-type=2&start-after=%ZZ",
                     "delimiter=%00", "prefix=%C3%28", "list-type=2&fetch-owner=maybe", "marker=" + new string('m', 5000), "versions&max-keys=-1",
                     "uploads&max-uploads=-1", "uploads&max-uploads=abc", "list-type=2&list-type=1" })
            await ProbeAsync("GET", $"/{b}?{q}", null, null);
        await ProbeAsync("GET", "/?max-buckets=-1", null, null);

        // Reads: ranges, dates, part numbers.
        foreach (var range in new[] { "bytes=abc", "bytes=5-1", "bytes=-0", "bytes=0-0,2-3", "items=0-1", "bytes=99999999999999999999-", "bytes=", "bytes=--1" })
        {
            await ProbeAsync("GET", $"/{b}/obj.txt", null, null, ("Range", range));
            await ProbeAsync("HEAD", $"/{b}/obj.txt", null, null, ("Range", range));
        }
        await ProbeAsync("GET", $"/{b}/obj.txt", null, "InvalidRange", ("Range", "bytes=100-200"));
        foreach (var (name, value) in new[] { ("If-Modified-Since", "yesterday"), ("If-Unmodified-Since", "not a date"), ("If-Modified-Since", "Mon, 32 Jan 2024 00:00:00 GMT"),
                     ("If-Match", "no-quotes"), ("If-None-Match", ""), ("If-Match", "\"nope\""), ("If-Range", "garbage") })
        {
            await ProbeAsync("GET", $"/{b}/obj.txt", null, null, (name, value));
            await ProbeAsync("HEAD", $"/{b}/obj.txt", null, null, (name, value));
        }
        foreach (var part in new[] { "0", "-1", "abc", "10001", "99999999999999999999", "1.5", "" })
        {
            await ProbeAsync("GET", $"/{b}/obj.txt?partNumber={part}", null, null);
            await ProbeAsync("HEAD", $"/{b}/obj.txt?partNumber={part}", null, null);
        }
        foreach (var q in new[] { "response-content-type=%0A", "response-expires=garbage", "response-content-disposition=" + new string('d', 3000), "versionId=bogus" })
            await ProbeAsync("GET", $"/{b}/obj.txt?{q}", null, null);

        // Writes that must be refused.
        await ProbeAsync("PUT", $"/{b}/obj.txt", "changed", "InvalidDigest", (md5Header, "zz"));
        await ProbeAsync("PUT", $"/{b}/obj.txt", "changed", "BadDigest", (md5Header, "AAAAAAAAAAAAAAAAAAAAAA=="));
        await ProbeAsync("PUT", $"/{b}/obj.txt", "changed", "PreconditionFailed", ("If-None-Match", "*"));
        await ProbeAsync("PUT", $"/{b}/obj.txt", "changed", null, ("x-amz-meta-bad.name", "v"));
        await ProbeAsync("PUT", $"/{b}/new.txt", "changed", null, ("x-amz-meta-big", new string('m', 3000)));
        // A checksum value that is not base64 of the algorithm's digest length: S3's InvalidRequest "Value for x-amz-checksum-crc32
        // header is invalid.", refused before the body is read (until this change BadDigest after it).
        await ProbeAsync("PUT", $"/{b}/new.txt", "changed", "InvalidRequest", ("x-amz-checksum-crc32", "not-base64!"));
        await ProbeAsync("PUT", $"/{b}/new.txt", "changed", "InvalidRequest", ("x-amz-checksum-sha256", "AAAA"));
        await ProbeAsync("PUT", $"/{b}/new.txt", "changed", "InvalidRequest", ("x-amz-checksum-crc64nvme", "o/M9+g=="));
        // Two checksum headers (the CRC32 right, the SHA-1 wrong): S3's InvalidRequest "Expecting a single x-amz-checksum- header",
        // never the first one checked and the other ignored.
        await ProbeAsync("PUT", $"/{b}/new.txt", "changed", "InvalidRequest", ("x-amz-checksum-crc32", "o/M9+g=="), ("x-amz-checksum-sha1", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        await ProbeAsync("PUT", $"/{b}/new.txt", "changed", "InvalidRequest", ("x-amz-checksum-crc32", "o/M9+g=="), ("x-amz-checksum-sha1", "N8bFe+30MF70EknBeUdgtcuPrRc="));
        await ProbeAsync("PUT", $"/{b}/new.txt", "changed", "InvalidStorageClass", ("x-amz-storage-class", "DIAMOND"));
        await ProbeAsync("PUT", $"/{b}/copied.txt", "", "InvalidStorageClass", ("x-amz-copy-source", $"/{b}/obj.txt"), ("x-amz-storage-class", "standard"));
        await ProbeAsync("PUT", $"/{b}/{new string('k', 1100)}", "changed", null);
        await ProbeAsync("PUT", $"/{b}/a%C3%28", "changed", "InvalidURI");
        await ProbeAsync("GET", $"/{b}/a%C3%28", null, "InvalidURI");
        await ProbeAsync("PUT", $"/{b}/a%ZZ", "changed", "InvalidURI");
        foreach (var source in new[] { "%ZZ", "nobucket", $"/{b}", $"{b}/missing.txt", $"/{b}/obj.txt?versionId=bogus", "", $"/{b}/../etc/passwd" })
            await ProbeAsync("PUT", $"/{b}/copied.txt", "", null, ("x-amz-copy-source", source));
        foreach (var (name, value) in new[] { ("x-amz-copy-source-if-modified-since", "garbage"), ("x-amz-copy-source-if-match", "\"nope\""), ("x-amz-metadata-directive", "BOGUS"),
                     ("x-amz-copy-source-range", "bytes=abc") })
            await ProbeAsync("PUT", $"/{b}/copied.txt", "", name is "x-amz-copy-source-if-modified-since" or "x-amz-copy-source-range" ? MayAccept : null,
                ("x-amz-copy-source", $"/{b}/obj.txt"), (name, value));
        await ProbeAsync("PUT", $"/{b}/obj.txt?acl", "<AccessControlPolicy>", null);
        await ProbeAsync("PUT", $"/{b}?tagging", "<Tagging><TagSet>", null);
        // Bucket configurations (docs/s3.md): malformed, foreign or DTD-carrying documents, and what cannot be honoured.
        await ProbeAsync("PUT", $"/{b}?logging", "<BucketLoggingStatus>", "MalformedXML");
        await ProbeAsync("PUT", $"/{b}?publicAccessBlock", "<Other/>", "MalformedXML");
        await ProbeAsync("PUT", $"/{b}?requestPayment", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><RequestPaymentConfiguration><Payer>&e;</Payer></RequestPaymentConfiguration>", "MalformedXML");
        await ProbeAsync("PUT", $"/{b}?ownershipControls", "<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>", "NotImplemented");
        await ProbeAsync("PUT", $"/{b}?object-lock", "<ObjectLockConfiguration/>", "InvalidBucketState");
        await ProbeAsync("POST", $"/{b}?cors", "x", "MethodNotAllowed");
        // Object tagging: malformed documents, S3's tag rules, directives, and the tag header on writes (docs/s3.md, tagging).
        var elevenTags = "<Tagging><TagSet>" + string.Concat(Enumerable.Range(0, 11).Select(i => $"<Tag><Key>k{i}</Key><Value>v</Value></Tag>")) + "</TagSet></Tagging>";
        foreach (var (body, code) in new[] { ("<Tagging><TagSet>", "MalformedXML"), ("", "MalformedXML"), ("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Tagging><TagSet><Tag><Key>&e;</Key></Tag></TagSet></Tagging>", "MalformedXML"),
                     (elevenTags, "InvalidTag"), ("<Tagging><TagSet><Tag><Key>a\u0001</Key><Value/></Tag></TagSet></Tagging>", (string?)null) })
            await ProbeAsync("PUT", $"/{b}/obj.txt?tagging", body, code);
        await ProbeAsync("PUT", $"/{b}/missing.txt?tagging", "<Tagging><TagSet/></Tagging>", "NoSuchKey");
        await ProbeAsync("POST", $"/{b}/obj.txt?tagging", "x", null);
        await ProbeAsync("GET", $"/{b}/obj.txt?tagging&versionId=bogus", null, "InvalidArgument");
        foreach (var header in new[] { "k=v&k=w", "aws%3Ax=1", "a=%ZZ", string.Join('&', Enumerable.Range(0, 11).Select(i => $"k{i}=v")), new string('k', 129) + "=v" })
            await ProbeAsync("PUT", $"/{b}/new.txt", "changed", "InvalidTag", ("x-amz-tagging", header));
        await ProbeAsync("PUT", $"/{b}/copied.txt", "", "InvalidArgument", ("x-amz-copy-source", $"/{b}/obj.txt"), ("x-amz-tagging-directive", "BOGUS"));
        await ProbeAsync("PUT", $"/{b}/copied.txt", "", "InvalidTag", ("x-amz-copy-source", $"/{b}/obj.txt"), ("x-amz-tagging-directive", "REPLACE"), ("x-amz-tagging", "a=1&a=2"));
        await ProbeAsync("PUT", $"/{b}/other.txt?foo=bar", "changed", MayAccept);
        await ProbeAsync("DELETE", $"/{b}", null, "BucketNotEmpty");
        await ProbeAsync("PATCH", $"/{b}/obj.txt", "x", null);
        await ProbeAsync("POST", $"/{b}/obj.txt", "x", null);

        // Multipart at the boundary: bogus upload ids and part numbers, malformed completion bodies.
        foreach (var q in new[] { "uploadId=bogus&partNumber=1", "uploadId=bogus&partNumber=0", "uploadId=bogus&partNumber=abc", "uploadId=bogus&partNumber=10001", "uploadId=&partNumber=1", "partNumber=1" })
            await ProbeAsync("PUT", $"/{b}/mp.txt?{q}", "part", q == "partNumber=1" ? MayAccept : null);
        foreach (var body in new[] { "<CompleteMultipartUpload>", "", "<CompleteMultipartUpload><Part><PartNumber>abc</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>" })
            await ProbeAsync("POST", $"/{b}/mp.txt?uploadId=bogus", body, null);
        await ProbeAsync("GET", $"/{b}/mp.txt?uploadId=bogus&max-parts=-1", null, null);
        await ProbeAsync("GET", $"/{b}/mp.txt?uploadId=bogus&part-number-marker=abc", null, null);
        await ProbeAsync("DELETE", $"/{b}/mp.txt?uploadId=bogus", null, null);

        // Bucket creation that S3 refuses.
        await ProbeAsync("PUT", "/S3P-UPPER", "", "InvalidBucketName");
        await ProbeAsync("PUT", "/s3p_newbucket", "", "InvalidBucketName");
        foreach (var (location, code) in new[]
        {
            (new string('r', 300), "InvalidLocationConstraint"), ("us-east-1", "InvalidLocationConstraint"), ("moon", "InvalidLocationConstraint"),
            ("eu-west-1", "IllegalLocationConstraintException"), ("EU", "IllegalLocationConstraintException"),
        })
            await ProbeAsync("PUT", "/s3p-newbucket-x3", "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" + location + "</LocationConstraint></CreateBucketConfiguration>", code);
        // A body that is another document than a CreateBucketConfiguration is MalformedXML and creates nothing (it was taken).
        foreach (var body in new[] { "<Foo/>", "<Tagging><TagSet/></Tagging>", "<LocationConstraint>us-west-2</LocationConstraint>" })
            await ProbeAsync("PUT", "/s3p-newbucket-x4", body, "MalformedXML");
        // Non-ASCII header bytes through the main listener's path base (Kestrel reads them as Latin-1 there).
        var main = _door.Server.BaseAddress;
        var viaBase = $"/s3/{b}/latin1.txt";
        Check("PUT", viaBase, [("x-amz-meta-a", "caf\u00e9")], await RawHttp.SendAsync(main, "PUT", viaBase, "changed",
            _signer.Sign("PUT", $"{main.Host}:{main.Port}", viaBase, "changed"u8.ToArray(), [("x-amz-meta-a", "caf\u00e9")])), "InvalidArgument");
        await ProbeAsync("PUT", $"/{b}/latin1.txt", "changed", "InvalidArgument", ("x-amz-meta-a", "caf\u00e9"));
        await ProbeAsync("GET", $"/{b}/obj.txt", null, "InvalidArgument", ("x-custom", "\u00ff"));
        if (await StateAsync() != _state) _failures.Add("a PUT with a non-ASCII metadata value through the path base stored something");
        _state = await StateAsync();
        // The read-only key: writes and copies outside its grant are AccessDenied and change nothing.
        var reader = new S3Signer(_door.ReaderKeyId, _door.ReaderSecret, S3FrontDoor.Region);
        var door = $"{_door.Endpoint.Host}:{_door.Endpoint.Port}";
        foreach (var (method, target, body, headers) in new (string, string, string?, (string, string)[])[]
        {
            ("PUT", $"/{b}/reader.txt", "x", []),
            ("PUT", $"/{S3FrontDoor.ReadOnlyBucket}/copied.txt", "", [("x-amz-copy-source", $"/{b}/obj.txt")]),
            ("DELETE", $"/{b}/obj.txt", null, []),
            ("POST", $"/{b}?delete", "<Delete><Object><Key>obj.txt</Key></Object></Delete>", [("Content-MD5", Convert.ToBase64String(System.Security.Cryptography.MD5.HashData("<Delete><Object><Key>obj.txt</Key></Object></Delete>"u8)))]),
            ("GET", $"/{b}/obj.txt", null, []),
        })
        {
            var answer = await RawHttp.SendAsync(_door.Endpoint, method, target, body, reader.Sign(method, door, target, Encoding.UTF8.GetBytes(body ?? ""), headers));
            var deleteResultDenied = method == "POST" && answer.Status == 200 && answer.Payload.Contains("<Code>AccessDenied</Code>", StringComparison.Ordinal);
            if (!deleteResultDenied) Check(method, target, headers, answer, "AccessDenied");
            var now = await StateAsync();
            if (now != _state) _failures.Add($"the read-only key changed the bucket with {method} {target}");
            _state = now;
        }
        // Presigned URLs with bad lifetimes and a request from the past.
        foreach (var q in new[] { "X-Amz-Expires=604801", "X-Amz-Expires=-5", "X-Amz-Expires=abc" })
        {
            var amzDate = DateTime.UtcNow.ToString(Gateway.S3Api.Auth.SigV4.TimeFormat, System.Globalization.CultureInfo.InvariantCulture);
            var target = $"/{b}/obj.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={_door.AccessKeyId}%2F{amzDate[..8]}%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date={amzDate}&{q}&X-Amz-SignedHeaders=host&X-Amz-Signature={new string('0', 64)}";
            Check("GET", target, [], await RawHttp.SendAsync(_door.Endpoint, "GET", target, null, []), null);
        }
        var stale = _signer.Sign("GET", door, $"/{b}/obj.txt", [], []).Select(h => h.StartsWith("x-amz-date", StringComparison.Ordinal) ? "x-amz-date: 20200101T000000Z" : h);
        Check("GET", $"/{b}/obj.txt", [("x-amz-date", "2020")], await RawHttp.SendAsync(_door.Endpoint, "GET", $"/{b}/obj.txt", null, stale), null);

        // Authentication: malformed or missing pieces (not signed as above).
        var host = $"{_door.Endpoint.Host}:{_door.Endpoint.Port}";
        foreach (var headers in new[]
        {
            Array.Empty<string>(),
            ["Authorization: AWS4-HMAC-SHA256 garbage"],
            ["Authorization: AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=00"],
            ["Authorization: AWS AKIA:c2ln"],
            ["Authorization: Bearer x"],
            ["Authorization: AWS4-HMAC-SHA256 Credential=" + _door.AccessKeyId + "/20990101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + new string('0', 64), "x-amz-date: garbage"],
        })
            Check("GET", $"/{b}/obj.txt", headers.Select(h => (h.Split(':')[0], h)), await RawHttp.SendAsync(_door.Endpoint, "GET", $"/{b}/obj.txt", null, headers), null);
        foreach (var q in new[] { "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%ZZ", "X-Amz-Algorithm=nope",
                     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=garbage&X-Amz-Expires=abc&X-Amz-Credential=a/b/c/d/e&X-Amz-SignedHeaders=host&X-Amz-Signature=00" })
            Check("GET", $"/{b}/obj.txt?{q}", [], await RawHttp.SendAsync(_door.Endpoint, "GET", $"/{b}/obj.txt?{q}", null, []), null);
        Check("PUT", $"/{b}/obj.txt", [("x-amz-content-sha256", "missing")],
            await RawHttp.SendAsync(_door.Endpoint, "PUT", $"/{b}/obj.txt", "changed",
                _signer.Sign("PUT", host, $"/{b}/obj.txt", "changed"u8.ToArray(), []).Where(h => !h.StartsWith("x-amz-content-sha256", StringComparison.Ordinal))), null);
        // A signed Authorization header and presigned query parameters at once: S3's InvalidArgument "Only one auth mechanism
        // allowed", whichever of the two would verify.
        foreach (var both in new[] { $"/{b}/obj.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={new string('0', 64)}", $"/{b}/obj.txt?AWSAccessKeyId={_door.AccessKeyId}&Expires=4102444800&Signature=AAAA" })
            Check("GET", both, [("Authorization", "signed")], await RawHttp.SendAsync(_door.Endpoint, "GET", both, null, _signer.Sign("GET", host, both, [], [])), "InvalidArgument");
        // An aws-chunked body whose framing is broken.
        foreach (var framed in new[] { "zz\r\nhello\r\n0\r\n\r\n", "5\r\nhel", "ffffffffffffffff\r\nhello\r\n" })
        {
            var headers = _signer.Sign("PUT", host, $"/{b}/obj.txt", [], [("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", "5")], SigV4Streaming);
            Check("PUT", $"/{b}/obj.txt", [("aws-chunked", framed)], await RawHttp.SendAsync(_door.Endpoint, "PUT", $"/{b}/obj.txt", framed, headers), null);
        }

        var after = await StateAsync();
        if (after != _state) _failures.Add($"the bucket changed after the unsigned and malformed-auth requests:\n{after}");
        Assert.True(_failures.Count == 0, $"{_failures.Count} offending requests:\n" + string.Join("\n", _failures));
    }

    [Fact]
    public async Task A_put_or_part_declaring_more_than_5_GiB_is_EntityTooLarge_before_its_body_is_sent()
    {
        // S3 takes at most 5 GiB in one PutObject or UploadPart (larger objects are multipart uploads) and refuses on the
        // declared length, so a client is not left to send gigabytes first. Until this change the front door read on.
        const long over = 5L * 1024 * 1024 * 1024 + 1;
        var host = $"{_door.Endpoint.Host}:{_door.Endpoint.Port}";
        var created = await SendAsync("POST", $"/{_bucket}/huge.bin?uploads", "");
        var uploadId = XDocument.Parse(created.Payload).Root!.Elements().Single(e => e.Name.LocalName == "UploadId").Value;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var target in new[] { $"/{_bucket}/huge.bin", $"/{_bucket}/huge.bin?partNumber=1&uploadId={uploadId}" })
        {
            var headers = _signer.Sign("PUT", host, target, [], [], "UNSIGNED-PAYLOAD").Append($"Content-Length: {over}");
            var answer = await RawHttp.SendAsync(_door.Endpoint, "PUT", target, null, headers, timeout.Token);
            Assert.True(answer.Status == 400 && answer.Payload.Contains("<Code>EntityTooLarge</Code>", StringComparison.Ordinal)
                && answer.Payload.Contains("<MaxSizeAllowed>5368709120</MaxSizeAllowed>", StringComparison.Ordinal), $"{target}: {answer.Status} {answer.Payload}");
        }
    }

    private const string SigV4Streaming = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /// <summary>
    /// A signed request whose method spells a standard one in another case (hand probe, 2026-12-05): the operations' method
    /// checks ignore case, so <c>delete</c> deleted and <c>put</c> stored, and <c>head</c> answered as HEAD with no body,
    /// which Kestrel (reading <c>head</c> as a method of its own) failed as a bare 500.
    /// </summary>
    [Fact]
    public async Task A_signed_method_in_another_case_is_method_not_allowed_and_changes_nothing()
    {
        foreach (var (method, body) in new (string, string?)[] { ("head", null), ("get", null), ("delete", null), ("Delete", null), ("put", "replaced") })
        {
            var answer = await SendAsync(method, $"/{_bucket}/obj.txt", body);
            Assert.True(answer.Status == 405 && (answer.Head + answer.Payload).Contains("MethodNotAllowed", StringComparison.Ordinal),
                $"{method}: {answer.Status} {answer.Head} {answer.Payload}");
        }
        var read = await SendAsync("GET", $"/{_bucket}/obj.txt", null);
        Assert.Equal(200, read.Status);
        Assert.Equal("hello", read.Payload);
    }

    [Fact]
    public async Task A_bucket_delete_that_names_an_object_sub_resource_is_refused_and_keeps_the_bucket()
    {
        var empty = S3FrontDoor.NewBucketName();
        Assert.Equal(200, (await SendAsync("PUT", $"/{empty}", "")).Status);
        foreach (var q in new[] { "uploadId=bogus", "partNumber=1", "versionId=null", "uploads", "delete" })
            Check("DELETE", $"/{empty}?{q}", [], await SendAsync("DELETE", $"/{empty}?{q}", null), "InvalidRequest");
        Assert.True(_failures.Count == 0, string.Join("\n", _failures));
        Assert.Equal(200, (await SendAsync("HEAD", $"/{empty}", null)).Status);
        Assert.Equal(204, (await SendAsync("DELETE", $"/{empty}", null)).Status);
    }

    [Fact]
    public async Task An_upper_case_hex_payload_hash_is_signed_verbatim_and_checked_against_the_body()
    {
        var host = $"{_door.Endpoint.Host}:{_door.Endpoint.Port}";
        var body = "upper-case hex"u8.ToArray();
        var target = $"/{_bucket}/upper.txt";
        var upper = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body));
        var put = await RawHttp.SendAsync(_door.Endpoint, "PUT", target, "upper-case hex", _signer.Sign("PUT", host, target, body, [], upper));
        Assert.True(put.Status == 200, $"{put.Status}: {put.Payload}");
        Assert.Equal("upper-case hex", (await SendAsync("GET", target, null)).Payload);
        var wrong = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("other"u8));
        var refused = await RawHttp.SendAsync(_door.Endpoint, "PUT", target, "changed", _signer.Sign("PUT", host, target, "changed"u8.ToArray(), [], wrong));
        Check("PUT", target, [("x-amz-content-sha256", wrong)], refused, "XAmzContentSHA256Mismatch");
        Assert.True(_failures.Count == 0, string.Join("\n", _failures));
        Assert.Equal("upper-case hex", (await SendAsync("GET", target, null)).Payload);
    }
}
