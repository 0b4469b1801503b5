using System.Text.Json;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// A JSON <c>null</c> given for a member the contract (the OpenAPI document) does not let be null is a 400 naming that
/// member, and nothing is created, started or changed: never taken as the member's default (a <c>"dryRun": null</c> read as
/// false would start a real migration) and never a 500. A member the document declares nullable takes null as "not given".
/// </summary>
[Collection(ProbeGatewayCollection.Name)]
public sealed class NullMemberProbeTests : IAsyncLifetime
{
    private ProbeGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await ProbeGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private const string Source = """{"store":"local","bucket":"probe-bucket"}""";
    private const string Target = """{"store":"local","bucket":"probe-target"}""";
    private const string Copy = """{"bucket":"probe-bucket","key":"probe.txt"}""";
    private const string CopyTo = """{"bucket":"probe-bucket","key":"copy.txt"}""";

    /// <summary>Method, target, body, and how the refusal names the member.</summary>
    public static TheoryData<string, string, string, string> NullMembers => new()
    {
        { "POST", "/v1/migrations", $$$"""{"source":{{{Source}}},"target":{{{Target}}},"dryRun":null}""", "dryRun" },
        { "POST", "/v1/migrations", $$$"""{"source":null,"target":{{{Target}}},"dryRun":true}""", "source" },
        { "POST", "/v1/migrations", $$$"""{"source":{{{Source}}},"target":null,"dryRun":true}""", "target" },
        { "POST", "/v1/migrations", $$$"""{"source":{"store":null,"bucket":"probe-bucket"},"target":{{{Target}}},"dryRun":true}""", "source.store" },
        { "POST", "/v1/migrations", $$$"""{"source":{"store":"local","bucket":null},"target":{{{Target}}},"dryRun":true}""", "source.bucket" },
        { "POST", "/v1/migrations", $$$"""{"source":{{{Source}}},"target":{"store":null,"bucket":"probe-target"},"dryRun":true}""", "target.store" },
        { "POST", "/v1/migrations", $$$"""{"source":{{{Source}}},"target":{"store":"local","bucket":null},"dryRun":true}""", "target.bucket" },
        { "POST", "/v1/migrations", $$$"""{"source":{{{Source}}},"target":{{{Target}}},"dryRun":true,"include":[null]}""", "include globs" },
        { "POST", "/v1/migrations", $$$"""{"source":{{{Source}}},"target":{{{Target}}},"dryRun":true,"exclude":["a",null]}""", "exclude globs" },
        { "POST", "/v1/stores/local/copy", $$$"""{"source":null,"target":{{{CopyTo}}}}""", "source is null" },
        { "POST", "/v1/stores/local/copy", $$$"""{"source":{{{Copy}}},"target":null}""", "target is null" },
        { "POST", "/v1/stores/local/copy", $$$"""{"source":{"bucket":null,"key":"probe.txt"},"target":{{{CopyTo}}}}""", "source.bucket" },
        { "POST", "/v1/stores/local/copy", $$$"""{"source":{"bucket":"probe-bucket","key":null},"target":{{{CopyTo}}}}""", "source.key" },
        { "POST", "/v1/stores/local/copy", $$$"""{"source":{{{Copy}}},"target":{"bucket":null,"key":"copy.txt"}}""", "target.bucket" },
        { "POST", "/v1/stores/local/copy", $$$"""{"source":{{{Copy}}},"target":{"bucket":"probe-bucket","key":null}}""", "target.key" },
        { "POST", "/v1/stores/local/copy", $$$"""{"source":{{{Copy}}},"target":{{{CopyTo}}},"metadataDirective":"replace","metadata":{"owner":null}}""", "Metadata value of 'owner'" },
        { "POST", "/v1/docker/engine/containers", """{"image":null}""", "image" },
        { "POST", "/v1/docker/engine/containers", """{"image":"gw-probe/none:1","tty":null}""", "$.tty" },
        { "POST", "/v1/docker/engine/containers", """{"image":"gw-probe/none:1","command":["sh",null]}""", "rguments must not be null" },
        { "POST", "/v1/docker/engine/containers", """{"image":"gw-probe/none:1","env":{"A":null}}""", "Environment variable 'A'" },
        { "POST", "/v1/docker/engine/containers", """{"image":"gw-probe/none:1","labels":{"a":null}}""", "Label 'a'" },
        { "POST", "/v1/docker/engine/containers", """{"image":"gw-probe/none:1","portBindings":[{"containerPort":null}]}""", "$.portBindings[0].containerPort" },
        { "POST", "/v1/docker/engine/containers", """{"image":"gw-probe/none:1","portBindings":[{"containerPort":80,"protocol":null}]}""", "protocols" },
        { "POST", "/v1/docker/engine/containers", """{"image":"gw-probe/none:1","portBindings":[null]}""", "portBindings holds a null" },
        { "POST", "/v1/docker/engine/containers/gw-probe-missing/exec", """{"command":null}""", "command" },
        { "POST", "/v1/docker/engine/containers/gw-probe-missing/exec", """{"command":["ls",null]}""", "rguments must not be null" },
        { "POST", "/v1/docker/engine/containers/gw-probe-missing/exec", """{"command":["ls"],"env":{"A":null}}""", "Environment variable 'A'" },
        { "POST", "/v1/docker/engine/images/pull", """{"image":null}""", "image" },
        { "PUT", "/v1/kubernetes/test/namespaces/default/deployments/web/scale", """{"replicas":null}""", "$.replicas" },
    };

    [Theory]
    [MemberData(nameof(NullMembers))]
    public async Task A_null_for_a_member_that_takes_none_is_a_400_naming_it_and_changes_nothing(string method, string target, string body, string member)
    {
        var before = await _gateway.SnapshotAsync();
        var kubeWrites = _gateway.KubeWritesHere;
        var answer = await RawHttp.SendAsync(_gateway.Server, method, target, body, ["Content-Type: application/json"]);
        Assert.True(answer.Status == 400, $"{method} {target} {body}: {answer.Status} {answer.Payload}");
        using var problem = JsonDocument.Parse(answer.Payload);
        Assert.Equal("bad-request", problem.RootElement.GetProperty("code").GetString());
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.True(detail.Contains(member, StringComparison.Ordinal), $"{body}: the detail names no '{member}': {detail}");
        Assert.Equal(before, await _gateway.SnapshotAsync());
        Assert.Equal(kubeWrites, _gateway.KubeWritesHere);
    }

    /// <summary>Members the document declares nullable: null is "not given", the default (a dry run still a dry run).</summary>
    [Theory]
    [InlineData("mode")]
    [InlineData("verify")]
    [InlineData("include")]
    [InlineData("exclude")]
    [InlineData("concurrency")]
    [InlineData("bandwidthLimit")]
    public async Task A_null_for_a_nullable_migration_member_is_its_default(string member)
    {
        var answer = await RawHttp.SendAsync(_gateway.Server, "POST", "/v1/migrations",
            $$$"""{"source":{{{Source}}},"target":{{{Target}}},"dryRun":true,"{{{member}}}":null}""", ["Content-Type: application/json"]);
        Assert.True(answer.Status == 202, $"{member}: {answer.Status} {answer.Payload}");
        using var job = JsonDocument.Parse(answer.Payload);
        Assert.True(job.RootElement.GetProperty("dryRun").GetBoolean());
    }
}
