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
