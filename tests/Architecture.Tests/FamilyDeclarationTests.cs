using System.Reflection;
using Gateway.Channel.Families;
using Gateway.Contracts.Bridges;

namespace Gateway.Architecture.Tests;

/// <summary>Each family declares every method of its bridge interface exactly once, and nothing else.</summary>
public sealed class FamilyDeclarationTests
{
    /// <summary>Every family declaration in the Channel assembly (a static <c>Declaration</c> property).</summary>
    public static IReadOnlyList<IBridgeFamily> Families { get; } = Assemblies.Channel.GetTypes()
        .Select(t => t.GetProperty("Declaration", BindingFlags.Public | BindingFlags.Static))
        .Where(p => p is not null && typeof(IBridgeFamily).IsAssignableFrom(p.PropertyType))
        .Select(p => (IBridgeFamily)p!.GetValue(null)!)
        .ToList();

    public static TheoryData<string> FamilyNames()
    {
        var data = new TheoryData<string>();
        foreach (var family in Families) data.Add(family.Name);
        return data;
    }

    [Fact]
    public void Every_bridge_interface_has_one_family()
    {
        // The bridge catalog is the bridge host's own family: its interface sits with IBridgeInstance, not with the platforms'.
        Assert.Equal(["bridge-catalog", "clusters", "containers", "object-storage", "rest"], Families.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Families.Count, Families.Select(f => f.BridgeType).Distinct().Count());
        var bridgeInterfaces = Assemblies.Contracts.GetTypes()
            .Where(t => t.IsInterface && t.Namespace is { } ns && ns != typeof(IBridgeInstance).Namespace && t.GetMethods().Any(m => m.ReturnType.IsAssignableTo(typeof(Task))))
            .ToList();
        Assert.Equal(bridgeInterfaces.Select(t => t.Name).Order(), Families.Where(f => f.BridgeType != typeof(IBridgeCatalog)).Select(f => f.BridgeType.Name).Order());
    }

    [Theory]
    [MemberData(nameof(FamilyNames))]
    public void Operations_match_the_interface_one_to_one(string name)
    {
        var family = Families.Single(f => f.Name == name);
        var own = family.BridgeType.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName).ToHashSet();
        var declared = family.Operations.Select(o => o.Method).ToList();
        Assert.Equal(declared.Count, declared.Distinct().Count());
        Assert.Equal(own.Select(m => m.Name).Order(), declared.Select(m => m.Name).Order());
        Assert.All(declared, m => Assert.Contains(m, own));
        Assert.Equal(family.Operations.Count, family.Operations.Select(o => o.Name).Distinct().Count());
    }
}
