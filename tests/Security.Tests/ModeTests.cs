using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Security.Tests;

/// <summary>Production refuses to start open; Development makes a local admin key once; limits answer as problem+json.</summary>
public sealed class ModeTests
{
    private static (string Key, Dictionary<string, string?> Settings) AdminKey(string name = "ops")
    {
        var key = "gwk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        return (key, new Dictionary<string, string?>
        {
            [$"Gateway:Security:ApiKeys:{name}:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))),
            [$"Gateway:Security:ApiKeys:{name}:Scopes:0"] = "admin",
        });
    }

    // Outside Development the CTP-96 channel wants a configured node key: borrow one a Development start made.
    private static readonly Lazy<Task<string>> ChannelKey = new(async () =>
    {
        var copy = Path.Combine(Path.GetTempPath(), $"security-tests-node-{Guid.NewGuid():N}.key");
        await using (var dev = await GatewayServer.StartAsync())
            File.Copy(Path.Combine(dev.DataDirectory, "keys", "node.key"), copy);
        return copy;
    });

    private static async Task<GatewayServer> StartProduction(IDictionary<string, string?> settings)
    {
        settings["Gateway:Channel:KeyFile"] = await ChannelKey.Value;
        return await GatewayServer.StartAsync(settings, environment: "Production", defaultApiKey: false);
    }

    private static async Task<string> StartFails(IDictionary<string, string?> settings)
    {
        settings["Gateway:Channel:KeyFile"] = await ChannelKey.Value;
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var _ = await GatewayServer.StartAsync(settings, environment: "Production", defaultApiKey: false);
        });
        return error.ToString();
    }

    [Fact]
    public async Task Production_without_authentication_does_not_start()
    {
        var error = await StartFails(new Dictionary<string, string?> { ["Gateway:Security:AllowPlainHttp"] = "true" });
        Assert.Contains("Gateway:Security: no authentication is configured", error);
    }

    [Fact]
    public async Task Production_over_plain_http_does_not_start_and_names_the_setting()
    {
        var error = await StartFails(AdminKey().Settings);
        Assert.Contains("Urls: 'http://127.0.0.1:0' is not HTTPS", error);
    }

    [Theory]
    [InlineData("Gateway:Security:Limits:MaxHeaderCount", "0", "Gateway:Security:Limits:MaxHeaderCount must be between 10 and 10000")]
    [InlineData("Gateway:Security:Limits:MaxRequestBodyBytes", "0", "Gateway:Security:Limits:MaxRequestBodyBytes must be 1 or more")]
    [InlineData("Gateway:Security:Signatures:ClockSkewSeconds", "-5", "Gateway:Security:Signatures:ClockSkewSeconds must be between 0 and 600")]
    [InlineData("Gateway:Security:RateLimits:Callers:batch", "-1", "Gateway:Security:RateLimits:Callers:batch must be 0 (no limit) or more")]
    [InlineData("Gateway:Role", "bridgehost", "Gateway:Role (or --role) must be 'gateway' or 'bridge-host' (got 'bridgehost')")]
    public async Task A_limit_or_role_that_would_refuse_every_request_or_run_the_wrong_process_stops_the_start(string setting, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var _ = await GatewayServer.StartAsync(new Dictionary<string, string?> { [setting] = value });
        });
        Assert.Contains(named, error.ToString());
    }

    [Fact]
    public async Task Production_with_a_development_key_does_not_start()
    {
        var (_, settings) = AdminKey();
        settings["Gateway:Security:AllowPlainHttp"] = "true";
        settings["Gateway:Security:ApiKeys:ops:Development"] = "true";
        Assert.Contains("Gateway:Security:ApiKeys:ops:Development is true", await StartFails(settings));
    }

    [Fact]
    public async Task Production_serves_only_health_anonymously_and_openapi_to_callers()
    {
        var (key, settings) = AdminKey();
        settings["Gateway:Security:AllowPlainHttp"] = "true";
        await using var server = await StartProduction(settings);
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("swagger/index.html")).StatusCode);
        using var caller = new HttpClient { BaseAddress = server.BaseAddress };
        caller.DefaultRequestHeaders.Add("X-Api-Key", key);
        var document = await caller.GetStringAsync("openapi/v1.json");
        Assert.Contains("\"securitySchemes\"", document);
        Assert.DoesNotContain(key, document);
    }

    [Fact]
    public async Task Bad_security_settings_stop_the_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Security:ApiKeys:broken:Hash"] = "md5:abc",
            ["Gateway:Security:ApiKeys:broken:Scopes:0"] = "admin",
        }));
        Assert.Contains("Gateway:Security:ApiKeys:broken:Hash", error.ToString());
        error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Security:Signatures:Keys:weak:Algorithm"] = "hmac-sha256",
            ["Gateway:Security:Signatures:Keys:weak:Secret"] = Convert.ToBase64String(new byte[8]),
            ["Gateway:Security:Signatures:Keys:weak:Scopes:0"] = "admin",
        }));
        Assert.Contains("Gateway:Security:Signatures:Keys:weak:Secret", error.ToString());
    }

    /// <summary>
    /// Two entries of one key: the last one won, so a Revoked entry, or a narrower one, was silently ignored (session-43
    /// probe). The start stops, naming both.
    /// </summary>
    [Fact]
    public async Task Two_entries_of_one_key_stop_the_start_naming_both()
    {
        var hash = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("gwk_twice_0123456789"u8));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Security:ApiKeys:old:Hash"] = hash,
            ["Gateway:Security:ApiKeys:old:Scopes:0"] = "admin",
            ["Gateway:Security:ApiKeys:old:Revoked"] = "true",
            ["Gateway:Security:ApiKeys:copy:Hash"] = hash.ToUpperInvariant().Replace("SHA256:", "sha256:", StringComparison.Ordinal),
            ["Gateway:Security:ApiKeys:copy:Scopes:0"] = "read:metrics",
        }));
        // Configuration keys come sorted, so 'copy' is read first and 'old' is named the second entry.
        Assert.Contains("Gateway:Security:ApiKeys:old:Hash is the hash of the same key as 'copy'", error.ToString());
    }

    [Fact]
    public async Task Development_creates_a_local_admin_key_once_and_keeps_only_its_hash()
    {
        var console = new StringWriter();
        var original = Console.Out;
        Console.SetOut(console);
        string printed;
        try
        {
            await using var server = await GatewayServer.StartAsync(defaultApiKey: false);
            printed = console.ToString();
            var key = printed.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("X-Api-Key: ", StringComparison.Ordinal))["X-Api-Key: ".Length..];
            var file = Path.Combine(server.DataDirectory, "security", "local-admin-key.json");
            var stored = await File.ReadAllTextAsync(file);
            Assert.DoesNotContain(key, stored);
            Assert.Contains("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), stored);
            using var client = new HttpClient { BaseAddress = server.BaseAddress };
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("v1/stores")).StatusCode);
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v1/stores")).StatusCode);
        }
        finally { Console.SetOut(original); }
    }

    [Fact]
    public async Task Development_callers_on_loopback_are_not_rate_limited_by_default()
    {
        var (key, settings) = AdminKey();
        settings["Gateway:Security:RateLimits:PermitLimit"] = "3";
        await using var server = await GatewayServer.StartAsync(settings);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v1/stores")).StatusCode);
    }

    [Fact]
    public async Task Rate_limit_answers_429_problem_with_retry_after_per_caller()
    {
        var (key, settings) = AdminKey();
        var (other, more) = AdminKey("other");
        foreach (var (k, v) in more) settings[k] = v;
        settings["Gateway:Security:RateLimits:PermitLimit"] = "3";
        settings["Gateway:Security:RateLimits:WindowSeconds"] = "60";
        settings["Gateway:Security:RateLimits:LimitLoopbackInDevelopment"] = "true";
        await using var server = await GatewayServer.StartAsync(settings);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v1/stores")).StatusCode);
        using var limited = await client.GetAsync("v1/stores");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 and <= 60 }, $"Retry-After: {limited.Headers.RetryAfter}");
        using var problem = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.Equal("throttled", problem.RootElement.GetProperty("code").GetString());
        // Another caller has its own budget.
        using var second = new HttpClient { BaseAddress = server.BaseAddress };
        second.DefaultRequestHeaders.Add("X-Api-Key", other);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("v1/stores")).StatusCode);
    }

    [Fact]
    public async Task A_callers_own_limit_applies_when_the_default_limit_is_off()
    {
        var (key, settings) = AdminKey();
        settings["Gateway:Security:RateLimits:PermitLimit"] = "0";
        settings["Gateway:Security:RateLimits:Callers:ops"] = "2";
        settings["Gateway:Security:RateLimits:LimitLoopbackInDevelopment"] = "true";
        await using var server = await GatewayServer.StartAsync(settings);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v1/stores")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("v1/stores")).StatusCode);
    }
}
