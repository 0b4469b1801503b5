using System.Text;
using Gateway.Testing;

namespace Gateway.Security.Tests;

public sealed record Answer(int Status, string MediaType, string Body);

/// <summary>One hostile or malformed request, its expected status, and (for replays) what is sent first.</summary>
public sealed record BadRequest(string Name, int Status, Func<SecuredGateway, Task<Answer>> Send,
    Func<SecuredGateway, Task>? Prepare = null, string? Code = null, bool ProblemJson = true);

/// <summary>The table of bad requests of issue 7: credentials, signatures, digests, replays, traversal, CR/LF, sizes, grants.</summary>
public static class BadRequests
{
    private const string Obj = "v1/stores/local/buckets/reports/objects/";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("payload that must not be stored");

    public static IReadOnlyList<BadRequest> All { get; } = Build();

    public static IEnumerable<object[]> Names => All.Select(c => new object[] { c.Name });

    private static List<BadRequest> Build() =>
    [
        // Credentials: missing, wrong, expired, revoked; all kinds.
        new("no credentials, GET object", 401, g => Send(g.Client(), HttpMethod.Get, Obj + "q1.txt"), Code: "unauthorized"),
        new("no credentials, PUT object", 401, g => Send(g.Client(), HttpMethod.Put, Obj + "anon.txt", Body), Code: "unauthorized"),
        new("no credentials, list stores", 401, g => Send(g.Client(), HttpMethod.Get, "v1/stores"), Code: "unauthorized"),
        new("no credentials, unknown route", 401, g => Send(g.Client(), HttpMethod.Get, "v1/nothing-here"), Code: "unauthorized"),
        new("no credentials, POST with a body", 401, g => Send(g.Client(), HttpMethod.Post, "v1/stores/local/copy", Body), Code: "unauthorized"),
        new("wrong API key", 401, g => Send(g.Client("gwk_" + new string('0', 64)), HttpMethod.Put, Obj + "wrong.txt", Body), Code: "unauthorized"),
        new("wrong API key in Authorization: ApiKey", 401, g => Send(g.Client(), HttpMethod.Put, Obj + "wrong2.txt", Body,
            r => r.Headers.TryAddWithoutValidation("Authorization", "ApiKey not-a-key")), Code: "unauthorized"),
        new("empty API key", 401, g => Send(g.Client(), HttpMethod.Get, Obj + "q1.txt", null, r => r.Headers.TryAddWithoutValidation("X-Api-Key", "")), Code: "unauthorized"),
        new("expired API key", 401, g => Send(g.Client("expired"), HttpMethod.Put, Obj + "expired.txt", Body), Code: "unauthorized"),
        new("revoked API key", 401, g => Send(g.Client("revoked"), HttpMethod.Delete, Obj + "q1.txt"), Code: "unauthorized"),
        new("bearer token that is not a JWT", 401, g => Send(g.Client(), HttpMethod.Put, Obj + "jwt.txt", Body,
            r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer not.a.token")), Code: "unauthorized"),
        new("expired JWT", 401, g => Bearer(g, g.Jwt("alice", "admin", expires: DateTime.UtcNow.AddMinutes(-10)), HttpMethod.Put, Obj + "jwt.txt", Body), Code: "unauthorized"),
        new("JWT for another audience", 401, g => Bearer(g, g.Jwt("alice", "admin", audience: "someone-else"), HttpMethod.Put, Obj + "jwt.txt", Body), Code: "unauthorized"),
        new("JWT from another issuer", 401, g => Bearer(g, g.Jwt("alice", "admin", issuer: "https://evil.test"), HttpMethod.Put, Obj + "jwt.txt", Body), Code: "unauthorized"),
        new("JWT signed with another key", 401, g => Bearer(g, g.Jwt("alice", "admin", key: new byte[32]), HttpMethod.Put, Obj + "jwt.txt", Body), Code: "unauthorized"),
        // Two credentials where one would do: neither is taken, whichever of them is valid.
        new("valid API key with an invalid bearer token", 401, g => Send(g.Client("admin"), HttpMethod.Put, Obj + "two.txt", Body,
            r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer not.a.token")), Code: "unauthorized"),
        new("valid JWT with an invalid API key", 401, g => Send(g.Client("gwk_" + new string('1', 64)), HttpMethod.Put, Obj + "two.txt", Body,
            r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + g.Jwt("alice", "admin"))), Code: "unauthorized"),
        new("valid API key with a Basic header", 401, g => Send(g.Client("admin"), HttpMethod.Delete, Obj + "q1.txt", null,
            r => r.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNz")), Code: "unauthorized"),

        // HTTP message signatures.
        new("signature by an unknown key", 401, g => Signed(g, Signer.Hmac("nobody", new byte[32]), HttpMethod.Put, Obj + "sig.txt", Body), Code: "unauthorized"),
        new("signature over other components (only @method)", 401, g => Signed(g, g.Ed, HttpMethod.Put, Obj + "sig.txt", Body, components: ["@method"]), Code: "unauthorized"),
        new("signature without content-digest for a body", 401, g => Signed(g, g.Ed, HttpMethod.Put, Obj + "sig.txt", Body, components: ["@method", "@target-uri"]), Code: "unauthorized"),
        new("signature made for another target", 401, g => SignedFor(g, g.Ed, HttpMethod.Put, Obj + "sig.txt", Obj + "elsewhere.txt", Body), Code: "unauthorized"),
        new("signature with a flipped bit", 401, g => Signed(g, g.Ed, HttpMethod.Put, Obj + "sig.txt", Body, tamper: true), Code: "unauthorized"),
        new("wrong Content-Digest (signed)", 400, g => Signed(g, g.Ed, HttpMethod.Put, Obj + "digest.txt", Body, sendBody: Encoding.UTF8.GetBytes("other bytes, same length!!!!!!!")), Code: "bad-digest"),
        new("wrong Content-Digest (signed, hmac, chunked body)", 400, g => Signed(g, g.Hmac, HttpMethod.Put, Obj + "digest2.txt", Body, sendBody: new byte[100_000], chunked: true), Code: "bad-digest"),
        new("wrong Content-Digest (API key)", 400, g => Send(g.Client("admin"), HttpMethod.Put, Obj + "digest3.txt", Body,
            r => r.Content!.Headers.Add("Content-Digest", Signer.DigestHeader(new byte[1]))), Code: "bad-digest"),
        new("malformed Content-Digest", 400, g => Send(g.Client("admin"), HttpMethod.Put, Obj + "digest4.txt", Body,
            r => r.Content!.Headers.TryAddWithoutValidation("Content-Digest", "sha-256=not-bytes")), Code: "bad-request"),
        new("wrong Content-Digest to a REST upstream (signed)", 400, g => Signed(g, g.Ed, HttpMethod.Post, "v1/rest/legacy/public/items", Body,
            sendBody: Encoding.UTF8.GetBytes("other bytes, same length!!!!!!!")), Code: "bad-digest"),
        new("malformed Signature-Input", 401, g => Send(g.Client(), HttpMethod.Get, Obj + "q1.txt", null, r =>
        {
            r.Headers.TryAddWithoutValidation("Signature-Input", "sig1=(\"@method\";created=oops");
            r.Headers.TryAddWithoutValidation("Signature", "sig1=:AAAA:");
        }), Code: "unauthorized"),
        // Found reading the structured-field parser for its fuzz target (bench/Fuzz, sfv): a decimal past what .NET's decimal holds threw
        // OverflowException, which the parser's callers did not expect: a 500 instead of the 401 and 400 of any other
        // malformed field. RFC 8941 allows 12 integer and 3 fraction digits.
        new("Signature-Input with a decimal of 32 digits", 401, g => Send(g.Client(), HttpMethod.Get, Obj + "q1.txt", null, r =>
        {
            r.Headers.TryAddWithoutValidation("Signature-Input", "sig1=(\"@method\");created=99999999999999999999999999999999.5");
            r.Headers.TryAddWithoutValidation("Signature", "sig1=:AAAA:");
        }), Code: "unauthorized"),
        new("Content-Digest with a decimal of 32 digits", 400, g => Send(g.Client("admin"), HttpMethod.Put, Obj + "digest-decimal.txt", Body,
            r => r.Content!.Headers.TryAddWithoutValidation("Content-Digest", "sha-256=99999999999999999999999999999999.5")), Code: "bad-request"),
        new("signature component with parameters", 401, g => Signed(g, g.Ed, HttpMethod.Get, Obj + "q1.txt", components: ["@method", "@target-uri", "@query-param;name=\"x\""]), Code: "unauthorized"),
        new("replayed nonce", 401, g => Replay(g, second: true), Prepare: g => Replay(g, second: false), Code: "unauthorized"),
        new("stale created", 401, g => Signed(g, g.Ed, HttpMethod.Put, Obj + "stale.txt", Body, created: Now() - 3600), Code: "unauthorized"),
        new("created in the future", 401, g => Signed(g, g.Ed, HttpMethod.Put, Obj + "future.txt", Body, created: Now() + 3600), Code: "unauthorized"),
        new("expired signature", 401, g => Signed(g, g.Ed, HttpMethod.Put, Obj + "expires.txt", Body, expires: Now() - 5), Code: "unauthorized"),
        new("signature without nonce", 401, g => Signed(g, g.Ed, HttpMethod.Put, Obj + "nonce.txt", Body, nonce: ""), Code: "unauthorized"),

        // Path traversal and encoded-slash tricks in every path parameter (as admin: the guard, not the grant, refuses).
        new("dot segments in key", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "a/../../secret/objects/x", "evil")),
        new("encoded dot segments in key", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "%2e%2e/%2E%2E/secret/objects/x", "evil")),
        new("encoded slash in key", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "a%2F..%2Fb", "evil")),
        new("encoded backslash in key", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "a%5C..%5Cb", "evil")),
        new("backslash in key", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "a\\..\\b", "evil")),
        new("NUL in key", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "a%00b", "evil"), ProblemJson: false),
        new("encoded slash in bucket", 400, g => Raw(g, "reports", "GET", "/v1/stores/local/buckets/reports%2F..%2Fsecret/objects/hidden.txt")),
        new("dot segment as bucket", 400, g => Raw(g, "admin", "PUT", "/v1/stores/local/buckets/%2e%2e/objects/x", "evil")),
        new("dot segment as store", 400, g => Raw(g, "admin", "PUT", "/v1/stores/%2e%2e/buckets/reports/objects/x", "evil")),
        new("traversal in REST path", 400, g => Raw(g, "admin", "GET", "/v1/rest/legacy/public/..%2f..%2fadmin")),
        new("dot segments in REST path", 400, g => Raw(g, "admin", "GET", "/v1/rest/legacy/public/../../admin")),
        new("encoded slash as REST upstream", 400, g => Raw(g, "admin", "GET", "/v1/rest/legacy%2F..%2Fother/x")),
        new("traversal as Docker host", 400, g => Raw(g, "admin", "GET", "/v1/docker/%2e%2e/containers")),
        new("traversal as Kubernetes namespace", 400, g => Raw(g, "admin", "GET", "/v1/kubernetes/test/namespaces/%2e%2e/pods")),
        new("encoded slash in Kubernetes namespace", 400, g => Raw(g, "kube-team-a", "GET", "/v1/kubernetes/test/namespaces/team-a%2F..%2Fteam-b/pods")),

        // CR/LF in header values: an encoded CR/LF reaches the app and is refused; a raw one is refused by the HTTP parser.
        new("encoded CR/LF in key", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "a%0D%0AX-Injected:%201", "evil")),
        new("CR/LF in a metadata header value", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "crlf.txt", "evil", "x-meta-owner: a\rX-Injected: 1"), ProblemJson: false),

        // Malformed HTTP that Kestrel's parser refuses before any application code runs: a bare 400 (docs/errors.md says
        // why), and still nothing stored, no backend called.
        new("raw space in the request target", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "a b.txt", "evil"), ProblemJson: false),
        new("NUL in a header value", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "nul.txt", "evil", "x-meta-owner: a\0b"), ProblemJson: false),
        new("obs-fold in a header", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "fold.txt", "evil", "x-meta-owner: a\r\n folded"), ProblemJson: false),
        new("non-numeric Content-Length", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "cl1.txt", null, "Content-Length: abc"), ProblemJson: false),
        new("negative Content-Length", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "cl2.txt", null, "Content-Length: -5"), ProblemJson: false),
        new("doubled Content-Length", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "cl3.txt", null, "Content-Length: 4\r\nContent-Length: 5"), ProblemJson: false),
        new("overflowing Content-Length", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "cl4.txt", null, "Content-Length: 99999999999999999999999"), ProblemJson: false),
        new("Transfer-Encoding: gzip", 400, g => Raw(g, "admin", "PUT", "/" + Obj + "te.txt", null, "Transfer-Encoding: gzip"), ProblemJson: false),

        // Sizes.
        new("request target over 8 KB", 414, g => Raw(g, "admin", "GET", "/" + Obj + new string('k', 9000)), Code: "uri-too-long"),
        new("one header over 64 KB", 431, g => Raw(g, "admin", "PUT", "/" + Obj + "huge-header.txt", "evil", "X-Filler: " + new string('a', 70_000)), Code: "headers-too-large"),
        new("150 header lines", 431, g => Raw(g, "admin", "PUT", "/" + Obj + "many-headers.txt", "evil",
            string.Join("\r\n", Enumerable.Range(0, 150).Select(i => $"X-Line-{i}: {i}"))), Code: "headers-too-large"),
        new("oversized headers", 431, g => Send(g.Client("admin"), HttpMethod.Put, Obj + "big-headers.txt", Body,
            r => r.Headers.Add("X-Filler", new string('a', 9000))), Code: "headers-too-large"),
        new("oversized object body", 413, g => Send(g.Client("admin"), HttpMethod.Put, Obj + "big.bin", new byte[2 * 1024 * 1024],
            r => r.Headers.ExpectContinue = true), Code: "payload-too-large"),
        new("oversized JSON body", 413, g => Send(g.Client("admin"), HttpMethod.Post, "v1/stores/local/copy", Encoding.UTF8.GetBytes(
            "{\"source\":{\"bucket\":\"reports\",\"key\":\"q1.txt\"},\"target\":{\"bucket\":\"reports\",\"key\":\"copied.txt\"},\"metadata\":{\"pad\":\"" + new string('x', 100_000) + "\"}}"),
            r => { r.Content!.Headers.ContentType = new("application/json"); r.Headers.ExpectContinue = true; }), Code: "payload-too-large"),

        // Grants: buckets, namespaces, upstreams and admin endpoints outside a caller's grant.
        new("read a bucket outside the grant", 403, g => Send(g.Client("reports"), HttpMethod.Get, "v1/stores/local/buckets/secret/objects/hidden.txt"), Code: "forbidden"),
        new("write a bucket outside the grant", 403, g => Send(g.Client("reports"), HttpMethod.Put, "v1/stores/local/buckets/secret/objects/new.txt", Body), Code: "forbidden"),
        new("delete outside the grant", 403, g => Send(g.Client("reports"), HttpMethod.Delete, "v1/stores/local/buckets/secret/objects/hidden.txt"), Code: "forbidden"),
        new("list outside the grant", 403, g => Send(g.Client("reports"), HttpMethod.Get, "v1/stores/local/buckets/secret/objects"), Code: "forbidden"),
        new("list the buckets of a store with a bucket grant", 403, g => Send(g.Client("reports"), HttpMethod.Get, "v1/stores/local/buckets"), Code: "forbidden"),
        new("create a bucket outside the grant", 403, g => Send(g.Client("reports"), HttpMethod.Put, "v1/stores/local/buckets/another"), Code: "forbidden"),
        new("delete the granted bucket's neighbour", 403, g => Send(g.Client("reports"), HttpMethod.Delete, "v1/stores/local/buckets/secret"), Code: "forbidden"),
        new("copy out of a bucket outside the grant", 403, g => Send(g.Client("reports"), HttpMethod.Post, "v1/stores/local/copy", Encoding.UTF8.GetBytes(
            """{"source":{"bucket":"secret","key":"hidden.txt"},"target":{"bucket":"reports","key":"stolen.txt"}}"""),
            r => r.Content!.Headers.ContentType = new("application/json")), Code: "forbidden"),
        new("signed write outside the signer's grant", 403, g => Signed(g, g.Hmac, HttpMethod.Put, "v1/stores/local/buckets/secret/objects/hmac.txt", Body), Code: "forbidden"),
        new("JWT scope outside the grant", 403, g => Bearer(g, g.Jwt("bob", "read:stores/local/buckets/reports/**"), HttpMethod.Put, Obj + "bob.txt", Body), Code: "forbidden"),
        new("write to an upstream with a read grant", 403, g => Send(g.Client("rest-reader"), HttpMethod.Post, "v1/rest/legacy/public/items", Body), Code: "forbidden"),
        new("read an upstream path outside the grant", 403, g => Send(g.Client("rest-reader"), HttpMethod.Get, "v1/rest/legacy/private/items"), Code: "forbidden"),
        new("read another namespace", 403, g => Send(g.Client("kube-team-a"), HttpMethod.Get, "v1/kubernetes/test/namespaces/team-b/pods"), Code: "forbidden"),
        new("scale a deployment with a read grant", 403, g => Send(g.Client("kube-team-a"), HttpMethod.Put, "v1/kubernetes/test/namespaces/team-a/deployments/web/scale",
            Encoding.UTF8.GetBytes("{\"replicas\":0}"), r => r.Content!.Headers.ContentType = new("application/json")), Code: "forbidden"),
        new("list bridges without a grant", 403, g => Send(g.Client("reports"), HttpMethod.Get, "v1/bridges"), Code: "forbidden"),
        new("read the audit log without a grant", 403, g => Send(g.Client("reports"), HttpMethod.Get, "v1/audit"), Code: "forbidden"),
        new("OpenAPI is not open to a stranger's key", 401, g => Send(g.Client("gwk_nope"), HttpMethod.Get, "openapi/v1.json"), Code: "unauthorized"),
        new("OpenAPI is not open without credentials", 401, g => Send(g.Client(), HttpMethod.Get, "openapi/v1.json"), Code: "unauthorized"),
        new("OpenAPI needs a grant on it", 403, g => Send(g.Client("reports"), HttpMethod.Get, "openapi/v1.json"), Code: "forbidden"),
    ];

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static async Task<Answer> Send(HttpClient client, HttpMethod method, string url, byte[]? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using (client)
        {
            using var request = new HttpRequestMessage(method, url);
            if (body is not null) request.Content = new ByteArrayContent(body);
            configure?.Invoke(request);
            return await Read(await client.SendAsync(request));
        }
    }

    private static Task<Answer> Bearer(SecuredGateway g, string token, HttpMethod method, string url, byte[]? body = null) =>
        Send(g.Client(), method, url, body, r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token));

    public static Task<Answer> Signed(SecuredGateway g, Signer signer, HttpMethod method, string url, byte[]? body = null,
        string[]? components = null, long? created = null, long? expires = null, string? nonce = null, bool tamper = false,
        byte[]? sendBody = null, bool chunked = false) =>
        SignedFor(g, signer, method, url, url, body, components, created, expires, nonce, tamper, sendBody, chunked);

    /// <summary>Signs a request for <paramref name="signedUrl"/> and sends it to <paramref name="url"/>.</summary>
    public static async Task<Answer> SignedFor(SecuredGateway g, Signer signer, HttpMethod method, string url, string signedUrl, byte[]? body = null,
        string[]? components = null, long? created = null, long? expires = null, string? nonce = null, bool tamper = false,
        byte[]? sendBody = null, bool chunked = false)
    {
        using var client = g.Client();
        using var signing = new HttpRequestMessage(method, g.Url(signedUrl));
        if (body is not null) signing.Content = new ByteArrayContent(body);
        var signature = signer.Sign(signing, components, created, expires, nonce, body);
        g.Secrets.Add(signature);
        using var request = new HttpRequestMessage(method, g.Url(url));
        var payload = sendBody ?? body;
        if (payload is not null)
        {
            request.Content = chunked ? new StreamContent(new NoLengthStream(payload)) : new ByteArrayContent(payload);
            foreach (var h in signing.Content!.Headers) request.Content.Headers.TryAddWithoutValidation(h.Key, h.Value);
            if (chunked) request.Content.Headers.ContentLength = null;
        }
        foreach (var h in signing.Headers)
        {
            var values = h.Value.ToArray();
            if (tamper && h.Key == "Signature") values = [Tamper(values[0])];
            request.Headers.TryAddWithoutValidation(h.Key, values);
        }
        return await Read(await client.SendAsync(request));
    }

    private static string Tamper(string signatureHeader)
    {
        var start = signatureHeader.IndexOf(':') + 1;
        var bytes = Convert.FromBase64String(signatureHeader[start..^1]);
        bytes[0] ^= 1;
        return signatureHeader[..start] + Convert.ToBase64String(bytes) + ":";
    }

    // Sent once and accepted (it reaches the upstream), then sent again byte for byte.
    private static readonly Dictionary<SecuredGateway, HttpRequestMessage> Replays = [];

    private static async Task<Answer> Replay(SecuredGateway g, bool second)
    {
        using var client = g.Client();
        if (!second)
        {
            var original = new HttpRequestMessage(HttpMethod.Get, g.Url("v1/rest/legacy/public/replayed"));
            g.Secrets.Add(g.Ed.Sign(original));
            lock (Replays) Replays[g] = original;
            var first = await Read(await client.SendAsync(Clone(original)));
            Assert.True(first.Status == 200, $"the first, genuine request must pass: {first.Status} {first.Body}");
            return first;
        }
        HttpRequestMessage again;
        lock (Replays) again = Replays[g];
        return await Read(await client.SendAsync(Clone(again)));
    }

    private static HttpRequestMessage Clone(HttpRequestMessage m)
    {
        var copy = new HttpRequestMessage(m.Method, m.RequestUri);
        foreach (var h in m.Headers) copy.Headers.TryAddWithoutValidation(h.Key, h.Value);
        return copy;
    }

    private static async Task<Answer> Raw(SecuredGateway g, string key, string method, string target, string? body = null, string? header = null)
    {
        var headers = new List<string> { $"X-Api-Key: {g.Keys[key]}" };
        if (header is not null) headers.Add(header);
        var response = await RawHttp.SendAsync(g.Server.BaseAddress, method, target, body, headers);
        var chunked = response.Head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
        return new Answer(response.Status, response.ContentType.Split(';')[0].Trim(), chunked ? Dechunk(response.Body) : response.Body);
    }

    private static string Dechunk(string body)
    {
        var sb = new StringBuilder();
        var at = 0;
        while (at < body.Length)
        {
            var eol = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (eol < 0) break;
            var size = Convert.ToInt32(body[at..eol].Split(';')[0], 16);
            if (size == 0) break;
            sb.Append(body, eol + 2, size);
            at = eol + 2 + size + 2;
        }
        return sb.ToString();
    }

    private static async Task<Answer> Read(HttpResponseMessage response)
    {
        using (response)
            return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsStringAsync());
    }

    /// <summary>A stream that hides its length, so HttpClient sends the body chunked.</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
