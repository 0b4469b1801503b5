using System.Collections;
using System.ComponentModel;
using System.Globalization;
using Xunit;

namespace Gateway.Tests.Docs;

/// <summary>
/// docs/configuration.md against the code: every key the gateway binds has a row there (its full path, placeholders
/// written <c>{name}</c>), and a row's default is the code's.
/// </summary>
public sealed class ConfigurationDocTests
{
    private const string Doc = "configuration.md";

    private static readonly IReadOnlyList<ConfigKey> Keys = ConfigurationKeys.All();
    private static readonly string Markdown = MarkdownTables.Read(Doc);
    private static readonly IReadOnlyList<DocRow> Rows = MarkdownTables.Rows(Markdown);

    private static IEnumerable<DocRow> RowsOf(ConfigKey key) => Rows.Where(r =>
        MarkdownTables.CodeSpans(r.First).Any(s => ConfigurationKeys.Normalise(s) == key.Path)
        && (key.Scope is null || r.Heading.Contains(key.Scope, StringComparison.Ordinal)));

    [Fact]
    public void The_reflection_finds_the_sections_the_gateway_binds()
    {
        // Guards the enumeration itself: if it found nothing, every other test here would pass vacuously.
        var sections = ConfigurationKeys.BoundSections(ConfigurationKeys.GatewayServices(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build())).Select(s => s.Section).ToHashSet();
        foreach (var expected in new[] { "Gateway", "Gateway:Security", "Gateway:Channel", "Gateway:S3", "Gateway:Rest", "Gateway:Migrations" })
            Assert.Contains(expected, sections);
        Assert.Contains(Keys, k => k.Path == "Gateway:Stores:{}:ServiceUrl" && k.Scope == "Kind = s3");
        Assert.Contains(Keys, k => k.Path == "{}:Resilience:MaxRetryAttempts" && Equals(k.Default, 3));
        Assert.Contains(Keys, k => k.Path == "Gateway:Security:ApiKeys:{}:Scopes:{}");
        Assert.True(Keys.Count > 150, $"only {Keys.Count} keys found");
    }

    [Fact]
    public void Every_bound_key_has_a_row()
    {
        var missing = Keys.Where(k => k.IsSection
                ? !MarkdownTables.CodeSpans(Markdown).Any(s => ConfigurationKeys.Normalise(s) == k.Path)
                : !RowsOf(k).Any())
            .Select(k => k.Scope is null ? k.Path : $"{k.Path} (under a heading with '{k.Scope}')").ToList();
        Assert.True(missing.Count == 0, $"docs/{Doc} lacks a row for:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Every_documented_key_is_bound()
    {
        // A row naming a Gateway key nothing reads is a setting an operator would set in vain.
        var known = Keys.Select(k => k.Path).ToHashSet(StringComparer.Ordinal);
        var stray = Rows.SelectMany(r => MarkdownTables.CodeSpans(r.First).Select(s => (Key: ConfigurationKeys.Normalise(s), r.Line)))
            .Where(x => (x.Key.StartsWith("Gateway:", StringComparison.Ordinal) || x.Key.StartsWith(ConfigurationKeys.SharedResilience, StringComparison.Ordinal))
                && !known.Contains(x.Key))
            .Select(x => $"line {x.Line}: {x.Key}").ToList();
        Assert.True(stray.Count == 0, $"docs/{Doc} documents keys the code does not bind:\n" + string.Join("\n", stray));
    }

    [Fact]
    public void Every_default_in_code_is_the_documented_one()
    {
        var wrong = new List<string>();
        foreach (var key in Keys.Where(k => !k.IsSection && HasDefault(k.Default)))
        {
            foreach (var row in RowsOf(key))
            {
                if (row.Cell("default") is not { } cell) { wrong.Add($"line {row.Line}: {key.Path} has no default column"); continue; }
                var stated = MarkdownTables.CodeSpans(cell).ToList();
                var expected = key.Default is IList items ? items.Cast<object>() : [key.Default!];
                foreach (var value in expected)
                    if (!stated.Any(s => Same(s, value, key.Type)))
                        wrong.Add($"line {row.Line}: {key.Path} defaults to `{Show(value)}` in code; the doc says: {cell}");
            }
        }
        Assert.True(wrong.Count == 0, $"docs/{Doc} states defaults the code does not have:\n" + string.Join("\n", wrong));
    }

    private static bool HasDefault(object? value) => value is not null && value is not (ICollection { Count: 0 });

    /// <summary>Whether the doc's literal, read as configuration reads it, is the code's value.</summary>
    internal static bool Same(string literal, object value, Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string)) return literal == (string)value;
        if (value.GetType() != t && ConfigurationKeys.IsScalar(value.GetType())) t = value.GetType();
        try { return Equals(TypeDescriptor.GetConverter(t).ConvertFromInvariantString(literal), value); }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException or OverflowException) { return false; }
    }

    internal static string Show(object value) => value switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
