using System.Collections;
using Xunit;

namespace Gateway.Tests.Docs;

/// <summary>
/// The feature docs repeat rows of docs/configuration.md in tables of their own (the channel's settings in ctp96.md,
/// the front door's in s3.md...). Those rows are held to the code as configuration.md's are: every key they name is
/// one the gateway binds, and a stated default is the code's, so a feature doc cannot drift from the reference.
/// </summary>
public sealed class SettingTablesDocTests
{
    public static TheoryData<string> FeatureDocs() =>
    [
        "ctp96.md", "s3.md", "cloud-storage.md", "rest-bridge.md", "observability.md",
        "docker-kubernetes.md", "security.md", "migrations.md", "operations.md",
    ];

    private static readonly IReadOnlyList<ConfigKey> Keys = ConfigurationKeys.All();

    /// <summary>
    /// Where a feature doc's table writes keys relative to a section, the section: named in the heading above it as a
    /// code span (<c>## Configuration: `Gateway:Observability`</c>), or by these headings.
    /// </summary>
    private static readonly (string Doc, string Heading, string Section)[] SectionsByHeading =
    [
        ("s3.md", "Setup", "Gateway:S3"),
        ("cloud-storage.md", "Kind = ", "Gateway:Stores:{}"),
        ("rest-bridge.md", "REST upstreams", "Gateway:Rest:Upstreams:{}"),
    ];

    /// <summary>The Gateway keys a doc's setting tables name in their first cell, as full paths.</summary>
    private static IEnumerable<(string Key, DocRow Row)> SettingRows(string doc) =>
        MarkdownTables.Rows(MarkdownTables.Read(doc))
            .Where(r => r.Cells.ContainsKey("setting"))
            .SelectMany(r => MarkdownTables.CodeSpans(r.First).Select(s => (Key: FullPath(doc, r.Heading, s), Row: r)))
            .Where(x => x.Key is not null)
            .Select(x => (x.Key!, x.Row));

    private static string? FullPath(string doc, string heading, string span)
    {
        var key = ConfigurationKeys.Normalise(span.Replace('<', '{').Replace('>', '}'));
        if (key.Contains('*', StringComparison.Ordinal) || key.Contains(' ', StringComparison.Ordinal) || key.StartsWith("...", StringComparison.Ordinal)) return null;
        if (key.StartsWith("Gateway:", StringComparison.Ordinal)) return key;
        var section = MarkdownTables.CodeSpans(heading).FirstOrDefault(h => h.StartsWith("Gateway:", StringComparison.Ordinal))
            ?? SectionsByHeading.Where(m => m.Doc == doc && heading.Contains(m.Heading, StringComparison.Ordinal)).Select(m => m.Section).FirstOrDefault();
        return section is null ? null : ConfigurationKeys.Normalise(section) + ":" + key;
    }

    [Fact]
    public void The_feature_docs_have_setting_rows_to_check()
    {
        // Guards the reading itself: if it found no rows, the theories below would pass vacuously.
        Assert.Contains(SettingRows("ctp96.md"), x => x.Key.StartsWith("Gateway:Channel:", StringComparison.Ordinal));
        Assert.Contains(SettingRows("s3.md"), x => x.Key.StartsWith("Gateway:S3:", StringComparison.Ordinal));
        Assert.Contains(SettingRows("observability.md"), x => x.Key.StartsWith("Gateway:Observability:", StringComparison.Ordinal));
        Assert.Contains(SettingRows("cloud-storage.md"), x => x.Key == "Gateway:Stores:{}:ServiceUrl");
        Assert.Contains(SettingRows("rest-bridge.md"), x => x.Key == "Gateway:Rest:Upstreams:{}:BaseUrl");
    }

    [Theory]
    [MemberData(nameof(FeatureDocs))]
    public void Every_setting_a_feature_doc_tabulates_is_bound(string doc)
    {
        var known = Keys.Select(k => k.Path).ToHashSet(StringComparer.Ordinal);
        var stray = SettingRows(doc).Where(x => !known.Contains(x.Key) && !IsSectionPrefix(x.Key))
            .Select(x => $"line {x.Row.Line}: {x.Key}").Distinct().ToList();
        Assert.True(stray.Count == 0, $"docs/{doc} tabulates settings the code does not bind:\n" + string.Join("\n", stray));
    }

    [Theory]
    [MemberData(nameof(FeatureDocs))]
    public void Every_default_a_feature_doc_states_is_the_code_s(string doc)
    {
        var wrong = new List<string>();
        foreach (var (key, row) in SettingRows(doc))
        {
            if (row.Cell("default") is not { } cell) continue;
            var stated = MarkdownTables.CodeSpans(cell).ToList();
            var defaults = Keys.Where(k => k.Path == key && !k.IsSection && HasDefault(k.Default)).ToList();
            if (defaults.Count == 0 || stated.Count == 0) continue;
            // A path several store kinds share may default differently per kind; the doc's value must be one of them.
            if (!defaults.Any(k => Values(k.Default!).All(v => stated.Any(s => ConfigurationDocTests.Same(s, v, k.Type)))))
                wrong.Add($"line {row.Line}: {key}: the doc says {cell}; the code: {string.Join(" or ", defaults.Select(k => ConfigurationDocTests.Show(k.Default!)))}");
        }
        Assert.True(wrong.Count == 0, $"docs/{doc} states defaults the code does not have:\n" + string.Join("\n", wrong));
    }

    private static bool IsSectionPrefix(string key) => Keys.Any(k => k.Path.StartsWith(key + ":", StringComparison.Ordinal));

    private static bool HasDefault(object? value) => value is not null && value is not (ICollection { Count: 0 });

    private static IEnumerable<object> Values(object value) => value is IList items ? items.Cast<object>() : [value];
}
