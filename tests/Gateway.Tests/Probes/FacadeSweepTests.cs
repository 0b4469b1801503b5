using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.OpenApi;
using Xunit;
using Xunit.Abstractions;

namespace Gateway.Tests.Probes;

/// <summary>
/// A deterministic sweep of the REST facade, driven by the committed OpenAPI document: for every operation, every path
/// parameter gets hostile values, every query parameter values of the wrong type, out of range and given twice, every
/// JSON body is missing, malformed, of the wrong shape, of the wrong media type and over the limit, and every path is
/// tried with the methods it does not have. Whatever is sent: no 5xx, every 4xx is problem+json with type, title and
/// status, every status is one the document lists, and what must be refused is refused and changes nothing (buckets,
/// objects, migrations and containers are compared before and after). Each test lists every offending request at once.
/// </summary>
[Collection(ProbeGatewayCollection.Name)]
public sealed class FacadeSweepTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Values the gateway refuses in any path segment before routing (RawPathGuard) or as too long (414).</summary>
    private static readonly string[] RefusedInPath =
    [
        "..", "%2e%2e", "%2E", "a%2Fb", "%2f", "a%5C..%5Cb", "%ZZ", "%", "a%C3%28", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", new string('z', 9000),
    ];

    /// <summary>Values that may be valid somewhere (or reach a backend) but must never make a 5xx or a bare error.</summary>
    private static readonly string[] HostileInPath =
    [
        "-", "_", "a%20b", "%20", "x%0Ay", "%09", "%7F", "%E2%80%AE", "%F0%9F%98%80", "%EF%BB%BF", "UPPER", "-lead", "trail-",
        "a..b", "...", "%25", "%2525", "'", "%22", "%3Cb%3E", "a:b", "a;b", "a=b", "a@b", "a+b", "1", "0", "-1", "2147483648",
        "99999999999999999999", "null", "true", "%7B%7D", new string('k', 300), new string('k', 1100), new string('k', 4000),
    ];

    // A whole number is ASCII digits with '-' before a negative one: a sign '+' ("+1" is " 1" in a query, "%2B1" is "+1"),
    // white space and exponents are refused, though .NET's integer parsing takes the first two.
    private static readonly string[] WrongInteger =
        ["abc", "1.5", "1e3", "0x10", "99999999999999999999", "-99999999999999999999", "", "%201", "1%20", "+1", "%2B1", "%091", "--1", "-"];
    private static readonly string[] EdgeInteger = ["05", "-1", "0", "1", "-2147483648", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808"];
    // .NET's bool parsing trims white space and NULs: " true" and "true\0" were taken.
    private static readonly string[] WrongBoolean = ["maybe", "2", "yes", "TRUEE", "", "%20true", "true%20", "+true", "true%00", "%09false"];
    private static readonly string[] HostileString =
    [
        "", "%00", "%0A", "%0D%0A", "%E2%80%AE", "%F0%9F%98%80", "%25", "*", "%3D%3D", "a%26b", "%7B%22a%22%3A1%7D", "!%3D%3D", new string('q', 5000),
    ];

    private ProbeGateway _gateway = null!;
    private readonly List<string> _failures = [];
    private readonly OpenApiContract _contract = OpenApiContract.Load();

    public async Task InitializeAsync() => _gateway = await ProbeGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Hostile_path_values_are_refused_without_5xx_and_change_nothing()
    {
        var before = await _gateway.SnapshotAsync();
        foreach (var op in SweepOperation.All())
        foreach (var parameter in op.PathParameters)
        foreach (var value in RefusedInPath)
        {
            var target = op.Target(_gateway.WellFormed, (parameter, value));
            await ProbeAsync(op, target, op.WellFormedBody(), mustRefuse: true);
        }
        await ExpectUnchangedAsync(before);
        // Hostile values that may be valid for some parameter: read-only operations only, so the store stays as it is.
        foreach (var op in SweepOperation.All().Where(o => o.Method is "GET" or "HEAD"))
        foreach (var parameter in op.PathParameters)
        foreach (var value in HostileInPath)
            await ProbeAsync(op, op.Target(_gateway.WellFormed, (parameter, value)), null, mustRefuse: false);
        Report(nameof(Hostile_path_values_are_refused_without_5xx_and_change_nothing));
    }

    [Fact]
    public async Task Hostile_path_values_on_writes_never_answer_5xx()
    {
        foreach (var op in SweepOperation.All().Where(o => o.Method is not ("GET" or "HEAD")))
        foreach (var parameter in op.PathParameters)
        foreach (var value in HostileInPath)
            await ProbeAsync(op, op.Target(_gateway.WellFormed, (parameter, value)), op.WellFormedBody(), mustRefuse: false);
        Report(nameof(Hostile_path_values_on_writes_never_answer_5xx));
    }

    [Fact]
    public async Task Query_parameters_of_the_wrong_type_out_of_range_or_twice_are_4xx_problems()
    {
        var before = await _gateway.SnapshotAsync();
        foreach (var op in SweepOperation.All())
        {
            var path = op.Target(_gateway.WellFormed);
            foreach (var q in op.QueryParameters)
            {
                var typedWrong = q.Type switch
                {
                    "integer" => WrongInteger,
                    "boolean" => WrongBoolean,
                    _ => [],
                };
                foreach (var value in typedWrong)
                    await ProbeAsync(op, $"{path}?{q.Name}={value}", op.WellFormedBody(), mustRefuse: value.Length > 0 || q.Type == "boolean");
                var lenient = q.Type switch
                {
                    "integer" => EdgeInteger,
                    "boolean" => ["true", "false", "True", "1", "0"],
                    _ => HostileString,
                };
                foreach (var value in lenient)
                    await ProbeAsync(op, $"{path}?{q.Name}={value}", op.WellFormedBody(), mustRefuse: false);
                var twice = q.Type switch { "integer" => "1", "boolean" => "true", _ => "a" };
                await ProbeAsync(op, $"{path}?{q.Name}={twice}&{q.Name}={twice}", op.WellFormedBody(), mustRefuse: false);
                await ProbeAsync(op, $"{path}?{q.Name}", op.WellFormedBody(), mustRefuse: false);
            }
            // Unknown and malformed query strings.
            await ProbeAsync(op, $"{path}?%ZZ=1", op.WellFormedBody(), mustRefuse: !op.Path.StartsWith("/v1/rest/", StringComparison.Ordinal));
            await ProbeAsync(op, $"{path}?a=%C3%28", op.WellFormedBody(), mustRefuse: !op.Path.StartsWith("/v1/rest/", StringComparison.Ordinal));
        }
        // Combinations that are wrong together.
        var consistency = SweepOperation.All().Single(o => o.Path == "/v1/audit/consistency");
        foreach (var q in new[] { "from=5&to=2", "from=0&to=0", "from=1&to=99999999", "from=-1&to=1", "from=9223372036854775807&to=9223372036854775807" })
            await ProbeAsync(consistency, $"/v1/audit/consistency?{q}", null, mustRefuse: false);
        var listing = SweepOperation.All().Single(o => o is { Method: "GET", Path: "/v1/stores/{store}/buckets/{bucket}/objects" });
        var page = await _gateway.Server.Client.GetStringAsync($"v1/stores/local/buckets/{ProbeGateway.Bucket}/objects?pageSize=1&prefix=");
        foreach (var q in new[] { "pageSize=0", "pageSize=1001", "delimiter=" + new string('/', 1025), "delimiter=a%09b", "prefix=%2E%2E%2Fx", "prefix=a%0Ab", "pageToken=" + new string('t', 5000) })
            await ProbeAsync(listing, listing.Target(_gateway.WellFormed) + "?" + q, null, mustRefuse: true);
        Assert.Contains("probe.txt", page);
        await ExpectUnchangedAsync(before);
        Report(nameof(Query_parameters_of_the_wrong_type_out_of_range_or_twice_are_4xx_problems));
    }

    [Fact]
    public async Task Json_bodies_missing_malformed_misshapen_mistyped_or_too_large_are_refused_and_change_nothing()
    {
        var before = await _gateway.SnapshotAsync();
        var oversized = "{\"pad\":\"" + new string('x', (int)ProbeGateway.BodyLimit + 100) + "\"}";
        var kubeWrites = ProbeGateway.KubeWrites;
        string[] malformed =
        [
            "", "{", "{not json", "[]", "null", "\"text\"", "7", "{}", "{\"a\":}", "{\"image\":7}", "{\"source\":7,\"target\":[]}",
            "{\"replicas\":\"three\"}", "{\"replicas\":-1}", "{\"replicas\":1,\"replica\":2}", "{\"replicas\":99999999999}", new string('[', 5000) + new string(']', 5000),
            "{\"a\":1,\"a\":2}", "\uFEFF{}", "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\",\"key\":\"../x\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-bucket\",\"key\":\"y\"}}",
        ];
        foreach (var op in SweepOperation.All().Where(o => o.JsonBody))
        {
            var target = op.Target(_gateway.WellFormed);
            foreach (var body in malformed)
                await ProbeAsync(op, target, (body, "application/json"), mustRefuse: true, checkState: true);
            await ProbeAsync(op, target, null, mustRefuse: true);
            await ProbeAsync(op, target, (oversized, "application/json"), mustRefuse: true, expect: 413);
            var valid = op.WellFormedBody()!.Value.Body;
            foreach (var type in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "application/jsonx", "json", "" })
                await ProbeAsync(op, target, (valid, type), mustRefuse: true, expect: 415);
            // A charset that names no encoding (the JSON binder threw on it: a 500).
            foreach (var charset in new[] { "foo", "", "\"\"", "'utf-8'", "utf-7" })
                await ProbeAsync(op, target, (valid, "application/json; charset=" + charset), mustRefuse: true, expect: 415);
            await ProbeAsync(op, target, ("{\"a\":\"\u00e9\"}", "application/json; charset=iso-8859-1"), mustRefuse: true);
            await ProbeAsync(op, target, ("{}", "application/json; charset=utf-16"), mustRefuse: true);
        }
        await ExpectUnchangedAsync(before);
        if (ProbeGateway.KubeWrites != kubeWrites) _failures.Add($"{ProbeGateway.KubeWrites - kubeWrites} refused bodies still reached the Kubernetes API server");
        Report(nameof(Json_bodies_missing_malformed_misshapen_mistyped_or_too_large_are_refused_and_change_nothing));
    }

    [Fact]
    public async Task Copy_and_migration_bodies_with_invalid_values_are_400_and_change_nothing()
    {
        var before = await _gateway.SnapshotAsync();
        var copy = SweepOperation.All().Single(o => o is { Method: "POST", Path: "/v1/stores/{store}/copy" });
        var migrate = SweepOperation.All().Single(o => o is { Method: "POST", Path: "/v1/migrations" });
        var docker = SweepOperation.All().Single(o => o is { Method: "POST", Path: "/v1/docker/{host}/containers" });
        const string src = "\"source\":{\"bucket\":\"probe-bucket\",\"key\":\"probe.txt\"}";
        const string dst = "\"target\":{\"bucket\":\"probe-bucket\",\"key\":\"copied.txt\"}";
        string[] copies =
        [
            "{\"source\":{\"bucket\":\"probe-bucket\",\"key\":\"a/../b\"}," + dst + "}",
            "{\"source\":{\"bucket\":\"Bad_Bucket\",\"key\":\"probe.txt\"}," + dst + "}",
            "{" + src + ",\"target\":{\"bucket\":\"probe-bucket\",\"key\":\"\"}}",
            "{" + src + ",\"target\":{\"bucket\":\"probe-bucket\",\"key\":\"/lead\"}}",
            "{" + src + ",\"target\":{\"bucket\":\"probe-bucket\",\"key\":\"nul\\u0000\"}}",
            "{" + src + ",\"target\":{\"bucket\":\"probe-bucket\",\"key\":\"" + new string('k', 1100) + "\"}}",
            "{" + src + "}",
            "{" + dst + "}",
            "{" + src + "," + dst + ",\"metadataDirective\":\"bogus\"}",
            "{" + src + "," + dst + ",\"metadataDirective\":\"replace\",\"contentType\":\"not a type\"}",
            "{" + src + "," + dst + ",\"metadataDirective\":\"replace\",\"metadata\":{\"bad name\":\"v\"}}",
            "{" + src + "," + dst + ",\"metadataDirective\":\"replace\",\"metadata\":{\"ok\":\"caf\u00e9\"}}",
            "{" + src + "," + dst + ",\"metadataDirective\":\"replace\",\"metadata\":{\"ok\":null}}",
            "{" + src + "," + dst + ",\"sourceIfMatch\":\"no-quotes\"}",
            "{" + src + "," + dst + ",\"targetIfNoneMatch\":\"W/\"}",
            "{" + src + "," + dst + ",\"targetIfMatch\":\"\\\"nope\\\"\"}",
            "{" + src + "," + dst + ",\"sourceIfMatch\":\"\\\"nope\\\"\"}",
            "{" + src + "," + dst + ",\"contentHeaders\":{\"cacheControl\":\"" + new string('c', 2000) + "\"}}",
            "{" + src + "," + dst + ",\"contentHeaders\":7}",
            "{\"source\":{\"bucket\":\"probe-bucket\",\"key\":\"missing.txt\"}," + dst + "}",
            "{" + src + "," + dst + ",\"targetIfNoneMatchh\":\"*\"}",
            "{\"source\":{\"bucket\":\"probe-bucket\",\"key\":\"probe.txt\",\"versionId\":\"v1\"}," + dst + "}",
            "{" + src + ",\"target\":{\"bucket\":\"no-such-bucket\",\"key\":\"x\"}}",
            "{" + src + "," + dst + ",\"metadata\":{\"owner\":\"a\"}}",
            "{" + src + "," + dst + ",\"metadataDirective\":\"copy\",\"contentType\":\"text/csv\"}",
            "{" + src + "," + dst + ",\"contentHeaders\":{\"cacheControl\":\"no-cache\"}}",
        ];
        foreach (var body in copies)
            await ProbeAsync(copy, copy.Target(_gateway.WellFormed), (body, "application/json"), mustRefuse: true, checkState: true);
        string[] migrations =
        [
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"}}",
            "{\"source\":{\"store\":\"nope\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"}}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"BAD\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"}}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"}}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"mode\":\"teleport\"}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"concurrency\":0}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"concurrency\":100000}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"concurrency\":-3}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"bandwidthLimit\":-1}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"bandwidthLimit\":\"fast\"}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"include\":[\"a\\u0001b\"]}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"include\":\"*\"}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"exclude\":[null]}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"verify\":\"maybe\"}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\",\"prefix\":\"../\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"}}",
            // Unknown members are refused, not ignored: a misspelt dryRun or prefix must not start a real (or wider) migration.
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"dry_run\":true}",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-bucket\",\"prefx\":\"a/\"},\"target\":{\"store\":\"local\",\"bucket\":\"probe-target\"},\"dryRun\":true}",
        ];
        foreach (var body in migrations)
            await ProbeAsync(migrate, migrate.Target(_gateway.WellFormed), (body, "application/json"), mustRefuse: true, checkState: true);
        // The real test image, so a body the gateway failed to check would create a container (and show in the snapshot).
        var image = Backends.Require("DOCKER_TEST_IMAGE", "dockerd");
        string[] containers =
        [
            "{\"image\":\"\"}", "{\"image\":\"UPPER/Case\"}", "{\"image\":\"a b\"}", "{\"image\":\"" + image + "\",\"name\":\"bad name!\"}",
            "{\"image\":\"" + image + "\",\"name\":\"-x\"}", "{\"image\":\"" + image + "\",\"portBindings\":[{\"containerPort\":-1}]}",
            "{\"image\":\"" + image + "\",\"portBindings\":[{\"containerPort\":70000}]}", "{\"image\":\"" + image + "\",\"portBindings\":[{\"containerPort\":80,\"protocol\":\"icmp\"}]}",
            "{\"image\":\"" + image + "\",\"env\":{\"A=B\":\"c\"}}", "{\"image\":\"" + image + "\",\"env\":{\"\":\"c\"}}", "{\"image\":\"" + image + "\",\"command\":\"ls\"}",
            "{\"image\":\"" + image + "\",\"labels\":{\"a\":7}}", "{\"image\":\"gw-probe/none:1\"}",
            "{\"image\":\"" + image + "\",\"portBindings\":[{\"containerPort\":80,\"hostPort\":70000}]}",
            "{\"image\":\"" + image + "\",\"portBindings\":[{\"containerPort\":80,\"hostPort\":8080,\"hostIp\":\"999.1.1.1\"}]}",
            "{\"image\":\"" + image + "\",\"name\":\"" + new string('n', 300) + "\"}", "{\"image\":\"" + image + "\",\"workingDir\":\"relative/dir\"}",
            "{\"image\":\"" + image + "\",\"env\":{\"A\":\"nul\\u0000\"}}", "{\"image\":\"" + image + "\",\"tty\":\"yes\"}",
        ];
        foreach (var body in containers)
            await ProbeAsync(docker, docker.Target(_gateway.WellFormed), (body, "application/json"), mustRefuse: true, checkState: true);
        await ExpectUnchangedAsync(before);
        Report(nameof(Copy_and_migration_bodies_with_invalid_values_are_400_and_change_nothing));
    }

    [Fact]
    public async Task Object_headers_that_are_malformed_are_refused_and_change_nothing()
    {
        var before = await _gateway.SnapshotAsync();
        var put = SweepOperation.All().Single(o => o is { Method: "PUT", Path: "/v1/stores/{store}/buckets/{bucket}/objects/{key}" });
        var get = SweepOperation.All().Single(o => o is { Method: "GET", Path: "/v1/stores/{store}/buckets/{bucket}/objects/{key}" });
        var head = SweepOperation.All().Single(o => o is { Method: "HEAD", Path: "/v1/stores/{store}/buckets/{bucket}/objects/{key}" });
        var delete = SweepOperation.All().Single(o => o is { Method: "DELETE", Path: "/v1/stores/{store}/buckets/{bucket}/objects/{key}" });
        var existing = put.Target(_gateway.WellFormed);
        var fresh = put.Target(p => p == "key" ? "fresh/new.txt" : _gateway.WellFormed(p));
        string[][] refusedOnPut =
        [
            ["Content-MD5: zz"], ["Content-MD5: AAAAAAAAAAAAAAAAAAAAAA=="], ["Content-MD5: "], ["Content-Type: not a type"], ["Content-Type: text/"],
            ["Content-Type: " + new string('t', 300) + "/x"], ["x-meta-a.b: v"], ["x-meta-: v"], ["x-meta-ok: "], ["x-meta-ok: caf\u00e9"],
            ["x-meta-big: " + new string('m', 3000)], ["If-Match: no-quotes"], ["If-None-Match: abc"], ["If-Match: \"nope\""], ["If-Match: W/\"weak\""],
            ["Cache-Control: " + new string('c', 2000)], ["Content-Disposition: caf\u00e9"], ["Expires: " + new string('e', 1100)],
            ["Content-Digest: sha-256=:AAAA:"], ["Content-Digest: garbage"], ["Content-Encoding: \u00e9"],
        ];
        foreach (var headers in refusedOnPut)
        {
            await ProbeAsync(put, existing, ("new body", "text/plain"), mustRefuse: true, headers: headers, checkState: true);
            await ProbeAsync(put, fresh, ("new body", "text/plain"), mustRefuse: true, headers: headers, checkState: true);
        }
        await ProbeAsync(put, existing, ("new body", "text/plain"), mustRefuse: true, headers: ["If-None-Match: *"], expect: 412);
        string[][] onRead =
        [
            ["Range: bytes=abc"], ["Range: bytes=5-1"], ["Range: bytes=-0"], ["Range: bytes=0-0,2-3"], ["Range: items=0-1"], ["Range: bytes=99999999999999999999-"],
            ["Range: bytes=-99999999999999999999"], ["Range: bytes=100-"], ["Range: bytes="], ["Range: bytes=--1"], ["Range: bytes=0-1, 1-0"], ["If-Match: no-quotes"],
            ["If-None-Match: abc"], ["If-Match: \"nope\""], ["If-None-Match: W/"], ["If-Modified-Since: yesterday"], ["If-Unmodified-Since: not a date"],
            ["If-Modified-Since: Mon, 32 Jan 2024 00:00:00 GMT"], ["If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT"], ["If-Range: garbage", "Range: bytes=0-1"],
            ["If-Range: \"nope\"", "Range: bytes=0-1"], ["If-Range: Mon, 99 Jan 2024 00:00:00 GMT", "Range: bytes=0-1"],
        ];
        foreach (var headers in onRead)
        {
            await ProbeAsync(get, existing, null, mustRefuse: false, headers: headers);
            await ProbeAsync(head, existing, null, mustRefuse: false, headers: headers);
        }
        foreach (var headers in new[] { new[] { "If-Match: no-quotes" }, ["If-Match: \"nope\""], ["If-Match: W/\"x\""], ["If-None-Match: *"], ["If-Match: "] })
            await ProbeAsync(delete, existing, null, mustRefuse: true, headers: headers, checkState: true);
        await ExpectUnchangedAsync(before);
        Report(nameof(Object_headers_that_are_malformed_are_refused_and_change_nothing));
    }

    [Fact]
    public async Task Hostile_headers_on_every_operation_never_answer_5xx()
    {
        string[][] hostile =
        [
            ["Accept: application/xml"], ["Accept: */*;q=abc"], ["Accept-Encoding: br;q=2, gzip;q=-1"], ["Expect: garbage"], ["Range: bytes=0-0"],
            ["If-None-Match: garbage"], ["If-Modified-Since: garbage"], ["If-Match: *"], ["Content-Encoding: gzip"], ["X-Forwarded-For: ::::"],
            ["X-Forwarded-Proto: gopher"], ["X-Forwarded-Host: evil.test"], ["Origin: http://evil.test"], ["X-Request-Id: <script>" + new string('r', 2000)],
            ["traceparent: 00-garbage-garbage-01"], ["traceparent: 00-" + new string('0', 32) + "-" + new string('0', 16) + "-01"], ["tracestate: " + new string('t', 5000)],
            ["baggage: a=" + new string('b', 5000)], ["Cookie: " + new string('c', 5000)], ["Content-MD5: zz"], ["Content-Digest: sha-256=:zz:"],
            ["Signature-Input: sig1=()"], ["Authorization: ApiKey "], ["X-HTTP-Method-Override: DELETE"], ["Max-Forwards: -1"],
        ];
        foreach (var op in SweepOperation.All().Where(o => o.Method is not "DELETE"))
        foreach (var headers in hostile)
            await ProbeAsync(op, op.Target(_gateway.WellFormed), op.WellFormedBody(), mustRefuse: false, headers: headers);
        var load = SweepOperation.All().Single(o => o is { Method: "POST", Path: "/v1/docker/{host}/images/load" });
        await ProbeAsync(load, load.Target(_gateway.WellFormed), ("{}", "application/json"), mustRefuse: true, expect: 415);
        await ProbeAsync(load, load.Target(_gateway.WellFormed), null, mustRefuse: true);
        var rest = SweepOperation.All().Single(o => o is { Method: "POST", Path: "/v1/rest/{upstream}/{path}" });
        await ProbeAsync(rest, rest.Target(_gateway.WellFormed), (new string('r', (int)ProbeGateway.BodyLimit * 3), "text/plain"), mustRefuse: false);
        Report(nameof(Hostile_headers_on_every_operation_never_answer_5xx));
    }

    [Fact]
    public async Task Methods_a_path_does_not_have_are_405_problems()
    {
        string[] methods = ["GET", "PUT", "POST", "DELETE", "PATCH"];
        foreach (var (path, ops) in SweepOperation.All().GroupBy(o => o.Path).Select(g => (g.Key, g.ToList())))
        {
            if (path.StartsWith("/v1/rest/", StringComparison.Ordinal)) continue; // forwards every method it lists
            var target = ops[0].Target(_gateway.WellFormed);
            foreach (var method in methods.Where(m => ops.All(o => o.Method != m)))
                await ExpectAsync(method, target, 405);
        }
        foreach (var (method, target) in new[]
                 {
                     ("POST", "/health/live"), ("DELETE", "/health/ready"), ("PUT", "/metrics"), ("POST", "/status"), ("DELETE", "/v1/stores"),
                     ("POST", "/openapi/v1.json"), ("TRACE", "/v1/stores"), ("FOO", "/v1/stores"), ("TRACE", "/v1/migrations"),
                 })
            await ExpectAsync(method, target, 405);
        // OPTIONS answers with the route's methods (HeadAndOptionsProbeTests checks every route).
        foreach (var target in new[] { "/v1/stores", "/v1/stores/local/buckets/probe-bucket/objects/probe.txt" })
            await ExpectAsync("OPTIONS", target, 204);
        foreach (var target in new[] { "/v1/nothing", "/v1/stores/local/nothing", "/v1/docker/engine/nothing", "/v1/migrations/x/y/z", "/v2/stores" })
            await ExpectAsync("GET", target, 404);
        Report(nameof(Methods_a_path_does_not_have_are_405_problems));
    }

    private async Task ExpectUnchangedAsync(string before)
    {
        var after = await _gateway.SnapshotAsync();
        if (after != before) _failures.Add($"the gateway's state changed:\n--- before\n{before}\n--- after\n{after}");
    }

    private async Task ExpectAsync(string method, string target, int status)
    {
        var answer = await RawHttp.SendAsync(_gateway.Server, method, target, method is "POST" or "PUT" or "PATCH" ? "" : null);
        if (answer.Status != status) _failures.Add($"{answer.Status} (expected {status}) for {method} {Trim(target)}: {Trim(answer.Payload)}");
        else if (CheckProblem(method, target, answer) && status == 405 && !answer.Head.Contains("\r\nAllow:", StringComparison.OrdinalIgnoreCase))
            _failures.Add($"405 without an Allow header for {method} {Trim(target)}");
    }

    private async Task ProbeAsync(SweepOperation op, string target, (string Body, string ContentType)? body, bool mustRefuse,
        int? expect = null, IEnumerable<string>? headers = null, bool checkState = false)
    {
        var before = checkState ? await _gateway.SnapshotAsync() : null;
        var extra = new List<string>(headers ?? []);
        if (body is { } b && b.ContentType.Length > 0) extra.Add("Content-Type: " + b.ContentType);
        RawHttp.Response answer;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var what = $"{op.Method} {Trim(target)}{(body is { } shown ? $" [{shown.ContentType}] {Trim(shown.Body)}" : "")}{(headers is null ? "" : " " + string.Join(" | ", headers.Select(Trim)))}";
        try
        {
            answer = await RawHttp.SendAsync(_gateway.Server, op.Method, target, body?.Body, extra, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _failures.Add($"no answer in 30 s: {what}");
            return;
        }
        catch (IOException e)
        {
            _failures.Add($"connection failed ({e.Message}): {what}");
            return;
        }
        if (answer.Status >= 500)
        {
            _failures.Add($"{answer.Status} for {what}: {Trim(answer.Payload)}");
            return;
        }
        if (expect is { } wanted && answer.Status != wanted)
        {
            _failures.Add($"{answer.Status} (expected {wanted}) for {what}: {Trim(answer.Payload)}");
            return;
        }
        if (mustRefuse && answer.Status < 400)
        {
            _failures.Add($"{answer.Status} (expected a refusal) for {what}");
            return;
        }
        if (before is not null && answer.Status >= 400 && await _gateway.SnapshotAsync() != before)
            _failures.Add($"{answer.Status} but the request changed the gateway's state: {what}");
        if (answer.Status >= 400 && !CheckProblem(op.Method, target, answer, what)) return;
        if (answer.Status is not (414 or 431) && _contract.Check(op.Method, op.Path, answer) is { } mismatch)
            _failures.Add($"{mismatch} for {what}");
    }

    private bool CheckProblem(string method, string target, RawHttp.Response answer, string? what = null)
    {
        what ??= $"{method} {Trim(target)}";
        if (method == "HEAD" || answer.Status < 400) return true;
        // Kestrel refuses a decoded NUL in the path before the application runs (docs/errors.md).
        if (answer.Status == 400 && target.Split('?')[0].Contains("%00", StringComparison.Ordinal) && !answer.Head.Contains("X-Request-Id", StringComparison.OrdinalIgnoreCase))
            return true;
        if (!answer.Head.Contains("\r\nX-Request-Id:", StringComparison.OrdinalIgnoreCase))
            _failures.Add($"{answer.Status} without X-Request-Id for {what}");
        if (!answer.ContentType.StartsWith("application/problem+json", StringComparison.Ordinal))
        {
            _failures.Add($"{answer.Status} without problem+json ({answer.ContentType}) for {what}: {Trim(answer.Payload)}");
            return false;
        }
        try
        {
            using var doc = JsonDocument.Parse(answer.Payload);
            var root = doc.RootElement;
            if (!root.TryGetProperty("type", out var type) || !type.GetString()!.StartsWith("https://gateway.dev/problems/", StringComparison.Ordinal)
                || !root.TryGetProperty("title", out _) || !root.TryGetProperty("status", out var status) || status.GetInt32() != answer.Status)
            {
                _failures.Add($"{answer.Status} problem without type/title/status for {what}: {Trim(answer.Payload)}");
                return false;
            }
        }
        catch (JsonException)
        {
            _failures.Add($"{answer.Status} problem+json that is not JSON for {what}: {Trim(answer.Payload)}");
            return false;
        }
        return true;
    }

    private void Report(string test)
    {
        output.WriteLine($"{test}: {_failures.Count} offending requests");
        Assert.True(_failures.Count == 0, $"{_failures.Count} offending requests:\n" + string.Join("\n", _failures.Distinct()));
    }

    private static string Trim(string text) => text.Length > 160 ? text[..160] + $"...({text.Length})" : text;
}
