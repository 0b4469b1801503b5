using System.Globalization;
using System.Text;
using System.Xml;

namespace Gateway.S3Api.Xml;

/// <summary>Writes S3's XML documents (System.Xml) and reads the small request documents S3 takes.</summary>
public static class S3Xml
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
    public const string ContentType = "application/xml";

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(false),
        Async = true,
        Indent = false,
        CheckCharacters = false, // keys may hold characters XML 1.0 cannot carry; encoding-type=url is the client's way out
    };

    private static readonly XmlReaderSettings ReadSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        // Kept: a key may be all whitespace (<Key> </Key> names the key " "); whitespace between elements is never read.
        IgnoreWhitespace = false,
        MaxCharactersInDocument = 4 * 1024 * 1024,
    };

    /// <summary>Builds a document in memory (S3 answers are bounded: at most 1000 entries) and sends it.</summary>
    public static async Task WriteAsync(HttpResponse response, int status, Action<XmlWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, Settings))
        {
            writer.WriteStartDocument();
            body(writer);
            writer.WriteEndDocument();
        }
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(response.Body, response.HttpContext.RequestAborted);
    }

    public static void Element(this XmlWriter w, string name, string? value)
    {
        if (value is null) return;
        w.WriteStartElement(name);
        w.WriteString(value);
        w.WriteEndElement();
    }

    /// <summary>
    /// True when every character of <paramref name="value"/> is one XML 1.0 can carry: the writer would otherwise put out a
    /// reference such as <c>&amp;#x1;</c>, which S3 puts in listings (encoding-type=url is the way out there) but a parser refuses.
    /// </summary>
    public static bool IsXml10Text(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (!XmlConvert.IsXmlChar(value[i])) return false;
        }
        return true;
    }

    /// <summary><paramref name="value"/> with each character XML 1.0 cannot carry replaced by U+FFFD.</summary>
    public static string Xml10Mended(string value)
    {
        if (IsXml10Text(value)) return value;
        var mended = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) mended.Append(value, i++, 2);
            else mended.Append(XmlConvert.IsXmlChar(value[i]) ? value[i] : '\uFFFD');
        }
        return mended.ToString();
    }

    public static void Element(this XmlWriter w, string name, long value) => w.Element(name, value.ToString(CultureInfo.InvariantCulture));
    public static void Element(this XmlWriter w, string name, bool value) => w.Element(name, value ? "true" : "false");
    public static void Element(this XmlWriter w, string name, DateTimeOffset value) => w.Element(name, Timestamp(value));

    /// <summary>
    /// Whole seconds, as S3 writes every time (".000Z"): a listing then names the instant HEAD's Last-Modified does, so
    /// `aws s3 sync --exact-timestamps` finds downloaded files current (the local and GCS stores keep milliseconds).
    /// </summary>
    public static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.000Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads a small XML request body (bounded), without DTDs or external entities.</summary>
    public static async Task<System.Xml.Linq.XDocument> ReadFromAsync(Stream body, int maxBytes, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var n = await body.ReadAsync(chunk, ct);
            if (n == 0) break;
            if (buffer.Length + n > maxBytes) throw Errors.S3Errors.MalformedXml();
            buffer.Write(chunk, 0, n);
        }
        buffer.Position = 0;
        try
        {
            using var reader = XmlReader.Create(buffer, ReadSettings);
            return System.Xml.Linq.XDocument.Load(reader, System.Xml.Linq.LoadOptions.PreserveWhitespace);
        }
        catch (XmlException) { throw Errors.S3Errors.MalformedXml(); }
    }
}
