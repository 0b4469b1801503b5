using Gateway.Contracts.ObjectStorage;
using Gateway.Migrations.Live;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// A migrating store's merged listing, paged through, gives every key and common prefix of either side exactly once,
/// in the order it promises (UTF-16 code-unit order when both stores page so, else UTF-8 byte order), whatever the two
/// stores' own listing orders. Between a UTF-16 and a UTF-8 store it merged and resumed in UTF-8 order while the UTF-16
/// side paged in its own, so keys were lost and repeated at page boundaries (a black-box probe: 51 of 64 keys listed
/// with a page size of 1, 2 repeats with 7).
/// </summary>
public sealed class MergedListingOrderTests
{
    // The probe's characters: U+10000 and above sort before U+E000-U+FFFF in UTF-16 and after them in UTF-8.
    private static readonly string[] Chars = ["\uE000", "😀", "\uFFFD", "𐀀", "\uFF21", "\U0010FFFD", "z", "\uD7FF"];

    /// <summary>64 keys <c>u/a{c}{d}</c> and some under a further '/', each on From only, To only or both.</summary>
    private static readonly string[] Keys =
    [
        .. Chars.SelectMany(c => Chars.Select(d => $"u/a{c}{d}")),
        .. Chars.Select(c => $"u/{c}/k"),
        .. Chars.Select(c => $"u/a{c}/k"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_key_is_listed_once_in_the_promised_order(bool fromUtf16, bool toUtf16, int pageSize, string? delimiter)
    {
        var from = new KeysPagedInOrderStore("from", fromUtf16, Keys.Where((_, i) => i % 3 != 1));
        var to = new KeysPagedInOrderStore("to", toUtf16, Keys.Where((_, i) => i % 3 != 0));
        IComparer<string> promised = fromUtf16 && toUtf16 ? StringComparer.Ordinal : Utf8KeyOrder.Instance;

        var listed = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await MergedListing.ListAsync(from, to, "b", new ListObjectsRequest { Prefix = "u/", Delimiter = delimiter, PageSize = pageSize, PageToken = token },
                CancellationToken.None);
            Assert.InRange(page.Objects.Count + page.CommonPrefixes.Count, 0, pageSize);
            listed.AddRange(page.Objects.Select(o => o.Key).Concat(page.CommonPrefixes).Order(promised));
            token = page.NextPageToken;
            Assert.True(++pages <= Keys.Length + 1, "the listing does not end");
        } while (token is not null);

        var expected = Keys.Select(k => delimiter is null || k.IndexOf('/', 2) < 0 ? k : k[..(k.IndexOf('/', 2) + 1)]).Distinct().Order(promised).ToList();
        Assert.Equal(expected, listed);
    }

    public static TheoryData<bool, bool, int, string?> Cases()
    {
        var cases = new TheoryData<bool, bool, int, string?>();
        foreach (var (fromUtf16, toUtf16) in new[] { (false, true), (true, false), (true, true), (false, false) })
            foreach (var pageSize in new[] { 1, 3, 7, 1000 })
                foreach (var delimiter in new[] { null, "/" })
                    cases.Add(fromUtf16, toUtf16, pageSize, delimiter);
        return cases;
    }
}
