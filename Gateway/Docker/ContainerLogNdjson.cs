using System.Buffers;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Contracts.Containers;

namespace Gateway.Docker;

/// <summary>
/// Writes a container log as NDJSON (<c>application/x-ndjson</c>), one object per line:
/// <c>{"stream":"stdout","text":"hello\n","ts":"2026-11-22T17:47:50.283635009Z"}</c> (<c>ts</c> only with timestamps=true).
/// Lines go out as the engine hands them over: the body is flushed whenever the next line is not ready yet.
/// </summary>
static class ContainerLogNdjson
{
    public const string ContentType = "application/x-ndjson; charset=utf-8";
    static readonly JsonEncodedText Stream = JsonEncodedText.Encode("stream"), Text = JsonEncodedText.Encode("text"),
        Ts = JsonEncodedText.Encode("ts"), Stdout = JsonEncodedText.Encode("stdout"), Stderr = JsonEncodedText.Encode("stderr");
    static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>
    /// Reads the first line before anything is written, so a missing container or a bad request still becomes a
    /// problem+json answer; failures after that abort the response (see GatewayExceptionHandler).
    /// </summary>
    public static async Task WriteAsync(HttpContext context, IAsyncEnumerable<ContainerLogLine> lines, CancellationToken ct)
    {
        await using var e = lines.GetAsyncEnumerator(ct);
        var hasLine = await e.MoveNextAsync();

        var response = context.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        await WriteLinesAsync(response.BodyWriter, e, hasLine, ct);
    }

    /// <summary>Writes the lines left in <paramref name="e"/> (the current one first when <paramref name="hasLine"/>).</summary>
    static async Task WriteLinesAsync(PipeWriter body, IAsyncEnumerator<ContainerLogLine> e, bool hasLine, CancellationToken ct)
    {
        await using var json = new Utf8JsonWriter(body, Options);
        while (hasLine)
        {
            var line = e.Current;
            json.WriteStartObject();
            json.WriteString(Stream, line.Stream == ContainerLogStream.Stderr ? Stderr : Stdout);
            json.WriteString(Text, line.Text);
            if (line.Timestamp is not null) json.WriteString(Ts, line.Timestamp);
            json.WriteEndObject();
            json.Flush();
            json.Reset();
            body.Write("\n"u8);

            var next = e.MoveNextAsync();
            if (!next.IsCompleted)
            {
                var flushed = await body.FlushAsync(ct);
                if (flushed.IsCompleted)
                {
                    // The reader is gone: let the pending read finish (or be cancelled) before the enumerator is disposed.
                    try { await next; } catch (OperationCanceledException) { }
                    return;
                }
            }
            hasLine = await next;
        }
        await body.FlushAsync(ct);
    }
}
