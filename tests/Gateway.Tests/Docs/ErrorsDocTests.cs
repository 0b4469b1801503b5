using Gateway.Contracts.Errors;
using Gateway.Problems;
using Xunit;

namespace Gateway.Tests.Docs;

/// <summary>docs/errors.md against <see cref="ErrorCode"/>: every code the facade can answer is listed once, with its status.</summary>
public sealed class ErrorsDocTests
{
    private const string Doc = "errors.md";
    private static readonly string Markdown = MarkdownTables.Read(Doc);

    /// <summary>The rows of the catalogue: tables whose first column is <c>code</c> and that have a <c>status</c> column.</summary>
    private static readonly IReadOnlyList<DocRow> Catalogue =
        [.. MarkdownTables.Rows(Markdown).Where(r => r.Cells.ContainsKey("code") && r.Cells.ContainsKey("status"))];

    [Fact]
    public void Every_error_code_is_listed_with_its_status()
    {
        var wrong = new List<string>();
        foreach (var code in Enum.GetValues<ErrorCode>())
        {
            var rows = Catalogue.Where(r => MarkdownTables.CodeSpans(r.First).Contains(code.Slug())).ToList();
            if (rows.Count != 1) { wrong.Add($"`{code.Slug()}` ({code}) has {rows.Count} rows"); continue; }
            var status = rows[0].Cell("status")!.Trim();
            if (status != code.HttpStatus().ToString(System.Globalization.CultureInfo.InvariantCulture))
                wrong.Add($"line {rows[0].Line}: `{code.Slug()}` is {code.HttpStatus()} in code; the doc says {status}");
        }
        Assert.True(wrong.Count == 0, $"docs/{Doc} and ErrorCode differ:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void Every_listed_code_exists()
    {
        Assert.NotEmpty(Catalogue);
        var known = Enum.GetValues<ErrorCode>().Select(c => c.Slug()).ToHashSet(StringComparer.Ordinal);
        var stray = Catalogue.Where(r => !MarkdownTables.CodeSpans(r.First).Any(known.Contains)).Select(r => $"line {r.Line}: {r.First}").ToList();
        Assert.True(stray.Count == 0, $"docs/{Doc} lists codes the gateway never answers:\n" + string.Join("\n", stray));
    }

    [Fact]
    public void The_problem_type_uri_is_the_one_the_gateway_writes()
    {
        // type = base + code; the doc's example shows it for not-found.
        Assert.Contains($"\"type\": \"{ProblemTypes.For(ErrorCode.NotFound)}\"", Markdown, StringComparison.Ordinal);
        Assert.Contains($"`{ProblemTypes.Base}{{code}}`", Markdown, StringComparison.Ordinal);
    }
}
