using System.Reflection;
using Gateway.Channel.Rpc;
using NetArchTest.Rules;

namespace Gateway.Architecture.Tests;

/// <summary>Dependencies point one way: Gateway -> Bridges -> Contracts and Gateway -> Channel -> Contracts (docs/architecture in README).</summary>
public sealed class DependencyRuleTests
{
    static readonly string[] PlatformSdks = ["AWSSDK.", "Azure.", "Google.", "Docker.DotNet", "KubernetesClient"];

    public static TheoryData<string> WebFreeAssemblies()
    {
        var data = new TheoryData<string> { Assemblies.Contracts.GetName().Name!, Assemblies.Channel.GetName().Name! };
        foreach (var bridge in Assemblies.Bridges) data.Add(bridge.GetName().Name!);
        return data;
    }

    [Fact]
    public void Every_bridge_project_is_checked()
    {
        Assert.Equal(["Gateway.Bridges.AzureBlob", "Gateway.Bridges.Docker", "Gateway.Bridges.Gcs", "Gateway.Bridges.Kubernetes",
            "Gateway.Bridges.Local", "Gateway.Bridges.Resilience", "Gateway.Bridges.Rest", "Gateway.Bridges.S3"],
            Assemblies.Bridges.Select(a => a.GetName().Name!).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(WebFreeAssemblies))]
    public void Contracts_channel_and_bridges_need_no_AspNetCore(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        Assert.DoesNotContain(Assemblies.References(assembly), r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOn("Microsoft.AspNetCore").GetResult();
        Assert.True(result.IsSuccessful, $"{assemblyName} uses ASP.NET Core: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Theory]
    [MemberData(nameof(WebFreeAssemblies))]
    public void Below_the_gateway_telemetry_is_System_Diagnostics_only(string assemblyName)
    {
        // Meters and activity sources there are plain System.Diagnostics; the OpenTelemetry SDK is wired in Gateway/Observability.
        var assembly = Assembly.Load(assemblyName);
        Assert.DoesNotContain(Assemblies.References(assembly), r => r.StartsWith("OpenTelemetry", StringComparison.Ordinal));
        var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOn("OpenTelemetry").GetResult();
        Assert.True(result.IsSuccessful, $"{assemblyName} uses the OpenTelemetry SDK: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void The_gateway_wires_OpenTelemetry_only_in_its_observability_feature()
    {
        var result = Types.InAssembly(Assemblies.Gateway).That().DoNotResideInNamespace("Gateway.Observability")
            .ShouldNot().HaveDependencyOn("OpenTelemetry").GetResult();
        Assert.True(result.IsSuccessful, $"OpenTelemetry outside Gateway/Observability: {string.Join(", ", result.FailingTypeNames ?? [])}");
        Assert.NotEmpty(Types.InAssembly(Assemblies.Gateway).That().ResideInNamespace("Gateway.Observability").GetTypes());
    }

    [Fact]
    public void Gateway_references_no_platform_sdk()
    {
        var references = Assemblies.References(Assemblies.Gateway).ToList();
        Assert.DoesNotContain(references, r => PlatformSdks.Any(sdk => r.StartsWith(sdk, StringComparison.Ordinal)));
        var result = Types.InAssembly(Assemblies.Gateway).ShouldNot().HaveDependencyOnAny(["Amazon", "Azure", "Google", "Docker.DotNet", "k8s"]).GetResult();
        Assert.True(result.IsSuccessful, $"Gateway uses a platform SDK: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void The_channel_protocol_core_knows_no_family()
    {
        string[] core = ["Gateway.Channel.Framing", "Gateway.Channel.Handshake", "Gateway.Channel.Connections", "Gateway.Channel.Witnesses",
            "Gateway.Channel.Identity", "Gateway.Channel.Transport", "Gateway.Channel.Audit"];
        var result = Types.InAssembly(Assemblies.Channel).That().ResideInNamespace(core[0])
            .Or().ResideInNamespace(core[1]).Or().ResideInNamespace(core[2]).Or().ResideInNamespace(core[3])
            .Or().ResideInNamespace(core[4]).Or().ResideInNamespace(core[5]).Or().ResideInNamespace(core[6])
            .ShouldNot().HaveDependencyOnAny(["Gateway.Channel.Families", "Gateway.Channel.Rpc", "Gateway.Contracts.ObjectStorage",
                "Gateway.Contracts.Containers", "Gateway.Contracts.Clusters", "Gateway.Contracts.Rest"])
            .GetResult();
        Assert.True(result.IsSuccessful, $"protocol core types reach into a family: {string.Join(", ", result.FailingTypeNames ?? [])}");
        // The rule has something to check.
        Assert.NotEmpty(Types.InAssembly(Assemblies.Channel).That().ResideInNamespace("Gateway.Channel.Connections").GetTypes());
    }

    [Fact]
    public void No_host_side_call_handler_lives_in_the_web_app()
    {
        Assert.DoesNotContain(Assemblies.Gateway.GetTypes(), t => typeof(IChannelCallHandler).IsAssignableFrom(t));
    }
}
