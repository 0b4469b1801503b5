using System.Text.RegularExpressions;
using Gateway.Testing;

namespace Gateway.Tests.Docs;

/// <summary>One row of a Markdown table in a doc: its cells by column name, and the heading it sits under.</summary>
internal sealed record DocRow(string Heading, IReadOnlyDictionary<string, string> Cells, int Line)
{
    /// <summary>The first column's cell.</summary>
    public required string First { get; init; }

    public string? Cell(string column) => Cells.TryGetValue(column, out var cell) ? cell : null;
}

/// <summary>Reads the tables of a doc under docs/: the catalogues the docs tests hold the code against.</summary>
internal static partial class MarkdownTables
{
    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex("^```.*?^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Fence();

    public static string Read(string doc) => File.ReadAllText(Path.Combine(Backends.RepositoryRoot, "docs", doc));

    /// <summary>The text of every code span (<c>`...`</c>) in <paramref name="text"/>, outside fenced code blocks.</summary>
    public static IEnumerable<string> CodeSpans(string text) => CodeSpan().Matches(Fence().Replace(text, "")).Select(m => m.Groups[1].Value);

    /// <summary>Every body row of every table, with the last heading above it (its text, without the #s).</summary>
    public static IReadOnlyList<DocRow> Rows(string markdown)
    {
        var rows = new List<DocRow>();
        var lines = markdown.Split('\n');
        var heading = "";
        string[]? columns = null;
        var inFence = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            if (inFence) continue;
            if (line.StartsWith('#')) { heading = line.TrimStart('#').Trim(); columns = null; continue; }
            if (!line.StartsWith('|')) { columns = null; continue; }
            var cells = Cells(line);
            if (columns is null)
            {
                // A header row is followed by its |---| separator; a lone pipe line is not a table.
                var next = i + 1 < lines.Length ? lines[i + 1] : "";
                if (next.StartsWith('|') && next.Replace("|", "").Replace("-", "").Replace(":", "").Trim().Length == 0)
                {
                    columns = cells.Select(c => c.ToLowerInvariant()).ToArray();
                    i++;
                }
                continue;
            }
            var byColumn = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var c = 0; c < columns.Length && c < cells.Count; c++) byColumn.TryAdd(columns[c], cells[c]);
            rows.Add(new DocRow(heading, byColumn, i + 1) { First = cells.Count > 0 ? cells[0] : "" });
        }
        return rows;
    }

    /// <summary>Splits a table line on the pipes that are not inside a code span.</summary>
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var current = new System.Text.StringBuilder();
        var inCode = false;
        foreach (var ch in line.Trim().Trim('|'))
        {
            if (ch == '`') inCode = !inCode;
            if (ch == '|' && !inCode)
            {
                cells.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }
            current.Append(ch);
        }
        cells.Add(current.ToString().Trim());
        return cells;
    }
}
