using System.Net.Sockets;
using System.Text;

namespace Gateway.Testing;

/// <summary>HTTP/1.1 over a plain socket, sending the request target byte for byte (no Uri normalisation).</summary>
public static class RawHttp
{
    public sealed record Response(int Status, string ContentType, string Body, string Head)
    {
        /// <summary>The body with any chunked transfer coding undone.</summary>
        public string Payload => Head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(Body) : Body;
    }

    // Chunk sizes count bytes: undo the text decoding first (the bodies read here are UTF-8).
    private static string Dechunk(string text)
    {
        var body = Encoding.UTF8.GetBytes(text);
        using var result = new MemoryStream();
        var at = 0;
        while (at < body.Length)
        {
            var eol = body.AsSpan(at).IndexOf("\r\n"u8);
            if (eol < 0) break;
            var size = Convert.ToInt32(Encoding.ASCII.GetString(body, at, eol).Split(';')[0], 16);
            if (size == 0) break;
            var start = at + eol + 2;
            result.Write(body, start, Math.Min(size, body.Length - start));
            at = start + size + 2;
        }
        return Encoding.UTF8.GetString(result.ToArray());
    }

    /// <summary>As <see cref="SendAsync(Uri, string, string, string?, IEnumerable{string}?, CancellationToken)"/>, authenticated as the server's test admin.</summary>
    public static Task<Response> SendAsync(GatewayServer server, string method, string target, string? body = null,
        IEnumerable<string>? extraHeaders = null, CancellationToken ct = default) =>
        SendAsync(server.BaseAddress, method, target, body, server.AuthHeaders.Concat(extraHeaders ?? []), ct);

    public static async Task<Response> SendAsync(Uri server, string method, string target, string? body = null,
        IEnumerable<string>? extraHeaders = null, CancellationToken ct = default)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, ct);
        await using var stream = tcp.GetStream();
        var payload = body is null ? [] : Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder()
            .Append($"{method} {target} HTTP/1.1\r\nHost: {server.Host}:{server.Port}\r\nConnection: close\r\n");
        foreach (var h in extraHeaders ?? []) head.Append(h).Append("\r\n");
        if (body is not null) head.Append($"Content-Length: {payload.Length}\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), ct);
        await stream.WriteAsync(payload, ct);
        using var reader = new MemoryStream();
        await stream.CopyToAsync(reader, ct);
        var text = Encoding.UTF8.GetString(reader.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = split >= 0 ? text[..split] : text;
        var status = int.Parse(headers.Split(' ', 3)[1]);
        var contentType = headers.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?[13..].Trim() ?? "";
        return new Response(status, contentType, split >= 0 ? text[(split + 4)..] : "", headers);
    }

    /// <summary>Sends headers announcing <paramref name="declaredLength"/> bytes, then only <paramref name="sent"/> bytes, then drops the connection.</summary>
    public static Task SendTruncatedAsync(GatewayServer server, string method, string target, long declaredLength, byte[] sent,
        Func<Task>? beforeDrop = null) =>
        SendTruncatedAsync(server.BaseAddress, method, target, declaredLength, sent, server.AuthHeaders, beforeDrop);

    /// <remarks>
    /// The drop is a reset, as from a crashed client; a reset can discard bytes the server had not read yet, so a test
    /// that must know the server saw the request passes <paramref name="beforeDrop"/> to wait for it first.
    /// </remarks>
    public static async Task SendTruncatedAsync(Uri server, string method, string target, long declaredLength, byte[] sent,
        IEnumerable<string>? extraHeaders = null, Func<Task>? beforeDrop = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        var extra = string.Concat((extraHeaders ?? []).Select(h => h + "\r\n"));
        var head = $"{method} {target} HTTP/1.1\r\nHost: {server.Host}:{server.Port}\r\n{extra}Content-Length: {declaredLength}\r\n\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head));
        await stream.WriteAsync(sent);
        await stream.FlushAsync();
        if (beforeDrop is not null) await beforeDrop();
        tcp.Client.LingerState = new LingerOption(true, 0);
        tcp.Close();
    }
}
