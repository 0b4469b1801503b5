using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using Gateway.Bridges.Local;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.ObjectStorage;
using Gateway.Hosting;
using Gateway.Migrations.Live;
using Gateway.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Docs;

/// <summary>
/// One configuration key as code binds it. <c>{}</c> stands for a dictionary key or a list index (the docs write
/// <c>{name}</c>, <c>{n}</c>...). <paramref name="Scope"/>, when set, is text the heading above the key's row must hold
/// (a store kind's settings: <c>Kind = s3</c>). A section key (<paramref name="IsSection"/>) must be named but has no row.
/// </summary>
internal sealed record ConfigKey(string Path, Type Type, object? Default, string? Scope = null, bool IsSection = false);

/// <summary>
/// Every configuration key of the gateway, found by reflection: the options types the gateway's services bind to a
/// <c>Gateway</c> section (<c>AddOptions&lt;T&gt;().Bind(...)</c>, as registered by <see cref="GatewayApp.AddGatewayServices"/>),
/// and the settings type of every store kind registered as an <see cref="IObjectStoreFactory"/>.
/// </summary>
internal static partial class ConfigurationKeys
{
    /// <summary>Placeholder of a dictionary key or list index in a key path.</summary>
    public const string Any = "{}";

    [GeneratedRegex(@"\{[^{}:]*\}")]
    private static partial Regex Placeholder();

    /// <summary>A key path as a doc writes it (<c>{name}</c>, <c>{n}</c>...) with every placeholder made <see cref="Any"/>.</summary>
    public static string Normalise(string path) => Placeholder().Replace(path.Trim(), Any);

    /// <summary>The one place the resilience settings every bridge instance has are documented: <c>{bridge}:Resilience:...</c>.</summary>
    public const string SharedResilience = Any + ":" + ResilienceOptions.SectionName;

    /// <summary>Keys read by hand (<c>configuration["..."]</c>), not bound to an options type.</summary>
    private static readonly ConfigKey[] ReadByHand =
    [
        new("Gateway:Role", typeof(string), "gateway"),
        new($"{StoreOptions.Section}:{Any}:Kind", typeof(string), null),
    ];

    /// <summary>
    /// Store kinds whose factory binds its settings by hand rather than through <see cref="ResilientStoreFactory{TSettings}"/>.
    /// A new kind fails <see cref="All"/> until it is named here or derives from that base.
    /// </summary>
    private static readonly Dictionary<Type, Type> HandBoundStoreSettings = new()
    {
        [typeof(LocalStoreFactory)] = typeof(LocalStoreOptions),
        [typeof(MigratingStoreFactory)] = typeof(MigratingStoreOptions),
    };

    public static IServiceCollection GatewayServices(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(configuration);
        GatewayApp.AddGatewayServices(services, configuration);
        return services;
    }

    /// <summary>The sections bound to options types: (section path, options type), from the registered change-token sources.</summary>
    public static IReadOnlyList<(string Section, Type Options)> BoundSections(IServiceCollection services) =>
    [
        .. services
            .Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>))
            .Select(d => (Section: SectionOf(d.ImplementationInstance!), Options: d.ServiceType.GetGenericArguments()[0]))
            .Where(s => s.Section == "Gateway" || s.Section.StartsWith("Gateway:", StringComparison.Ordinal))
            .Distinct(),
    ];

    /// <summary>Every key, with its default where code gives one.</summary>
    public static IReadOnlyList<ConfigKey> All()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([]).Build();
        var services = GatewayServices(configuration);
        var keys = new List<ConfigKey>(ReadByHand);
        foreach (var (section, options) in BoundSections(services)) Walk(section, options, Activator.CreateInstance(options), null, keys);

        using var provider = services.BuildServiceProvider();
        var store = $"{StoreOptions.Section}:{Any}";
        foreach (var factory in provider.GetServices<IObjectStoreFactory>())
        {
            var settings = StoreSettingsType(factory.GetType());
            var scope = $"Kind = {factory.Kind}";
            Walk(store, settings, Activator.CreateInstance(settings), scope, keys);
            if (IsResilient(factory.GetType())) Add($"{store}:{ResilienceOptions.SectionName}", typeof(ResilienceOptions), null, scope, keys);
        }
        Walk($"{store}:{CapabilitySettings.Section}", typeof(CapabilitySettings), new CapabilitySettings(), null, keys);
        Walk(SharedResilience, typeof(ResilienceOptions), new ResilienceOptions(), null, keys);
        return keys.DistinctBy(k => (k.Path, k.Scope)).ToList();
    }

    private static Type StoreSettingsType(Type factory)
    {
        for (var t = factory; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ResilientStoreFactory<>)) return t.GetGenericArguments()[0];
        return HandBoundStoreSettings.TryGetValue(factory, out var settings)
            ? settings
            : throw new InvalidOperationException($"Store kind factory {factory.Name} binds its settings by hand: name its settings type in {nameof(HandBoundStoreSettings)}.");
    }

    private static bool IsResilient(Type factory) =>
        factory.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(ResilientStoreFactory<>);

    private static void Walk(string prefix, Type type, object? instance, string? scope, List<ConfigKey> keys)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // The binder sets public setters (init ones too); computed get-only properties are not settings.
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0) continue;
            Add($"{prefix}:{property.Name}", property.PropertyType, instance is null ? null : property.GetValue(instance), scope, keys);
        }
    }

    private static void Add(string path, Type type, object? value, string? scope, List<ConfigKey> keys)
    {
        if (type == typeof(ResilienceOptions))
        {
            // Documented once as {bridge}:Resilience:...; each place that has it names the section.
            keys.Add(new ConfigKey(path, type, null, scope, IsSection: true));
            return;
        }
        if (IsScalar(type)) { keys.Add(new ConfigKey(path, type, value, scope)); return; }
        if (DictionaryValueType(type) is { } valueType)
        {
            Add($"{path}:{Any}", valueType, IsScalar(valueType) ? null : Activator.CreateInstance(valueType), scope, keys);
            return;
        }
        if (ListItemType(type) is { } itemType)
        {
            // A list of scalars keeps its default items (checked against the doc); a list of objects is walked per item.
            var items = value is IEnumerable e ? e.Cast<object>().ToList() : null;
            Add($"{path}:{Any}", itemType, IsScalar(itemType) ? items is { Count: > 0 } ? items : null : Activator.CreateInstance(itemType), scope, keys);
            return;
        }
        Walk(path, type, value ?? Activator.CreateInstance(type), scope, keys);
    }

    public static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan)
            || t == typeof(DateTimeOffset) || t == typeof(DateTime) || t == typeof(Uri);
    }

    private static Type? DictionaryValueType(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>) && i.GetGenericArguments()[0] == typeof(string))
            ?.GetGenericArguments()[1];

    private static Type? ListItemType(Type type) =>
        type == typeof(string) ? null
        : type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            ?.GetGenericArguments()[0];

    private static string SectionOf(object changeTokenSource)
    {
        // ConfigurationChangeTokenSource<T> keeps the section it was bound to in a private field.
        var field = changeTokenSource.GetType().GetFields(BindingFlags.NonPublic | BindingFlags.Instance)
            .First(f => typeof(IConfiguration).IsAssignableFrom(f.FieldType));
        return field.GetValue(changeTokenSource) is IConfigurationSection section ? section.Path : "";
    }
}
