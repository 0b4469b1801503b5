using System.Buffers;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Contracts.Containers;
using Gateway.Contracts.IO;

namespace Gateway.Docker;

/// <summary>
/// Writes a container log or an exec's output as NDJSON (<c>application/x-ndjson</c>), one object per line:
/// <c>{"stream":"stdout","text":"hello\n","ts":"2026-11-22T17:47:50.283635009Z"}</c> (<c>ts</c> only with
/// timestamps=true); an exec ends with <c>{"exitCode":0}</c>.
/// Lines go out as the engine hands them over: the body is flushed whenever the next line is not ready yet.
/// </summary>
static class ContainerNdjson
{
    public const string ContentType = "application/x-ndjson; charset=utf-8";
    static readonly JsonEncodedText Stream = JsonEncodedText.Encode("stream"), Text = JsonEncodedText.Encode("text"),
        Ts = JsonEncodedText.Encode("ts"), ExitCode = JsonEncodedText.Encode("exitCode"),
        Stdout = JsonEncodedText.Encode("stdout"), Stderr = JsonEncodedText.Encode("stderr");
    static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static Task WriteAsync(HttpContext context, IAsyncEnumerable<ContainerLogLine> lines, CancellationToken ct) =>
        WriteAsync(context, lines, static (json, line) => WriteLine(json, line.Stream, line.Text, line.Timestamp), ct);

    public static Task WriteAsync(HttpContext context, IAsyncEnumerable<ContainerExecOutput> output, CancellationToken ct) =>
        WriteAsync(context, output, static (json, item) =>
        {
            if (item.ExitCode is { } code)
            {
                json.WriteStartObject();
                json.WriteNumber(ExitCode, code);
                json.WriteEndObject();
            }
            else WriteLine(json, item.Stream ?? ContainerLogStream.Stdout, item.Text ?? "", null);
        }, ct);

    static void WriteLine(Utf8JsonWriter json, ContainerLogStream stream, string text, string? timestamp)
    {
        json.WriteStartObject();
        json.WriteString(Stream, stream == ContainerLogStream.Stderr ? Stderr : Stdout);
        json.WriteString(Text, text);
        if (timestamp is not null) json.WriteString(Ts, timestamp);
        json.WriteEndObject();
    }

    /// <summary>
    /// Reads the first item before anything is written, so a missing container or a bad request still becomes a
    /// problem+json answer; failures after that abort the response (see GatewayExceptionHandler).
    /// </summary>
    static async Task WriteAsync<T>(HttpContext context, IAsyncEnumerable<T> items, Action<Utf8JsonWriter, T> write, CancellationToken ct)
    {
        await using var e = items.GetAsyncEnumerator(ct);
        var hasItem = await e.MoveNextAsync();

        var response = context.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        await WriteItemsAsync(response.BodyWriter, e, hasItem, write, ct);
    }

    /// <summary>Writes the items left in <paramref name="e"/> (the current one first when <paramref name="hasItem"/>).</summary>
    static async Task WriteItemsAsync<T>(PipeWriter body, IAsyncEnumerator<T> e, bool hasItem, Action<Utf8JsonWriter, T> write, CancellationToken ct)
    {
        await using var json = new Utf8JsonWriter(body, Options);
        while (hasItem)
        {
            write(json, e.Current);
            json.Flush();
            json.Reset();
            body.Write("\n"u8);

            var next = e.MoveNextAsync();
            if (!next.IsCompleted)
            {
                // The reader gone (the flush completed, or cancelled when the caller hung up): the pending read must finish
                // (it is cancelled with the request) before the enumerator is disposed, which refuses a read in progress.
                FlushResult flushed;
                try { flushed = await body.FlushAsync(ct); }
                catch (Exception)
                {
                    await PendingRead.SettleAsync(next);
                    throw;
                }
                if (flushed.IsCompleted)
                {
                    await PendingRead.SettleAsync(next);
                    return;
                }
            }
            hasItem = await next;
        }
        await body.FlushAsync(ct);
    }
}
