using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Gateway.Testing.OpenApi;
using Xunit;

namespace Gateway.Testing.Conformance;

/// <summary>
/// Issue 13's generated-input test: FsCheck makes random valid and invalid values for every parameter of every
/// object-storage operation (path, query, headers, JSON body) and sends them, raw, to the store kind under test.
/// Whatever the input: no 5xx, every 4xx is problem+json, every answer is what openapi/gateway.v1.json documents (status, media type, schema), and a write
/// that failed changed nothing.
/// </summary>
public abstract partial class ObjectStoreConformanceTests
{
    /// <summary>Requests per store kind; each write also lists the bucket before and after.</summary>
    protected virtual int GeneratedRequests => 120;

    /// <summary>One generated request.</summary>
    public sealed record Probe(string Operation, string Method, string Target, IReadOnlyList<string> Headers, string? Body, bool Writes)
    {
        public override string ToString() => $"{Operation}: {Method} {Target} [{string.Join(" | ", Headers)}] {Body}";
    }

    [Fact]
    public async Task Generated_requests_never_answer_5xx_and_failed_writes_change_nothing()
    {
        var gen = Generators.Probe(Store, Bucket);
        _declaresMissingFeatures = await LacksAnyCapabilityAsync();
        var failures = new List<string>();
        var property = Prop.ForAll(Arb.From(gen), probe =>
        {
            var failure = RunProbeAsync(probe).GetAwaiter().GetResult();
            if (failure is not null) failures.Add(failure);
            return failure is null;
        });
        // Off the test's synchronisation context: the property blocks on each request.
        var config = Config.QuickThrowOnFailure.WithMaxTest(GeneratedRequests).WithQuietOnSuccess(true);
        var outcome = await Task.Run(() =>
        {
            try { Check.One(config, property); return null; }
            catch (Exception e) { return e.Message; }
        });
        Assert.True(outcome is null && failures.Count == 0, $"{string.Join("\n", failures.Take(5))}\n{outcome}");
    }

    private bool _declaresMissingFeatures;

    private async Task<string?> RunProbeAsync(Probe probe)
    {
        var before = probe.Writes ? await SnapshotAsync() : null;
        var answer = await RawHttp.SendAsync(Server, probe.Method, probe.Target, probe.Body, probe.Headers);
        var head = probe.Method == "HEAD";
        // A feature the store declares it lacks is the one 5xx allowed: 501 not-implemented, and it must change nothing.
        var declaredMissing = answer.Status == 501 && _declaresMissingFeatures && answer.Body.Contains("/problems/not-implemented", StringComparison.Ordinal);
        if (answer.Status >= 500 && !declaredMissing) return $"{answer.Status} for {probe}: {answer.Body}";
        if (answer.Status >= 400)
        {
            if (!answer.ContentType.StartsWith("application/problem+json", StringComparison.Ordinal))
                return $"{answer.Status} without problem+json for {probe}: {answer.Head}";
            if (OpenApiContract.Load().Check(probe.Method, Templates[probe.Operation], answer) is { } mismatch) return $"{mismatch} for {probe}";
            if (!head)
            {
                using var problem = JsonDocument.Parse(answer.Payload);
                var code = problem.RootElement.GetProperty("code").GetString();
                if (problem.RootElement.GetProperty("status").GetInt32() != answer.Status || problem.RootElement.GetProperty("type").GetString() != $"https://gateway.dev/problems/{code}")
                    return $"problem document does not match its answer for {probe}: {answer.Body}";
            }
            if (before is not null)
            {
                var after = await SnapshotAsync();
                if (after != before) return $"a refused write ({answer.Status}) changed the bucket for {probe}:\nbefore {before}\nafter  {after}";
            }
            return null;
        }
        if (answer.Status >= 200 && answer.Status < 300) return CheckSuccessShape(probe, answer);
        if (answer.Status is 304) return OpenApiContract.Load().Check(probe.Method, Templates[probe.Operation], answer) is { } notModified ? $"{notModified} for {probe}" : null;
        return $"unexpected status {answer.Status} for {probe}";
    }

    /// <summary>The answer against openapi/gateway.v1.json (status, media type, JSON schema), and an ETag where one is promised.</summary>
    private static string? CheckSuccessShape(Probe probe, RawHttp.Response answer)
    {
        if (OpenApiContract.Load().Check(probe.Method, Templates[probe.Operation], answer) is { } mismatch) return $"{mismatch} for {probe}";
        bool HasETag() => answer.Head.Split("\r\n").Any(l => l.StartsWith("ETag: \"", StringComparison.OrdinalIgnoreCase));
        return probe.Operation switch
        {
            "put" or "copy" or "get" or "head" when !HasETag() => $"no ETag on {answer.Status} for {probe}",
            "delete" when answer.Status != 204 => $"DELETE answered {answer.Status} for {probe}",
            _ => null,
        };
    }

    /// <summary>The OpenAPI path of each generated operation.</summary>
    private static readonly Dictionary<string, string> Templates = new(StringComparer.Ordinal)
    {
        ["put"] = "/v1/stores/{store}/buckets/{bucket}/objects/{key}",
        ["get"] = "/v1/stores/{store}/buckets/{bucket}/objects/{key}",
        ["head"] = "/v1/stores/{store}/buckets/{bucket}/objects/{key}",
        ["delete"] = "/v1/stores/{store}/buckets/{bucket}/objects/{key}",
        ["list"] = "/v1/stores/{store}/buckets/{bucket}/objects",
        ["copy"] = "/v1/stores/{store}/copy",
        ["create-bucket"] = "/v1/stores/{store}/buckets/{bucket}",
        ["delete-bucket"] = "/v1/stores/{store}/buckets/{bucket}",
    };

    /// <summary>Every key with its ETag, content type and metadata, plus the store's bucket names.</summary>
    private async Task<string> SnapshotAsync()
    {
        var sb = new StringBuilder();
        string? token = null;
        do
        {
            var page = await Http.GetFromJsonAsync<JsonElement>(ListUrl(token is null ? "" : "?pageToken=" + Uri.EscapeDataString(token)));
            foreach (var o in page.GetProperty("objects").EnumerateArray())
                sb.Append(o.GetProperty("key").GetString()).Append(' ').Append(o.GetProperty("etag").GetString()).Append('\n');
            token = page.GetProperty("nextPageToken").GetString();
        } while (token is not null);
        // Only the buckets the probes name: other tests (and other test runs) share the backend and make their own.
        var buckets = await Http.GetFromJsonAsync<JsonElement>($"v1/stores/{Store}/buckets");
        foreach (var b in buckets.GetProperty("buckets").EnumerateArray())
        {
            var name = b.GetProperty("name").GetString()!;
            if (name == Bucket || Generators.OtherBucketNames.Contains(name)) sb.Append("bucket ").Append(name).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Valid and invalid values for each parameter, and requests built from them.</summary>
    public static class Generators
    {
        private static string Utf8AsLatin1(string s) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(s));

        private static string Escape(string s) =>
            string.Concat(Encoding.UTF8.GetBytes(s).Select(b => (char)b is var c && (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '~' or '.' or '/') ? c.ToString() : $"%{b:X2}"));

        private static readonly Gen<string> KeyText =
            Gen.ArrayOf(Gen.Elements("a", "b", "z", "0", "9", " ", "/", "-", "_", "~", ".", "é", "日", "😀", "%", "+", "#", "?", "&", "=", "'", "\""))
                .Select(parts => string.Concat(parts))
                .Where(s => s.Length > 0);

        /// <summary>Raw key segments for the path: well-formed ones (percent-encoded UTF-8) and every kind of bad one.</summary>
        public static readonly Gen<string> RawKey = Gen.OneOf(
            KeyText.Select(Escape),
            KeyText.Select(Escape),
            KeyText.Select(Escape),
            Gen.Elements("a%c0%afb", "%ff%fe", "a%80b", "%ed%a0%80", "%e0%80%af", "a%zz", "a%2", "a%0Ab", "a%0D", "a%7Fb", "%01",
                "..", "a/../b", "%2e%2e/x", "./x", "a%2Fb", "a%5Cb", "%2Fabs", new string('k', 1025), string.Concat(Enumerable.Repeat("%C3%A9", 513)),
                "a//b", "trailing/", "dir/sub/obj"));

        private static readonly string[] RawOtherBuckets =
            ["no-such-bucket-zz9", "UPPER", "ab", "a--b", "-lead", "trail-", "dot.name", "bbnl%0A", "%ff%ff%ff", "b%C3%A4d", new string('b', 64), "under_score"];

        /// <summary>The other bucket names the probes use, decoded as a store would see them.</summary>
        public static readonly HashSet<string> OtherBucketNames =
            RawOtherBuckets.Select(b => Uri.UnescapeDataString(b)).ToHashSet(StringComparer.Ordinal);

        public static Gen<string> BucketName(string bucket) => Gen.OneOf(
            Gen.Constant(bucket), Gen.Constant(bucket), Gen.Constant(bucket), Gen.Elements(RawOtherBuckets));

        private static readonly Gen<string> MetaName = Gen.Elements("owner", "_x", "Mixed_Case9", "dash-name", "1st", "-lead", "a.b", "gwenc_x", "", new string('n', 129));

        private static readonly Gen<string> MetaValue = Gen.OneOf(
            Gen.Elements("team-a", "a b=c;d", "Köln", "a\u007fb", " padded", "padded ", "", new string('v', 2100), "日本", "ok"),
            KeyText);

        private static readonly Gen<string> ContentType = Gen.Elements(
            "text/plain", "application/json; charset=utf-8", "a/b; c=\"d e\"", "text", "text/plän", ";;", "text/plain; charset=\"open", "*/*");

        private static readonly Gen<string> ETagValue = Gen.Elements("*", "\"abc\"", "W/\"abc\"", "abc", "\"", "\"a\",\"b\"", "W/*", "\"in\"side\"");

        private static readonly Gen<string> RangeValue = Gen.Elements(
            "bytes=0-4", "bytes=-3", "bytes=2-", "bytes=abc", "bytes=5-2", "items=0-1", "bytes=0-1,3-4", "bytes=99999999999999999999-", "bytes=100-200");

        private static Gen<string> OptionalHeader(string name, Gen<string> values) =>
            Gen.OneOf(Gen.Constant(""), values.Select(v => $"{name}: {Utf8AsLatin1(v)}"));

        private static readonly Gen<string[]> ObjectHeaders =
            from meta in Gen.ArrayOf(from n in MetaName from v in MetaValue select $"x-meta-{n}: {Utf8AsLatin1(v)}")
            from type in OptionalHeader("Content-Type", ContentType)
            from ifMatch in OptionalHeader("If-Match", ETagValue)
            from ifNoneMatch in OptionalHeader("If-None-Match", ETagValue)
            from md5 in OptionalHeader("Content-MD5", Gen.Elements("not base64!", "AAAAAAAAAAAAAAAAAAAAAA==", "XUFAKrxLKna5cZ2REBfFkg==", "AAAA"))
            select meta.Take(4).Append(type).Append(ifMatch).Append(ifNoneMatch).Append(md5).Where(h => h.Length > 0).ToArray();

        private static readonly Gen<string> QueryValue = Gen.OneOf(
            KeyText.Select(Escape),
            Gen.Elements("", "%ff", "%0A", "a%c0%af", "%2F", "abc", "-1", "0", "1", "2", "1001", "99999999999", "v1.AAAA", "lo.YQ", "%25%25"));

        private static readonly Gen<string> ListQuery =
            from names in Gen.ArrayOf(Gen.Elements("prefix", "delimiter", "pageSize", "pageToken", "unknown"))
            from values in Gen.ArrayOf(QueryValue)
            select names.Length == 0 ? "" : "?" + string.Join("&", names.Zip(values.Concat(Enumerable.Repeat("", names.Length)), (n, v) => $"{n}={v}"));

        private static Gen<string> JsonText(string bucket) => Gen.OneOf(
            KeyText.Select(k => JsonSerializer.Serialize(k)),
            Gen.Elements("\"\"", "null", "1", "\"../x\"", "\"a\\u0000b\"", "\"a\\r\\nb\"", "\"\\ud800\"", "{}", "[]", JsonSerializer.Serialize(bucket), "\"no-such-bucket-zz9\""));

        private static Gen<string> CopyBody(string bucket) => Gen.OneOf(
            Gen.Elements("{", "[]", "null", "{\"source\":1}", "{\"source\":{},\"target\":{}}", ""),
            from sourceBucket in BucketName(bucket).Select(b => JsonSerializer.Serialize(b))
            from sourceKey in JsonText(bucket)
            from targetBucket in BucketName(bucket).Select(b => JsonSerializer.Serialize(b))
            from targetKey in JsonText(bucket)
            from directive in Gen.Elements("", ",\"metadataDirective\":\"copy\"", ",\"metadataDirective\":\"replace\"", ",\"metadataDirective\":\"bogus\"")
            from contentType in Gen.OneOf(Gen.Constant(""), ContentType.Select(t => ",\"contentType\":" + JsonSerializer.Serialize(t)))
            from metadata in Gen.OneOf(Gen.Constant(""), from n in MetaName from v in MetaValue select $",\"metadata\":{{{JsonSerializer.Serialize(n)}:{JsonSerializer.Serialize(v)}}}")
            from conditions in Gen.OneOf(Gen.Constant(""), from f in Gen.Elements("sourceIfMatch", "targetIfMatch", "targetIfNoneMatch") from e in ETagValue
                                                              select $",\"{f}\":{JsonSerializer.Serialize(e)}")
            select $"{{\"source\":{{\"bucket\":{sourceBucket},\"key\":{sourceKey}}},\"target\":{{\"bucket\":{targetBucket},\"key\":{targetKey}}}{directive}{contentType}{metadata}{conditions}}}");

        public static Gen<Probe> Probe(string store, string bucket)
        {
            var objectPath = from b in BucketName(bucket) from k in RawKey select $"/v1/stores/{store}/buckets/{b}/objects/{k}";
            var body = Gen.OneOf(Gen.Constant(""), KeyText, Gen.Constant("hello"));
            return Gen.OneOf(
                from path in objectPath from headers in ObjectHeaders from text in body
                select new Probe("put", "PUT", path, headers, text, Writes: true),
                from path in objectPath from headers in ObjectHeaders from range in OptionalHeader("Range", RangeValue)
                select new Probe("get", "GET", path, headers.Append(range).Where(h => h.Length > 0).ToArray(), null, Writes: false),
                from path in objectPath from headers in ObjectHeaders
                select new Probe("head", "HEAD", path, headers, null, Writes: false),
                from path in objectPath from ifMatch in OptionalHeader("If-Match", ETagValue)
                select new Probe("delete", "DELETE", path, ifMatch.Length > 0 ? [ifMatch] : [], null, Writes: true),
                from b in BucketName(bucket) from query in ListQuery
                select new Probe("list", "GET", $"/v1/stores/{store}/buckets/{b}/objects{query}", [], null, Writes: false),
                from json in CopyBody(bucket) from type in Gen.Elements("application/json", "application/json", "text/plain")
                select new Probe("copy", "POST", $"/v1/stores/{store}/copy", [$"Content-Type: {type}"], json, Writes: true),
                from b in Gen.Elements("UPPER", "ab", "a--b", "bbnl%0A", "%ff%ff%ff", "b%C3%A4d", "-lead", bucket)
                select new Probe("create-bucket", "PUT", $"/v1/stores/{store}/buckets/{b}", [], null, Writes: true),
                from b in Gen.Elements("UPPER", "ab", "no-such-bucket-zz9", "bbnl%0A", "%ff%ff%ff")
                select new Probe("delete-bucket", "DELETE", $"/v1/stores/{store}/buckets/{b}", [], null, Writes: true));
        }
    }
}
