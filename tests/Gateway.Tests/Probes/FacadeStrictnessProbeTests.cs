using System.Text.Json;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// Hand probes of the REST facade (2026-12-03) turned into tables: the order of checks on a route naming a store, host or
/// cluster that does not exist; the spelling of whole-number query parameters; ranges with numbers past 64 bits; and user
/// metadata given on two header lines. Each answer is the one docs/errors.md describes, and nothing is stored.
/// </summary>
public sealed class FacadeStrictnessProbeTests : IAsyncLifetime
{
    private const string Object = "/v1/stores/local/buckets/strict/objects/digits.txt";
    private const string Digits = "0123456789";
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        // A Docker host that is never reached: the times below are refused before any call.
        _server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Docker:Hosts:engine:Endpoint"] = "unix:///nonexistent/gw-facade-strictness.sock",
        });
        (await _server.Client.PutAsync("v1/stores/local/buckets/strict", null)).EnsureSuccessStatusCode();
        (await _server.Client.PutAsync(Object.TrimStart('/'), new StringContent(Digits))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string, string?, string?> UnknownNames => new()
    {
        // Each answered 400 (or 415) about the body or the query before saying the store (host, cluster) does not exist.
        { "POST", "/v1/stores/nostore/copy", "{}", "application/json" },
        { "POST", "/v1/stores/nostore/copy", "{not json", "application/json" },
        { "POST", "/v1/stores/nostore/copy", "{}", "text/plain" },
        { "POST", "/v1/stores/nostore/copy", null, null },
        { "GET", "/v1/stores/nostore/buckets/strict/objects?pageSize=ten", null, null },
        { "HEAD", "/v1/stores/nostore/buckets/strict/objects?pageSize=0", null, null },
        { "GET", "/v1/stores/nostore/buckets/Bad_Bucket", null, null },
        { "PUT", "/v1/stores/nostore/buckets/strict/objects/a.txt", "x", "text/plain" },
        { "POST", "/v1/stores/nostore/cutover", null, null },
        { "POST", "/v1/docker/nohost/containers", "{}", "application/json" },
        { "GET", "/v1/docker/nohost/containers?limit=abc", null, null },
        { "POST", "/v1/docker/nohost/containers/bad%20name/stop?t=-5", null, null },
        { "PUT", "/v1/kubernetes/nocluster/namespaces/default/deployments/web/scale", "{}", "application/json" },
        { "GET", "/v1/kubernetes/nocluster/namespaces/BAD_NS/pods?limit=x", null, null },
    };

    [Theory]
    [MemberData(nameof(UnknownNames))]
    public async Task A_route_naming_an_unknown_store_host_or_cluster_is_404_whatever_its_query_and_body(string method, string target, string? body, string? type)
    {
        var answer = await RawHttp.SendAsync(_server, method, target, body, type is null ? null : [$"Content-Type: {type}"]);
        Assert.True(answer.Status == 404, $"{method} {target}: {answer.Status} {answer.Payload}");
        if (method != "HEAD") AssertProblem(answer, "not-found");
    }

    [Fact]
    public async Task A_malformed_store_name_is_still_400_before_the_body()
    {
        var answer = await RawHttp.SendAsync(_server, "POST", "/v1/stores/No_Store/copy", "{}", ["Content-Type: application/json"]);
        Assert.Equal(400, answer.Status);
        AssertProblem(answer, "bad-request");
        Assert.Contains("store", answer.Payload, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    // ASP.NET reads '+' in a query as a space, and .NET's integer parsing takes white space and a '+' sign around the digits.
    [InlineData("+1")]
    [InlineData("%2B1")]
    [InlineData("%205")]
    [InlineData("5%20")]
    [InlineData("%095")]
    [InlineData("1e3")]
    [InlineData("--1")]
    [InlineData("%EF%BC%95")] // a fullwidth digit five
    public async Task A_whole_number_query_parameter_is_ascii_digits_only(string value)
    {
        foreach (var target in new[]
        {
            $"/v1/stores/local/buckets/strict/objects?pageSize={value}",
            $"/v1/migrations?pageSize={value}",
            $"/v1/audit?limit={value}",
            $"/v1/audit/consistency?from=1&to={value}",
        })
        {
            var answer = await RawHttp.SendAsync(_server, "GET", target);
            Assert.True(answer.Status == 400, $"GET {target}: {answer.Status} {answer.Payload}");
            AssertProblem(answer, "bad-request");
            var name = target[(target.LastIndexOf('&') is var amp and >= 0 ? amp + 1 : target.IndexOf('?') + 1)..].Split('=')[0];
            Assert.Contains($"'{name}'", answer.Payload, StringComparison.Ordinal);
        }
    }

    [Theory]
    // .NET's bool parsing trims white space and NULs around the word ('+' is a space in a query).
    [InlineData("%20true")]
    [InlineData("true%20")]
    [InlineData("+true")]
    [InlineData("true%00")]
    [InlineData("%09false")]
    [InlineData("1")]
    public async Task A_flag_query_parameter_is_true_or_false_only(string value)
    {
        foreach (var target in new[] { $"/v1/docker/engine/containers?all={value}", $"/v1/docker/engine/containers/web/logs?follow={value}" })
        {
            var answer = await RawHttp.SendAsync(_server, "GET", target);
            Assert.True(answer.Status == 400, $"GET {target}: {answer.Status} {answer.Payload}");
            AssertProblem(answer, "bad-request");
            Assert.Contains("true or false", answer.Payload, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("5")]
    [InlineData("05")]
    public async Task Plain_digits_and_leading_zeros_are_taken(string value)
    {
        var answer = await RawHttp.SendAsync(_server, "GET", $"/v1/stores/local/buckets/strict/objects?pageSize={value}");
        Assert.True(answer.Status == 200, $"pageSize={value}: {answer.Status} {answer.Payload}");
    }

    [Theory]
    // A number past 64 bits is a valid position (RFC 9110: 1*DIGIT); it was ignored, 200 with the whole object.
    [InlineData("bytes=0-99999999999999999999", 206, "bytes 0-9/10")]
    [InlineData("bytes=3-99999999999999999999", 206, "bytes 3-9/10")]
    [InlineData("bytes=-99999999999999999999", 206, "bytes 0-9/10")]
    [InlineData("bytes=99999999999999999999-", 416, "bytes */10")]
    [InlineData("bytes=99999999999999999999-99999999999999999999", 416, "bytes */10")]
    // The same as the largest numbers that fit.
    [InlineData("bytes=0-9223372036854775807", 206, "bytes 0-9/10")]
    [InlineData("bytes=9223372036854775807-", 416, "bytes */10")]
    public async Task A_range_with_numbers_past_64_bits_is_answered_as_the_largest_numbers_are(string range, int status, string contentRange)
    {
        foreach (var method in new[] { "GET", "HEAD" })
        {
            var answer = await RawHttp.SendAsync(_server, method, Object, extraHeaders: [$"Range: {range}"]);
            Assert.True(answer.Status == status, $"{method} {range}: {answer.Status} {answer.Payload}");
            Assert.Contains($"Content-Range: {contentRange}", answer.Head, StringComparison.OrdinalIgnoreCase);
            if (method == "GET" && status == 206) Assert.Equal(Digits[int.Parse(contentRange[6..contentRange.IndexOf('-')])..], answer.Payload);
        }
    }

    [Theory]
    // Still ignored, as before: not one bytes range the gateway can serve (RFC 9110 §14.2 lets a server ignore them).
    [InlineData("bytes=abc")]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=99999999999999999999-3")]
    [InlineData("bytes=0-1,3-4")]
    [InlineData("bytes=-")]
    [InlineData("items=0-99999999999999999999")]
    public async Task A_range_that_is_not_one_bytes_range_is_ignored(string range)
    {
        var answer = await RawHttp.SendAsync(_server, "GET", Object, extraHeaders: [$"Range: {range}"]);
        Assert.True(answer.Status == 200, $"{range}: {answer.Status} {answer.Payload}");
        Assert.Equal(Digits, answer.Payload);
    }

    [Theory]
    [InlineData("x-meta-owner: a", "x-meta-owner: b")]
    [InlineData("x-meta-owner: a", "X-Meta-Owner: a")]
    public async Task User_metadata_given_on_two_header_lines_is_400_naming_it_and_stores_nothing(string first, string second)
    {
        var answer = await RawHttp.SendAsync(_server, "PUT", "/v1/stores/local/buckets/strict/objects/twice.txt", "body", [first, second, "Content-Type: text/plain"]);
        Assert.True(answer.Status == 400, $"{answer.Status} {answer.Payload}");
        AssertProblem(answer, "bad-request");
        Assert.Contains("x-meta-owner", answer.Payload, StringComparison.Ordinal);
        Assert.Equal(404, (await RawHttp.SendAsync(_server, "HEAD", "/v1/stores/local/buckets/strict/objects/twice.txt")).Status);
        // One line with a comma in its value is one value, kept as given.
        var one = await RawHttp.SendAsync(_server, "PUT", "/v1/stores/local/buckets/strict/objects/once.txt", "body", ["x-meta-owner: a,b"]);
        Assert.Equal(200, one.Status);
        Assert.Contains("x-meta-owner: a,b", (await RawHttp.SendAsync(_server, "HEAD", "/v1/stores/local/buckets/strict/objects/once.txt")).Head,
            StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    // Neither is a list (RFC 9110 §5.3): their lines were joined into "attachment,inline" and "a,b" and stored.
    [InlineData("Content-Disposition: attachment", "Content-Disposition: inline", "Content-Disposition")]
    [InlineData("Expires: Thu, 01 Jan 2026 00:00:00 GMT", "Expires: Fri, 02 Jan 2026 00:00:00 GMT", "Expires")]
    public async Task A_standard_header_that_is_not_a_list_given_on_two_lines_is_400_and_stores_nothing(string first, string second, string name)
    {
        var answer = await RawHttp.SendAsync(_server, "PUT", "/v1/stores/local/buckets/strict/objects/twice-std.txt", "body", [first, second]);
        Assert.True(answer.Status == 400, $"{answer.Status} {answer.Payload}");
        AssertProblem(answer, "bad-request");
        Assert.Contains($"'{name}'", answer.Payload, StringComparison.Ordinal);
        Assert.Equal(404, (await RawHttp.SendAsync(_server, "HEAD", "/v1/stores/local/buckets/strict/objects/twice-std.txt")).Status);
    }

    [Fact]
    public async Task A_list_header_given_on_two_lines_is_kept_as_one_list()
    {
        var answer = await RawHttp.SendAsync(_server, "PUT", "/v1/stores/local/buckets/strict/objects/list.txt", "body",
            ["Cache-Control: no-cache", "Cache-Control: max-age=5"]);
        Assert.Equal(200, answer.Status);
        Assert.Contains("Cache-Control: no-cache,max-age=5", (await RawHttp.SendAsync(_server, "HEAD", "/v1/stores/local/buckets/strict/objects/list.txt")).Head,
            StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    // .NET's own date parsing took these: which day "1/2/3" is depends on who reads it.
    [InlineData("1%2F2%2F3")]
    [InlineData("Jan%201%202026")]
    [InlineData("2026-01-01")]
    [InlineData("2026-01-01T00:00:00")]
    [InlineData("2026-01-01%2000:00:00Z")]
    [InlineData("%2B5")]
    // The engine's own Unix form is digits, a point and one to nine digits; a duration is the docker CLI's shorthand.
    [InlineData("1700000000.")]
    [InlineData(".5")]
    [InlineData("1700000000.1234567890")]
    [InlineData("1700000000.5.5")]
    [InlineData("-1700000000.5")]
    [InlineData("10m")]
    public async Task Docker_log_times_are_rfc_3339_or_unix_seconds_only(string value)
    {
        foreach (var name in new[] { "since", "until" })
        {
            var answer = await RawHttp.SendAsync(_server, "GET", $"/v1/docker/engine/containers/web/logs?{name}={value}");
            Assert.True(answer.Status == 400, $"{name}={value}: {answer.Status} {answer.Payload}");
            AssertProblem(answer, "bad-request");
            Assert.Contains(name, answer.Payload, StringComparison.Ordinal);
        }
    }

    private static void AssertProblem(RawHttp.Response answer, string code)
    {
        Assert.StartsWith("application/problem+json", answer.ContentType, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(answer.Payload);
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
    }
}
