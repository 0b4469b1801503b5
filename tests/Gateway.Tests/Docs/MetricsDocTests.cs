using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Gateway.Hosting;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Tests.Docs;

/// <summary>
/// docs/observability.md against the instruments the gateway creates: every <c>gateway.*</c> instrument has a row with its
/// type and unit, under a heading naming its meter, and every row names a live instrument.
/// </summary>
public sealed partial class MetricsDocTests
{
    private const string Doc = "observability.md";

    [GeneratedRegex(@"\.Create(Observable)?(Counter|Histogram|UpDownCounter|Gauge)\b")]
    private static partial Regex CreateCall();

    private static readonly IReadOnlyList<Instrument> Instruments = GatewayInstruments();
    private static readonly IReadOnlyList<DocRow> Rows =
        [.. MarkdownTables.Rows(MarkdownTables.Read(Doc)).Where(r => MarkdownTables.CodeSpans(r.First).Any(s => s.StartsWith("gateway.", StringComparison.Ordinal)))];

    [Fact]
    public void Every_instrument_the_code_creates_is_found()
    {
        // The enumeration must see every Create call of the product's source: one it misses would go unchecked.
        var calls = new[] { "Gateway", "Channel", "Bridges" }
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(Backends.RepositoryRoot, dir), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Sum(f => CreateCall().Matches(File.ReadAllText(f)).Count);
        Assert.True(calls == Instruments.Count,
            $"the source has {calls} instrument Create calls, the enumeration found {Instruments.Count} gateway.* instruments: "
            + string.Join(", ", Instruments.Select(i => i.Name).Order()));
    }

    [Fact]
    public void Every_instrument_has_a_row_with_its_type_and_unit()
    {
        var wrong = new List<string>();
        foreach (var instrument in Instruments)
        {
            var rows = Rows.Where(r => MarkdownTables.CodeSpans(r.First).Contains(instrument.Name)).ToList();
            if (rows.Count != 1) { wrong.Add($"{instrument.Name} ({instrument.Meter.Name}) has {rows.Count} rows"); continue; }
            var row = rows[0];
            if (MarkdownTables.CodeSpans(row.First).Count() != 1) wrong.Add($"line {row.Line}: one instrument a row");
            if (row.Cell("type") != Kind(instrument))
                wrong.Add($"line {row.Line}: {instrument.Name} is a {Kind(instrument)}; the doc says {row.Cell("type")}");
            if (row.Cell("unit") is not { } unit || !MarkdownTables.CodeSpans(unit).Contains(instrument.Unit))
                wrong.Add($"line {row.Line}: {instrument.Name} has the unit `{instrument.Unit}`; the doc says {row.Cell("unit")}");
            if (!row.Heading.Contains($"`{instrument.Meter.Name}`", StringComparison.Ordinal))
                wrong.Add($"line {row.Line}: {instrument.Name} belongs to meter `{instrument.Meter.Name}`; its heading is '{row.Heading}'");
        }
        Assert.True(wrong.Count == 0, $"docs/{Doc} and the instruments differ:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void Every_documented_instrument_exists()
    {
        var live = Instruments.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var stray = Rows.SelectMany(r => MarkdownTables.CodeSpans(r.First).Where(s => !live.Contains(s)).Select(s => $"line {r.Line}: {s}")).ToList();
        Assert.True(stray.Count == 0, $"docs/{Doc} documents instruments the gateway does not create:\n" + string.Join("\n", stray));
    }

    private static string Kind(Instrument instrument)
    {
        var type = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : instrument.GetType();
        var kind = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] switch
        {
            "Counter" => "counter",
            "ObservableCounter" => "observable counter",
            "UpDownCounter" => "up-down counter",
            "ObservableUpDownCounter" => "observable up-down counter",
            "Histogram" => "histogram",
            "Gauge" => "gauge",
            "ObservableGauge" => "observable gauge",
            var other => other,
        };
        return kind;
    }

    /// <summary>
    /// The gateway.* instruments, as a MeterListener sees them published: those of static meters (class constructors run)
    /// and those of meters made through <see cref="IMeterFactory"/> (every product class taking one is built).
    /// </summary>
    private static List<Instrument> GatewayInstruments()
    {
        var found = new Dictionary<string, Instrument>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Name.StartsWith("gateway.", StringComparison.Ordinal)) lock (found) found.TryAdd(instrument.Name, instrument);
        };
        listener.Start();
        var types = ProductAssemblies().SelectMany(a => a.GetTypes()).Where(t => !t.ContainsGenericParameters).ToList();
        foreach (var type in types.Where(HoldsStaticMeter)) RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        using var services = new ServiceCollection().AddMetrics().AddLogging().AddSingleton(TimeProvider.System).BuildServiceProvider();
        foreach (var type in types.Where(t => !t.IsAbstract && t.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(IMeterFactory)))))
            ActivatorUtilities.CreateInstance(services, type);
        lock (found) return [.. found.Values];
    }

    private static bool HoldsStaticMeter(Type type) =>
        type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Any(f => f.FieldType == typeof(Meter) || typeof(Instrument).IsAssignableFrom(f.FieldType));

    /// <summary>The product's assemblies (Gateway, Gateway.Channel, Gateway.Bridges.*...), found through the gateway's references.</summary>
    private static List<Assembly> ProductAssemblies()
    {
        var seen = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>([typeof(GatewayApp).Assembly]);
        while (queue.TryDequeue(out var assembly))
        {
            if (!seen.TryAdd(assembly.GetName().Name!, assembly)) continue;
            foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name is { } n && (n == "Gateway" || n.StartsWith("Gateway.", StringComparison.Ordinal))))
                queue.Enqueue(Assembly.Load(reference));
        }
        return [.. seen.Values];
    }
}
