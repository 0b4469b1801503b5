using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Channel.Tests;

/// <summary>Collects log events so tests can see that security events were recorded.</summary>
internal sealed class TestLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(int EventId, LogLevel Level, string Message, Exception? Exception)> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    public bool Has(int eventId, string contains) => Events.Any(e => e.EventId == eventId && e.Message.Contains(contains, StringComparison.Ordinal));

    /// <summary>Waits for an event (logging may happen on another task) with a deadline.</summary>
    public async Task<bool> WaitForAsync(int eventId, string contains, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (Has(eventId, contains)) return true;
            await Task.Yield();
            await Task.Delay(5);
        }
        return Has(eventId, contains);
    }

    public string Dump() => string.Join("\n", Events.Select(e => $"{e.EventId} {e.Level} {e.Message}{(e.Exception is null ? "" : " " + e.Exception)}"));

    private sealed class Logger(TestLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Events.Enqueue((eventId.Id, logLevel, formatter(state, exception), exception));
    }
}
