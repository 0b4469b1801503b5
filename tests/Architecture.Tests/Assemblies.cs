using System.Reflection;

namespace Gateway.Architecture.Tests;

/// <summary>The product's assemblies, loaded from the test's output folder (the Gateway reference brings them all).</summary>
internal static class Assemblies
{
    public static Assembly Gateway { get; } = typeof(Hosting.GatewayApp).Assembly;
    public static Assembly Channel { get; } = typeof(Channel.Rpc.ChannelClient).Assembly;
    public static Assembly Contracts { get; } = typeof(Contracts.Errors.GatewayException).Assembly;

    /// <summary>Every Gateway.Bridges.* assembly.</summary>
    public static IReadOnlyList<Assembly> Bridges { get; } = Directory
        .GetFiles(AppContext.BaseDirectory, "Gateway.Bridges.*.dll")
        .Select(path => Assembly.LoadFrom(path))
        .ToList();

    public static IEnumerable<string> References(Assembly assembly) => assembly.GetReferencedAssemblies().Select(a => a.Name!);
}
