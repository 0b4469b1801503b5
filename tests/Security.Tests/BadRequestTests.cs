using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Security.Tests;

public sealed class SecuredGatewayFixture : IAsyncLifetime
{
    public SecuredGateway Gateway { get; private set; } = null!;
    public async Task InitializeAsync() => Gateway = await SecuredGateway.StartAsync();
    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>Each bad request gets its status and changes nothing: no store change, no upstream call, no audit entry.</summary>
public sealed class BadRequestTests(SecuredGatewayFixture fixture) : IClassFixture<SecuredGatewayFixture>
{
    [Theory]
    [MemberData(nameof(BadRequests.Names), MemberType = typeof(BadRequests))]
    public async Task Is_refused_and_reaches_no_backend(string name)
    {
        var g = fixture.Gateway;
        var bad = BadRequests.All.Single(c => c.Name == name);
        await Run(g, bad);
    }

    internal static async Task Run(SecuredGateway g, BadRequest bad)
    {
        if (bad.Prepare is not null) await bad.Prepare(g);
        var store = g.StoreSnapshot();
        var rest = g.Rest.LogEntries.Count();
        var kube = g.Kube.LogEntries.Count();
        var audit = await AuditCount(g);

        var answer = await bad.Send(g);

        Assert.True(answer.Status == bad.Status, $"{bad.Name}: expected {bad.Status}, got {answer.Status}: {answer.Body}");
        if (bad.ProblemJson)
        {
            Assert.True(answer.MediaType == "application/problem+json", $"{bad.Name}: expected problem+json, got '{answer.MediaType}': {answer.Body}");
            using var problem = JsonDocument.Parse(answer.Body);
            if (bad.Code is not null) Assert.Equal(bad.Code, problem.RootElement.GetProperty("code").GetString());
            Assert.Equal(bad.Status, problem.RootElement.GetProperty("status").GetInt32());
        }
        Assert.True(store == g.StoreSnapshot(), $"{bad.Name}: the local store changed");
        await g.WaitForNoStagedUploads(bad.Name);
        Assert.True(rest == g.Rest.LogEntries.Count(), $"{bad.Name}: the REST upstream (WireMock) was called");
        Assert.True(kube == g.Kube.LogEntries.Count(), $"{bad.Name}: the Kubernetes API (WireMock) was called");
        Assert.Equal(audit, await AuditCount(g));
    }

    /// <summary>Entries in the audit log as the admin sees them; the admin may always read it, so a refusal fails the test.</summary>
    private static async Task<int> AuditCount(SecuredGateway g)
    {
        using var admin = g.Client("admin");
        using var response = await admin.GetAsync("v1/audit?limit=1000");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"the admin could not read the audit log: {(int)response.StatusCode} {text}");
        using var page = JsonDocument.Parse(text);
        var count = page.RootElement.GetProperty("entries").GetArrayLength();
        Assert.True(count < 1000, "the audit log outgrew one page: the count would no longer show a new entry");
        return count;
    }
}
