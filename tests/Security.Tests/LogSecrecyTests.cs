namespace Gateway.Security.Tests;

public sealed class LogSecrecyTests
{
    /// <summary>Runs the whole bad-request table (and accepted requests) on its own gateway, capturing every log line at every level.</summary>
    [Fact]
    public async Task No_secret_appears_in_any_log_line_of_the_suite()
    {
        await using var g = await SecuredGateway.StartAsync();
        foreach (var bad in BadRequests.All) await BadRequestTests.Run(g, bad);
        // Accepted requests of every kind too.
        Assert.Equal(200, (await BadRequests.Send(g.Client("admin"), HttpMethod.Get, "v1/stores")).Status);
        Assert.Equal(200, (await BadRequests.Signed(g, g.Ed, HttpMethod.Put, "v1/stores/local/buckets/reports/objects/s.txt", [1, 2, 3])).Status);
        var token = g.Jwt("dave", "admin");
        Assert.Equal(200, (await BadRequests.Send(g.Client(), HttpMethod.Get, "v1/stores", null, r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token))).Status);

        var lines = g.Logs.Lines.ToList();
        Assert.True(lines.Count > 100, $"the capture saw only {lines.Count} lines");
        Assert.Contains(lines, l => l.Contains("Security event", StringComparison.Ordinal));
        Assert.True(g.Secrets.Count > 20, "the suite should have used many secrets");
        foreach (var secret in g.Secrets.Distinct())
        {
            var leak = lines.FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"a secret ({secret.Length} chars, starting {secret[..4]}) appears in a log line: {leak?[..Math.Min(200, leak.Length)]}");
        }
    }
}
