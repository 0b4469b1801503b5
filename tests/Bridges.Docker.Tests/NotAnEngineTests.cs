using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>
/// A Docker host whose endpoint answers HTTP that is not the Engine API (a web server on the configured port, a
/// proxy's error page): the caller gets a 502 saying so, not a 500 as if the gateway had failed.
/// </summary>
public sealed class NotAnEngineTests : IAsyncLifetime
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    /// <summary>Where redirects point: it records what reaches it and answers nothing.</summary>
    readonly TcpListener _elsewhere = new(IPAddress.Loopback, 0);
    readonly List<string> _reachedElsewhere = [];
    string _location = "https://login.example/sso";
    readonly CancellationTokenSource _stop = new();
    string _answer = "";
    string _status = "200 OK";
    Task _accepting = Task.CompletedTask;
    GatewayServer _gateway = null!;

    public async Task InitializeAsync()
    {
        _listener.Start();
        _elsewhere.Start();
        _accepting = Task.WhenAll(AcceptAsync(), RecordElsewhereAsync());
        _gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Docker:Hosts:web:Endpoint"] = $"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}",
            ["Gateway:Docker:Hosts:web:Resilience:MaxRetryAttempts"] = "0",
            ["Gateway:Docker:Hosts:web:Registries:private:Server"] = "registry.internal.example",
            ["Gateway:Docker:Hosts:web:Registries:private:Username"] = "puller",
            ["Gateway:Docker:Hosts:web:Registries:private:Password"] = "registry-secret-never-leaves",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _stop.CancelAsync();
        _listener.Stop();
        _elsewhere.Stop();
        await _accepting;
    }

    /// <summary>Answers every request with <see cref="_status"/> and <see cref="_answer"/>'s body and closes the connection.</summary>
    async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                using var socket = await _listener.AcceptSocketAsync(_stop.Token);
                var head = new StringBuilder();
                var buffer = new byte[8192];
                // Docker.DotNet ends its header lines with a bare LF.
                while (!head.ToString().Contains("\n\r\n", StringComparison.Ordinal) && !head.ToString().Contains("\n\n", StringComparison.Ordinal))
                {
                    var n = await socket.ReceiveAsync(buffer, _stop.Token);
                    if (n == 0) break;
                    head.Append(Encoding.Latin1.GetString(buffer, 0, n));
                }
                var body = Encoding.UTF8.GetBytes(_answer);
                var type = _answer.StartsWith('<') ? "text/html" : "application/json";
                await socket.SendAsync(Encoding.Latin1.GetBytes(
                    $"HTTP/1.1 {_status}\r\nLocation: {_location}\r\nContent-Type: {type}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n").Concat(body).ToArray(), _stop.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    /// <summary>Reads the head of whatever connects and closes the connection.</summary>
    async Task RecordElsewhereAsync()
    {
        try
        {
            while (true)
            {
                using var socket = await _elsewhere.AcceptSocketAsync(_stop.Token);
                var buffer = new byte[8192];
                var n = await socket.ReceiveAsync(buffer, _stop.Token);
                lock (_reachedElsewhere) _reachedElsewhere.Add(Encoding.Latin1.GetString(buffer, 0, n));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    [Theory]
    [InlineData("301 Moved Permanently")]
    [InlineData("302 Found")]
    [InlineData("307 Temporary Redirect")]
    [InlineData("308 Permanent Redirect")]
    public async Task A_redirect_is_not_followed_and_a_pull_s_registry_credentials_go_nowhere_else(string status)
    {
        // Docker.DotNet followed up to 20 redirects itself, re-sending the request wherever Location pointed: a pull's
        // X-Registry-Auth header, the registry's password in it, reached whatever answered the redirect.
        _status = status;
        _answer = "<html>moved</html>";
        _location = $"http://127.0.0.1:{((IPEndPoint)_elsewhere.LocalEndpoint).Port}/images/create";
        using var pull = await _gateway.Client.PostAsync("v1/docker/web/images/pull",
            new StringContent("""{"image":"registry.internal.example/team/app:1"}""", Encoding.UTF8, "application/json"));
        var text = await pull.Content.ReadAsStringAsync();
        Assert.True(pull.StatusCode == HttpStatusCode.BadGateway, $"{(int)pull.StatusCode} {text}");
        Assert.Contains($"Docker host 'web' answered HTTP {status[..3]}, a redirect", JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain("registry-secret-never-leaves", text);
        using var read = await _gateway.Client.GetAsync("v1/docker/web/containers/web1");
        var readText = await read.Content.ReadAsStringAsync();
        Assert.True(read.StatusCode == HttpStatusCode.BadGateway, $"{(int)read.StatusCode} {readText}");
        Assert.True(readText.Contains($"answered HTTP {status[..3]}, a redirect", StringComparison.Ordinal), readText);
        lock (_reachedElsewhere) Assert.Empty(_reachedElsewhere);
    }

    [Theory]
    [InlineData("418 I'm a teapot", 502)]
    [InlineData("405 Method Not Allowed", 502)]
    [InlineData("408 Request Timeout", 504)]
    [InlineData("502 Bad Gateway", 503)]
    public async Task A_status_the_engine_api_does_not_give_is_a_502_and_a_failing_engine_a_503(string status, int expected)
    {
        // Until the eighth probe every status without a meaning of its own was a 503: a 418 is an answer the
        // gateway cannot use, not an engine that is down (docs/errors.md, unexpected statuses).
        _status = status;
        _answer = "<html>elsewhere</html>";
        using var response = await _gateway.Client.GetAsync("v1/docker/web/containers/web1");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{status}: {(int)response.StatusCode} {text}");
        if (expected == 502)
            Assert.Contains($"Docker host 'web' answered HTTP {status[..3]}", JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("<html><body>It works!</body></html>")]
    [InlineData("[1,2,3]")]
    public async Task A_host_answering_what_is_not_the_engine_api_is_a_502(string answer)
    {
        _answer = answer;
        foreach (var path in new[] { "version", "info", "containers", "images", "containers/web1" })
        {
            using var response = await _gateway.Client.GetAsync($"v1/docker/web/{path}");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadGateway, $"{path}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Equal("bad-gateway", problem.GetProperty("code").GetString());
            Assert.Contains("'web'", problem.GetProperty("detail").GetString());
        }
    }
}
