using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Channel.Tests;

/// <summary>
/// Collects log events so tests can see that security events were recorded: as the channel's logger factory, or
/// attached to a real gateway's logging (<see cref="Attach"/>).
/// </summary>
internal sealed class TestLoggerFactory : ILoggerFactory, ILoggerProvider
{
    private TaskCompletionSource _logged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<(int EventId, LogLevel Level, string Message, Exception? Exception)> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    /// <summary>Adds this collector to a host's logging (for <c>GatewayServer.StartAsync(logging: ...)</c>).</summary>
    public void Attach(ILoggingBuilder logging)
    {
        logging.AddProvider(this);
        logging.AddFilter<TestLoggerFactory>(null, LogLevel.Information);
    }

    public bool Has(int eventId, string contains) => Events.Any(e => e.EventId == eventId && e.Message.Contains(contains, StringComparison.Ordinal));

    /// <summary>Waits for an event (logging may happen on another task): woken by each new event, with a deadline.</summary>
    public async Task<bool> WaitForAsync(int eventId, string contains, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var next = Volatile.Read(ref _logged).Task;
            if (Has(eventId, contains)) return true;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;
            try { await next.WaitAsync(left); }
            catch (TimeoutException) { return Has(eventId, contains); }
        }
    }

    public string Dump() => string.Join("\n", Events.Select(e => $"{e.EventId} {e.Level} {e.Message}{(e.Exception is null ? "" : " " + e.Exception)}"));

    private void Add(int eventId, LogLevel level, string message, Exception? exception)
    {
        Events.Enqueue((eventId, level, message, exception));
        Interlocked.Exchange(ref _logged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private sealed class Logger(TestLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(eventId.Id, logLevel, formatter(state, exception), exception);
    }
}
