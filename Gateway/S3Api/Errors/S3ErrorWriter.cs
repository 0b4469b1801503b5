using Gateway.S3Api.Xml;

namespace Gateway.S3Api.Errors;

/// <summary>Writes S3's error document: <c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;Resource/&gt;&lt;RequestId/&gt;&lt;HostId/&gt;&lt;/Error&gt;</c> (no body on HEAD or 304).</summary>
public static class S3ErrorWriter
{
    /// <summary>
    /// S3's <c>x-amz-id-2</c> (its "extended request id", the error document's <c>HostId</c>), answered on every response as S3
    /// does: here the request id's 16 bytes in base64, so it names nothing but the request and is found from either.
    /// </summary>
    public static string HostId(string requestId) =>
        Guid.TryParseExact(requestId, "N", out var id) ? Convert.ToBase64String(id.ToByteArray()) : requestId;

    /// <summary>The request's ids as S3 names them (and the gateway's own X-Request-Id).</summary>
    public static void SetRequestIds(HttpResponse response, string requestId)
    {
        response.Headers["x-amz-request-id"] = requestId;
        response.Headers["x-amz-id-2"] = HostId(requestId);
        response.Headers["X-Request-Id"] = requestId;
    }

    /// <summary>Writes the document with the elements of <paramref name="details"/> after Message (see <see cref="S3ErrorDetails"/>).</summary>
    public static async Task WriteAsync(HttpContext http, S3Exception error, string resource, string requestId, IReadOnlyList<(string Name, string Value)> details)
    {
        var response = http.Response;
        var connection = response.Headers.Connection;
        response.Clear();
        if (connection.Count > 0) response.Headers.Connection = connection;
        SetRequestIds(response, requestId);
        foreach (var (name, value) in error.Headers) response.Headers[name] = value;
        if (error.Status is 304 || HttpMethods.IsHead(http.Request.Method))
        {
            response.StatusCode = error.Status;
            if (error.Status != 304) response.Headers["x-amz-error-code"] = error.Code;
            return;
        }
        await S3Xml.WriteAsync(response, error.Status, w =>
        {
            w.WriteStartElement("Error");
            w.Element("Code", error.Code);
            // An error document has no encoding-type: a value XML 1.0 cannot carry is left out (a message is mended)
            // rather than making the whole document one no client can parse.
            w.Element("Message", S3Xml.Xml10Mended(error.Message));
            foreach (var (name, value) in details)
                if (S3Xml.IsXml10Text(value)) w.Element(name, value);
            if (S3Xml.IsXml10Text(resource)) w.Element("Resource", resource);
            w.Element("RequestId", requestId);
            w.Element("HostId", HostId(requestId));
            w.WriteEndElement();
        });
    }
}
