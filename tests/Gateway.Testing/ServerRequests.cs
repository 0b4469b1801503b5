using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Gateway.Testing;

/// <summary>A request as the server saw it: when it entered the pipeline, and (Status, Aborted) when it left it.</summary>
public sealed record ServerRequest(string Method, string Path, long? ContentLength, int Status = 0, bool Aborted = false);

/// <summary>
/// Server-side signals for tests: the outermost middleware records each request when it enters the pipeline and
/// again once the whole pipeline (error handling included) is done with it. A test waits on these, e.g. until the
/// server itself has given up on a truncated upload, rather than guessing with a count of other requests or a sleep.
/// </summary>
public sealed class ServerRequests : IStartupFilter
{
    private readonly Lock _lock = new();
    private readonly List<ServerRequest> _started = [];
    private readonly List<ServerRequest> _finished = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, pipeline) =>
        {
            var request = new ServerRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.ContentLength);
            Add(_started, request);
            try { await pipeline(context); }
            finally { Add(_finished, request with { Status = context.Response.StatusCode, Aborted = context.RequestAborted.IsCancellationRequested }); }
        });
        next(app);
    };

    public IReadOnlyList<ServerRequest> Finished { get { lock (_lock) return [.. _finished]; } }

    /// <summary>Waits until at least <paramref name="count"/> requests matching <paramref name="match"/> entered the pipeline.</summary>
    public Task<IReadOnlyList<ServerRequest>> WaitForStartedAsync(Func<ServerRequest, bool> match, int count, TimeSpan timeout, string what) =>
        WaitAsync(_started, match, count, timeout, "start " + what);

    /// <summary>Waits until at least <paramref name="count"/> requests matching <paramref name="match"/> left the pipeline.</summary>
    public Task<IReadOnlyList<ServerRequest>> WaitForFinishedAsync(Func<ServerRequest, bool> match, int count, TimeSpan timeout, string what) =>
        WaitAsync(_finished, match, count, timeout, "finish " + what);

    private async Task<IReadOnlyList<ServerRequest>> WaitAsync(List<ServerRequest> list, Func<ServerRequest, bool> match, int count, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                var found = list.Where(match).ToList();
                if (found.Count >= count) return found;
                changed = _changed.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"The server did not {what} within {timeout.TotalSeconds:0} s; the last requests it finished: "
                    + string.Join("; ", Finished.TakeLast(8)));
            try { await changed.WaitAsync(left); }
            catch (TimeoutException) { }
        }
    }

    private void Add(List<ServerRequest> list, ServerRequest request)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            list.Add(request);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }
}
