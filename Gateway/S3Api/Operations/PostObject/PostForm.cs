using System.Text;
using Gateway.S3Api.Errors;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Gateway.S3Api.Operations.PostObject;

/// <summary>
/// The form fields of a browser POST upload, read up to the <c>file</c> part, which is left unread for streaming.
/// Field names are case-insensitive (as S3 treats them); the fields together are bounded in size.
/// </summary>
public sealed class PostForm
{
    public const int MaxFieldBytes = 64 * 1024;
    private const int MaxFields = 64;

    private readonly Dictionary<string, string> _fields = new(StringComparer.OrdinalIgnoreCase);

    private PostForm(MultipartSection file, string? fileName)
    {
        File = file;
        FileName = fileName;
    }

    /// <summary>The fields before the file, by name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, string> Fields => _fields;
    /// <summary>The file part; its body is the object's content, read once.</summary>
    public MultipartSection File { get; }
    /// <summary>The file part's filename, for <c>${filename}</c> in the key.</summary>
    public string? FileName { get; }

    public string? this[string name] => _fields.GetValueOrDefault(name);

    public static bool IsForm(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    public static async Task<PostForm> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 70 } boundary)
            throw Malformed("The request's Content-Type names no multipart boundary.");
        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024, BodyLengthLimit = null };
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var budget = MaxFieldBytes;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase) || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
                    throw Malformed("Every part needs Content-Disposition: form-data with a name.");
                if (name.Equals("file", StringComparison.OrdinalIgnoreCase))
                {
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    var form = new PostForm(section, fileName);
                    foreach (var (k, v) in fields) form._fields[k] = v;
                    return form;
                }
                if (fields.Count >= MaxFields) throw TooMuchPreData();
                var value = await ReadBoundedAsync(section.Body, budget, ct);
                budget -= Encoding.UTF8.GetByteCount(value) + name.Length;
                if (budget < 0) throw TooMuchPreData();
                if (!fields.TryAdd(name, value)) throw S3Errors.InvalidArgument($"The form field '{Printable(name)}' is given more than once.");
            }
        }
        catch (InvalidDataException) { throw Malformed("The body of your POST request is not well-formed multipart/form-data."); }
        catch (IOException) when (!ct.IsCancellationRequested) { throw Malformed("The body of your POST request ended before its multipart end."); }
        throw S3Errors.InvalidArgument("POST requires exactly one file upload per request: a field named 'file', after the other fields.");
    }

    private static async Task<string> ReadBoundedAsync(Stream body, int budget, CancellationToken ct)
    {
        var buffer = new byte[Math.Min(budget, 4096) + 1];
        using var collected = new MemoryStream();
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            collected.Write(buffer, 0, n);
            if (collected.Length > budget) throw TooMuchPreData();
        }
        try { return new UTF8Encoding(false, true).GetString(collected.GetBuffer(), 0, (int)collected.Length); }
        catch (DecoderFallbackException) { throw S3Errors.InvalidArgument("Form fields must be UTF-8."); }
    }

    /// <summary>A field name safe to echo in an error message.</summary>
    public static string Printable(string name) => name.Length > 64 || !name.All(c => c is > ' ' and < '\x7f') ? "(unprintable)" : name;

    public static S3Exception Malformed(string message) => new("MalformedPOSTRequest", 400, message);

    private static S3Exception TooMuchPreData() => new("MaxPostPreDataLengthExceededError", 400,
        $"Your POST request fields preceding the upload file were too large: at most {MaxFieldBytes / 1024} KiB.");
}
