using Gateway.S3Api.Xml;

namespace Gateway.S3Api.Errors;

/// <summary>Writes S3's error document: <c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;Resource/&gt;&lt;RequestId/&gt;&lt;/Error&gt;</c> (no body on HEAD or 304).</summary>
public static class S3ErrorWriter
{
    public static async Task WriteAsync(HttpContext http, S3Exception error, string resource, string requestId)
    {
        var response = http.Response;
        var connection = response.Headers.Connection;
        response.Clear();
        if (connection.Count > 0) response.Headers.Connection = connection;
        response.Headers["x-amz-request-id"] = requestId;
        response.Headers["X-Request-Id"] = requestId;
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
            w.Element("Message", error.Message);
            foreach (var (name, value) in error.Details) w.Element(name, value);
            w.Element("Resource", resource);
            w.Element("RequestId", requestId);
            w.WriteEndElement();
        });
    }
}
