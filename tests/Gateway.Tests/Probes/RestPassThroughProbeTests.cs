using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Testing;
using Gateway.Testing.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// A REST upstream's answer passes through with its own status and media type (docs/rest-bridge.md), so the document
/// must declare those answers too: statuses the gateway never gives itself (201, 409, 418, ...) and the upstream's
/// plain-text 404 or 400, which the document described only as the gateway's problem+json.
/// </summary>
public sealed class RestPassThroughProbeTests : IAsyncLifetime
{
    private const string Template = "/v1/rest/{upstream}/{path}";
    private WebApplication _upstream = null!;
    private GatewayServer _server = null!;
    private readonly OpenApiContract _contract = OpenApiContract.Load();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _upstream = builder.Build();
        // Answers the status its path names, with a plain-text body where the status has one.
        _upstream.Map("/status/{code:int}", (int code) => code is 204 or 304
            ? Results.StatusCode(code)
            : Results.Text($"upstream says {code}", "text/plain", statusCode: code));
        _upstream.Map("/json/{code:int}", (int code) => Results.Json(new { upstream = "json", code }, statusCode: code));
        await _upstream.StartAsync();
        _server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Rest:Upstreams:legacy:BaseUrl"] = _upstream.Urls.First() + "/",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("POST")]
    [InlineData("DELETE")]
    public async Task Every_status_an_upstream_answers_is_passed_through_and_declared(string method)
    {
        var failures = new List<string>();
        foreach (var status in new[] { 200, 201, 202, 204, 302, 304, 400, 404, 409, 410, 418, 422, 451 })
        {
            var answer = await RawHttp.SendAsync(_server, method, $"/v1/rest/legacy/status/{status}", method == "POST" ? "x" : null,
                method == "POST" ? ["Content-Type: text/plain"] : null);
            if (answer.Status != status) failures.Add($"{method} {status}: the gateway answered {answer.Status} {answer.Payload}");
            else if (_contract.Check(method, Template, answer) is { } mismatch) failures.Add(mismatch);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// An upstream's JSON answer is the JSON it is: the document's pass-through body is any value, not "a binary string"
    /// that a contract checker would hold the JSON against.
    /// </summary>
    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task An_upstream_json_answer_validates_against_the_document(int status)
    {
        var answer = await RawHttp.SendAsync(_server, "GET", $"/v1/rest/legacy/json/{status}");
        Assert.True(answer.Status == status, $"{answer.Status} {answer.Payload}");
        Assert.StartsWith("application/json", answer.ContentType, StringComparison.Ordinal);
        Assert.Contains("\"upstream\":\"json\"", answer.Payload, StringComparison.Ordinal);
        Assert.Null(_contract.Check("GET", Template, answer));
    }

    /// <summary>
    /// An upstream that sends a 204 with a Content-Length (RFC 9110 §8.6 forbids it) was a 500: the header was copied onto
    /// the caller's 204, which can carry no body. The caller gets the 204 without it.
    /// </summary>
    [Theory]
    [InlineData(204)]
    [InlineData(205)]
    [InlineData(304)] // a 304 may state the length a 200 would have (RFC 9110 §8.6): passed on as it is
    public async Task A_bodiless_answer_from_an_upstream_that_states_a_content_length_is_passed_on(int status)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        // A 205 is read with its stated length (HttpClient reads a 205's body; a 204's or 304's it never does).
        var served = ServeAsync(listener, $"HTTP/1.1 {status} X\r\nContent-Length: 25\r\nConnection: close\r\n\r\n" + (status == 205 ? new string('x', 25) : ""));
        await using var gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Rest:Upstreams:odd:BaseUrl"] = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/",
        });
        var answer = await RawHttp.SendAsync(gateway, "GET", "/v1/rest/odd/items/1");
        Assert.True(answer.Status == status, $"{answer.Status} {answer.Payload}");
        if (status is 204 or 205) Assert.DoesNotContain("Content-Length: 25", answer.Head, StringComparison.OrdinalIgnoreCase);
        Assert.Null(_contract.Check("GET", Template, answer));
        await served;
    }

    /// <summary>Answers one request with <paramref name="answer"/> as raw bytes (a Kestrel upstream cannot send a 204 with a length).</summary>
    private static async Task ServeAsync(TcpListener listener, string answer)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var buffer = new byte[8192];
        var read = new StringBuilder();
        while (!read.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer);
            if (n == 0) return;
            read.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes(answer));
        client.Client.Shutdown(SocketShutdown.Both);
    }
}
