using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.Cloud.Tests.Gcs;

/// <summary>
/// The JSON API endpoint the GCS store under test talks to: bucket calls go to the <see cref="GcsApiFront"/> stubs,
/// object calls on a bucket the stubs do not hold are 404 (the emulator would create the bucket on the fly),
/// copy and rewrite go to the emulator's route for them (which it serves only without /storage/v1), everything else
/// to the emulator as sent. Requests are passed on by their raw target, so percent-encoding in object names survives.
/// </summary>
sealed partial class GcsTestEndpoint : IAsyncDisposable
{
    readonly WebApplication _app;
    // Header bytes pass through as the emulator sent them (Latin-1 maps each byte to one char and back), so a value no
    // ASCII header can carry (an object's non-ASCII content type on a media download) reaches the bridge as GCS sends it.
    readonly HttpClient _forward = new(new SocketsHttpHandler { AllowAutoRedirect = false, ResponseHeaderEncodingSelector = (_, _) => System.Text.Encoding.Latin1 })
    { Timeout = Timeout.InfiniteTimeSpan };

    [GeneratedRegex("^/storage/v1/b(/[^/?]+)?(\\?.*)?$")]
    private static partial Regex BucketCall();

    [GeneratedRegex("^/storage/v1/b/[^/]+/o/[^/]+/(copyTo|rewriteTo)/b/([^/]+)/o/[^/?]+(\\?.*)?$")]
    private static partial Regex CopyCall();

    [GeneratedRegex("^/(?:upload/)?storage/v1/b/([^/?]+)/o(?:[/?].*)?$")]
    private static partial Regex ObjectCall();

    GcsTestEndpoint(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>Awaited before a request is passed on, with its method and raw target: a test stages a race there.</summary>
    public Func<string, string, Task>? BeforeForward { get; set; }

    /// <summary>
    /// Awaited first, with the request and its raw target: true when it answered the request itself, with what GCS answers
    /// where the emulator does not (a refused generation pin, which the emulator ignores).
    /// </summary>
    public Func<HttpContext, string, Task<bool>>? AnswerInstead { get; set; }

    /// <summary>Called once a response was passed on, with its request's method and raw target.</summary>
    public Action<string, string>? AfterForward { get; set; }

    public static async Task<GcsTestEndpoint> StartAsync(string emulatorUrl, GcsApiFront stubs)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(o => o.ResponseHeaderEncodingSelector = _ => System.Text.Encoding.Latin1);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new GcsTestEndpoint(app);
        var emulator = emulatorUrl.TrimEnd('/');
        app.Run(async context =>
        {
            var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            // A copy or rewrite into a bucket the stubs do not hold is 404 as well, as GCS answers it (the emulator copies).
            if ((ObjectCall().Match(raw) is { Success: true } call && !stubs.Exists(Uri.UnescapeDataString(call.Groups[1].Value)))
                || (CopyCall().Match(raw) is { Success: true } copy && !stubs.Exists(Uri.UnescapeDataString(copy.Groups[2].Value))))
            {
                context.Response.StatusCode = 404;
                context.Response.ContentType = "application/json; charset=UTF-8";
                await context.Response.WriteAsync("""{"error":{"code":404,"message":"The specified bucket does not exist.","errors":[{"message":"The specified bucket does not exist.","domain":"global","reason":"notFound"}]}}""");
                return;
            }
            var target = BucketCall().IsMatch(raw) ? stubs.Url.TrimEnd('/') + raw
                : CopyCall().IsMatch(raw) ? emulator + raw["/storage/v1".Length..]
                : emulator + raw;
            if (endpoint.AnswerInstead is { } answer && await answer(context, raw)) return;
            if (endpoint.BeforeForward is { } before) await before(context.Request.Method, raw);
            await endpoint.ForwardAsync(context, target);
            endpoint.AfterForward?.Invoke(context.Request.Method, raw);
        });
        await app.StartAsync();
        endpoint.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return endpoint;
    }

    async Task ForwardAsync(HttpContext context, string target)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            request.Content = new StreamContent(context.Request.Body);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
        }
        using var response = await _forward.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
            context.Response.Headers[name] = values.ToArray();
        }
        await using var upstream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await upstream.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                try
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                }
                catch (IOException)
                {
                    // The connection was gone before Kestrel had signalled the abort.
                    _aborted.Writer.TryWrite(target);
                    return;
                }
            }
            // Kestrel may drop writes to a connection already gone without throwing: the loop then reads to the end.
            if (context.RequestAborted.IsCancellationRequested) _aborted.Writer.TryWrite(target);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The store closed the connection before the body ended.
            _aborted.Writer.TryWrite(target);
        }
    }

    readonly System.Threading.Channels.Channel<string> _aborted = System.Threading.Channels.Channel.CreateUnbounded<string>();

    /// <summary>Waits until a response whose target contains <paramref name="part"/> is abandoned by the client before its end.</summary>
    public async Task WaitForAbortedAsync(string part, CancellationToken ct)
    {
        await foreach (var target in _aborted.Reader.ReadAllAsync(ct))
            if (target.Contains(part, StringComparison.Ordinal)) return;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forward.Dispose();
    }
}
