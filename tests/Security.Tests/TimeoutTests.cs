using System.Diagnostics;
using System.Text.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Gateway.Security.Tests;

public sealed class TimeoutTests
{
    [Fact]
    public async Task A_request_over_the_timeout_is_a_504_problem()
    {
        await using var g = await SecuredGateway.StartAsync(new Dictionary<string, string?> { ["Gateway:Security:Limits:RequestTimeoutSeconds"] = "5" }, seed: false);
        g.Kube.ResetMappings(); // only the slow answer
        g.Kube.Given(Request.Create().UsingAnyMethod())
            .RespondWith(Response.Create().WithDelay(TimeSpan.FromMinutes(2)).WithStatusCode(200)
                .WithHeader("Content-Type", "application/json").WithBody("""{"apiVersion":"v1","kind":"PodList","metadata":{},"items":[]}"""));
        var clock = Stopwatch.StartNew();
        var answer = await BadRequests.Send(g.Client("admin"), HttpMethod.Get, "v1/kubernetes/test/namespaces/slow/pods");
        Assert.True(answer.Status == 504, $"{answer.Status}: {answer.Body}");
        Assert.Equal("application/problem+json", answer.MediaType);
        using var problem = JsonDocument.Parse(answer.Body);
        Assert.Equal("timeout", problem.RootElement.GetProperty("code").GetString());
        // The 5 s timeout answered, not the upstream (which holds its answer for two minutes): a wide bound, no race.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"answered after {clock.Elapsed}");
        // A quick call on the same gateway is unaffected (5 s, not 1: this call must also finish within the timeout on a
        // machine at load 30).
        Assert.Equal(200, (await BadRequests.Send(g.Client("admin"), HttpMethod.Get, "v1/stores")).Status);
    }
}
