using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations.Multipart;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;
using Gateway.Security;

namespace Gateway.S3Api.Operations;

/// <summary>
/// ListObjects (v1: marker) and ListObjectsV2 (continuation-token, start-after, fetch-owner) over the store's own
/// paging. S3's markers are keys; the store's tokens are opaque. A continuation token here is either the store's
/// token (a page ended exactly at max-keys) or the last key returned (the page was cut or filtered), so every
/// store works and no page repeats or skips an entry. Keys come in the store's order: S3's UTF-8 byte order, or UTF-16
/// code-unit order for a store that pages so (<see cref="StoreCapabilities.Utf16ListingOrder"/>, Azure).
/// </summary>
public static class ListOperations
{
    internal sealed record Entry(string Name, ObjectInfo? Object);

    internal sealed record Window(List<Entry> Entries, bool Truncated, string? NextToken, string? LastName);

    /// <summary>The query parameters every listing shares, checked as S3 checks them, with the caller's read grant.</summary>
    internal sealed record Parameters(string Prefix, string Delimiter, bool Url, int MaxKeys, bool MatchesNothing)
    {
        public string Enc(string s) => Url ? SigV4.UriEncode(s, keepSlash: true) : s;

        public static Parameters Read(S3Context c)
        {
            var q = c.Request.Query;
            var prefix = q["prefix"].ToString();
            var delimiter = q["delimiter"].ToString();
            var url = UrlEncoding(q);
            var maxKeys = 1000;
            if (q.TryGetValue("max-keys", out var mk))
            {
                if (!int.TryParse(mk.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out maxKeys))
                    throw S3Errors.InvalidArgument("Provided max-keys not an integer or within integer range", "max-keys", mk.ToString());
                maxKeys = Math.Min(maxKeys, 1000);
            }
            var matchesNothing = MatchesNoKey(prefix);
            if (Encoding.UTF8.GetByteCount(delimiter) > ObjectNames.MaxKeyBytes)
                throw S3Errors.InvalidArgument($"The delimiter is at most {ObjectNames.MaxKeyBytes} bytes here: no key is longer.", "delimiter", delimiter);
            c.Require(Operation.Read, c.Target.ObjectResource(prefix), prefix: true);
            return new Parameters(prefix, delimiter, url, maxKeys, matchesNothing);
        }

        /// <summary>
        /// True for <c>encoding-type=url</c>. Present, the parameter must be <c>url</c>: an empty one is refused as S3 refuses
        /// it, not read as absent (answering raw keys to a client that asked for an encoding).
        /// </summary>
        public static bool UrlEncoding(IQueryCollection q)
        {
            if (!q.TryGetValue("encoding-type", out var given)) return false;
            var encodingType = given.ToString();
            if (encodingType != "url") throw S3Errors.InvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", encodingType);
            return true;
        }

        /// <summary>
        /// A prefix no stored key can start with (a control character, a leading '/', a complete '.' or '..' segment,
        /// more bytes than a key may have) lists nothing, as S3 answers for a prefix nothing matches, rather than being
        /// refused. A prefix ending in a partial segment ("a/.") could begin a key ("a/.x") the stores cannot be asked
        /// for by that prefix: refused.
        /// </summary>
        private static bool MatchesNoKey(string prefix)
        {
            if (prefix.Any(char.IsControl)) return true;
            try
            {
                ObjectNames.ValidatePrefix(prefix);
                return false;
            }
            catch (GatewayException e)
            {
                try { ObjectNames.ValidateKey(prefix + "x"); }
                catch (GatewayException) { return true; }
                throw S3Errors.InvalidArgument(e.Message, "prefix", prefix);
            }
        }

        /// <summary>
        /// Up to MaxKeys entries after <paramref name="after"/> (a key), or from the store's own token. A page that cannot
        /// hold a key (max-keys=0, a prefix no key starts with) lists nothing, but still only in a bucket that exists.
        /// </summary>
        public Task<Window> CollectAsync(S3Context c, string? storeToken, string? after) =>
            MaxKeys == 0 || MatchesNothing
                ? NothingAsync(c)
                : ListOperations.CollectAsync(c, NullIfEmpty(Prefix), StoreDelimiter, MaxKeys, storeToken, after);

        /// <summary>
        /// The delimiter the store is asked with. One holding a character no key can hold (a control character, U+FFFE,
        /// U+FFFF) rolls up nothing, so the store is asked without it: S3 and Azure Blob services echo the delimiter in their
        /// XML answers, which cannot carry such a character, and the listing was a 500 <c>InternalError</c>. The answer
        /// still names the delimiter as given.
        /// </summary>
        private string? StoreDelimiter => Delimiter.Any(ObjectNames.CannotBeInKey) ? null : NullIfEmpty(Delimiter);

        private static async Task<Window> NothingAsync(S3Context c) =>
            await c.BucketExistsAsync() ? new Window([], false, null, null) : throw S3Errors.NoSuchBucket();

        private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
    }

    public static async Task ListAsync(S3Context c, bool v2)
    {
        var q = c.Request.Query;
        var t = c.Target;
        var p = Parameters.Read(c);
        var (prefix, delimiter, maxKeys, url) = (p.Prefix, p.Delimiter, p.MaxKeys, p.Url);

        string? storeToken = null, after = null;
        string? continuation = v2 ? NullIfEmpty(q["continuation-token"]) : null;
        var startAfter = v2 ? NullIfEmpty(q["start-after"]) : null;
        var marker = v2 ? null : NullIfEmpty(q["marker"]);
        if (continuation is not null) (storeToken, after) = DecodeToken(continuation);
        else after = v2 ? startAfter : marker;

        var window = await p.CollectAsync(c, storeToken, after);
        var fetchOwner = v2 && q["fetch-owner"] == "true";

        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("ListBucketResult", S3Xml.Namespace);
            w.Element("Name", t.S3Bucket);
            // v1 answers the prefix as given (botocore decodes it only in v2); v2 URL-encodes it with the keys.
            w.Element("Prefix", v2 ? p.Enc(prefix) : prefix);
            if (v2)
            {
                if (q.ContainsKey("continuation-token")) w.Element("ContinuationToken", q["continuation-token"].ToString());
                if (startAfter is not null) w.Element("StartAfter", p.Enc(startAfter));
                w.Element("KeyCount", window.Entries.Count);
            }
            else
            {
                w.Element("Marker", p.Enc(marker ?? ""));
                // S3 names NextMarker only for a listing with a delimiter; without one the last key is the next marker.
                if (window.Truncated && window.LastName is not null && delimiter.Length > 0) w.Element("NextMarker", p.Enc(window.LastName));
            }
            w.Element("MaxKeys", maxKeys);
            if (delimiter.Length > 0) w.Element("Delimiter", p.Enc(delimiter));
            if (url) w.Element("EncodingType", "url");
            w.Element("IsTruncated", window.Truncated);
            if (v2 && window.Truncated && window.NextToken is not null) w.Element("NextContinuationToken", window.NextToken);
            foreach (var e in window.Entries.Where(e => e.Object is not null))
            {
                var o = e.Object!;
                w.WriteStartElement("Contents");
                w.Element("Key", p.Enc(o.Key));
                w.Element("LastModified", o.LastModified);
                w.Element("ETag", S3ObjectHeaders.ETag(o));
                w.Element("Size", o.Size);
                if (!v2 || fetchOwner) BucketOperations.WriteOwner(w, c);
                w.Element("StorageClass", KeptStorageClass.Of(o));
                w.WriteEndElement();
            }
            ListOperations.WriteCommonPrefixes(w, window, p);
            w.WriteEndElement();
        });
    }

    /// <summary>The rolled-up prefixes of a page, after its objects (ListObjects v1 and v2, ListObjectVersions).</summary>
    internal static void WriteCommonPrefixes(System.Xml.XmlWriter w, Window window, Parameters p)
    {
        foreach (var e in window.Entries.Where(e => e.Object is null))
        {
            w.WriteStartElement("CommonPrefixes");
            w.Element("Prefix", p.Enc(e.Name));
            w.WriteEndElement();
        }
    }

    private static async Task<Window> CollectAsync(S3Context c, string? prefix, string? delimiter, int maxKeys, string? storeToken, string? after)
    {
        var t = c.Target;
        // The store's own order: a key a client resumes after is compared as the store pages (Azure: UTF-16 code units),
        // or a key listed on a later store page than one after it in UTF-8 order would be skipped or listed again.
        var order = t.Store.Capabilities.ListingOrder();
        var entries = new List<Entry>(Math.Min(maxKeys, 1000));
        var token = storeToken;
        while (true)
        {
            var page = await t.Store.ListObjectsAsync(t.Bucket, new ListObjectsRequest
            {
                Prefix = prefix,
                Delimiter = delimiter,
                PageSize = Math.Clamp(maxKeys - entries.Count, 1, 1000),
                PageToken = token,
            }, c.Aborted);
            var merged = page.Objects.Select(o => new Entry(o.Key, o))
                .Concat(page.CommonPrefixes.Select(p => new Entry(p, null)))
                .Where(e => !MultipartMetadata.IsPartsAreaKey(e.Name) && (after is null || order.Compare(e.Name, after) > 0))
                .OrderBy(e => e.Name, order);
            foreach (var e in merged)
            {
                if (entries.Count == maxKeys)
                {
                    var last = entries[^1].Name;
                    return new Window(entries, true, EncodeKeyToken(last), last);
                }
                entries.Add(e);
            }
            token = page.NextPageToken;
            if (token is null) return new Window(entries, false, null, entries.Count > 0 ? entries[^1].Name : null);
            if (entries.Count == maxKeys)
                return new Window(entries, true, EncodeStoreToken(token), entries[^1].Name);
        }
    }

    internal static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues v) => v.Count == 0 || string.IsNullOrEmpty(v[0]) ? null : v[0];

    private static string EncodeStoreToken(string token) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("t:" + token));
    private static string EncodeKeyToken(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("k:" + key));

    internal static (string? StoreToken, string? After) DecodeToken(string token)
    {
        string text;
        try { text = new UTF8Encoding(false, true).GetString(Base64Url.DecodeFromChars(token)); }
        catch (Exception e) when (e is FormatException or ArgumentException) { throw InvalidToken(token); }
        if (text.StartsWith("t:", StringComparison.Ordinal)) return (text[2..], null);
        if (text.StartsWith("k:", StringComparison.Ordinal)) return (null, text[2..]);
        throw InvalidToken(token);
    }

    private static S3Exception InvalidToken(string token) =>
        S3Errors.InvalidArgument("The continuation token provided is incorrect", "continuation-token", token);
}
