using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Gateway.Tests.Observability;

/// <summary>
/// Every log line of a server exactly as its console would print it: each entry goes through the gateway's own
/// configured console formatter (the built-in JSON one when Gateway:Observability:Logs:Format is json) with the
/// same scopes, into a line list instead of the process's standard output.
/// </summary>
internal sealed class JsonLogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConsoleFormatter _formatter;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    private JsonLogCapture(ConsoleFormatter formatter) => _formatter = formatter;

    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>Adds a capture that formats with the console formatter named <paramref name="formatterName"/>.</summary>
    public static void Register(IServiceCollection services, Action<JsonLogCapture> created, string formatterName = ConsoleFormatterNames.Json) =>
        services.AddSingleton<ILoggerProvider>(sp =>
        {
            var capture = new JsonLogCapture(sp.GetServices<ConsoleFormatter>().Single(f => f.Name == formatterName));
            created(capture);
            return capture;
        });

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private sealed class Logger(JsonLogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes.Push(state);
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            using var writer = new StringWriter();
            capture._formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), capture._scopes, writer);
            foreach (var line in writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)) capture.Lines.Enqueue(line);
        }
    }
}
