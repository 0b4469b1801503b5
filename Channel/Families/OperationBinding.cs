using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;

namespace Gateway.Channel.Families;

/// <summary>
/// An operation bound to its interface method: how its arguments become the call's JSON and request body, and how
/// its result comes back, for the generic client and the generic dispatcher alike. Made once per operation.
/// </summary>
internal sealed class OperationBinding
{
    private enum ArgumentKind { Json, Body, Coded, Cancellation }

    private enum ResultKind { None, Json, Coded, Stream, Items }

    private sealed record Argument(string Name, Type Type, ArgumentKind Kind, IBodyCodec? Codec, bool Required);

    private static readonly NullabilityInfoContext Nullability = new();

    private readonly Argument[] _arguments;
    private readonly int _cancellation;
    private readonly ResultKind _result;
    private readonly Type _valueType;
    private readonly IBodyCodec? _resultCodec;
    private readonly PropertyInfo? _taskResult;
    private readonly Func<Task<object?>, object>? _typed;
    private readonly Func<FamilyCaller, FamilyOperation, object?[], CancellationToken, object>? _items;
    private readonly Func<object, CancellationTokenSource, Task<CallResult>>? _serveItems;

    public OperationBinding(FamilyOperation operation, MethodInfo method, IReadOnlyList<IBodyCodec> codecs)
    {
        Method = method;
        Parameters = method.GetParameters();
        _arguments = [.. Parameters.Select(p => Bind(p, codecs.FirstOrDefault(c => c.ValueType == p.ParameterType)))];
        _cancellation = Array.FindIndex(_arguments, a => a.Kind == ArgumentKind.Cancellation);
        var bodies = _arguments.Count(a => a.Kind is ArgumentKind.Body or ArgumentKind.Coded);
        Require(operation, bodies <= 1, "carries more than one request body");
        Require(operation, operation.RequestBody == (bodies == 1), operation.RequestBody ? "declares a request body its method does not take" : "takes a request body it does not declare");
        Require(operation, _cancellation >= 0, "has no CancellationToken");

        var returns = method.ReturnType;
        var generic = returns.IsGenericType ? returns.GetGenericTypeDefinition() : null;
        if (returns != typeof(Task) && generic != typeof(Task<>) && generic != typeof(IAsyncEnumerable<>))
            throw new InvalidOperationException($"Operation '{operation.Name}' returns {returns.Name}: a family method returns Task, Task<T> or IAsyncEnumerable<T>.");
        _valueType = generic is null ? typeof(void) : returns.GetGenericArguments()[0];
        _resultCodec = codecs.FirstOrDefault(c => c.ValueType == _valueType);
        _result = generic is null ? ResultKind.None : generic == typeof(IAsyncEnumerable<>) ? ResultKind.Items
            : _valueType == typeof(Stream) ? ResultKind.Stream : _resultCodec is not null ? ResultKind.Coded : ResultKind.Json;
        var body = _result is not (ResultKind.None or ResultKind.Json);
        Require(operation, (operation.ResponseBody != ResponseBody.None) == body,
            body ? "returns a body it does not declare" : "declares a response body its method does not return");
        if (generic == typeof(Task<>))
        {
            _taskResult = returns.GetProperty(nameof(Task<object>.Result));
            _typed = Generic<Func<Task<object?>, object>>(nameof(As));
        }
        else if (_result == ResultKind.Items)
        {
            _items = Generic<Func<FamilyCaller, FamilyOperation, object?[], CancellationToken, object>>(nameof(CallItemsAsync));
            _serveItems = Generic<Func<object, CancellationTokenSource, Task<CallResult>>>(nameof(ServeItemsAsync));
        }
    }

    public MethodInfo Method { get; }
    public ParameterInfo[] Parameters { get; }

    private static Argument Bind(ParameterInfo parameter, IBodyCodec? codec)
    {
        var type = parameter.ParameterType;
        var kind = type == typeof(CancellationToken) ? ArgumentKind.Cancellation
            : type == typeof(Stream) ? ArgumentKind.Body
            : codec is not null ? ArgumentKind.Coded
            : ArgumentKind.Json;
        var required = type.IsValueType ? Nullable.GetUnderlyingType(type) is null
            : Nullability.Create(parameter).WriteState == NullabilityState.NotNull;
        return new Argument(parameter.Name!, type, kind, codec, required);
    }

    private static void Require(FamilyOperation operation, bool condition, string problem)
    {
        if (!condition) throw new InvalidOperationException($"Operation '{operation.Name}' ({operation.MethodName}) {problem}.");
    }

    /// <summary>One of the generic helpers below, made for the result's value type.</summary>
    private TDelegate Generic<TDelegate>(string name) where TDelegate : Delegate => typeof(OperationBinding)
        .GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(_valueType).CreateDelegate<TDelegate>();

    /// <summary>The call's JSON arguments (by parameter name) and its request body, after the family's checks.</summary>
    public (JsonElement? Args, Stream? Body) Encode(object?[] values)
    {
        Dictionary<string, object?>? json = null;
        Stream? body = null;
        for (var i = 0; i < values.Length; i++)
        {
            var argument = _arguments[i];
            if (argument.Kind == ArgumentKind.Json) (json ??= [])[argument.Name] = values[i];
            else if (argument.Kind == ArgumentKind.Body) body = (Stream?)values[i];
            else if (argument.Kind == ArgumentKind.Coded && values[i] is { } value)
                ((json ??= [])[argument.Name], body) = argument.Codec!.SplitValue(value);
        }
        return (json is null ? null : CallJson.ToElement(json), body);
    }

    /// <summary>The arguments of a call as the method takes them. Throws <see cref="JsonException"/> when they are malformed.</summary>
    public object?[] Decode(JsonElement? args, Stream requestBody, bool hasBody, CancellationToken ct)
    {
        var values = new object?[_arguments.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var argument = _arguments[i];
            JsonElement element = default;
            var present = args is { ValueKind: JsonValueKind.Object } a && a.TryGetProperty(argument.Name, out element)
                && element.ValueKind != JsonValueKind.Null;
            values[i] = argument.Kind switch
            {
                ArgumentKind.Cancellation => ct,
                // The channel drains and hashes the body after the call: a bridge may close what it was given.
                ArgumentKind.Body => new DelegatingReadOnlyStream(requestBody, leaveOpen: true),
                ArgumentKind.Coded when present => argument.Codec!.JoinValue(element.Deserialize(argument.Codec.MetaType, CallJson.Options)!,
                    hasBody ? new DelegatingReadOnlyStream(requestBody, leaveOpen: true) : null, null),
                ArgumentKind.Json when present => element.Deserialize(argument.Type, CallJson.Options),
                _ => null,
            };
            if (values[i] is null && argument.Required) throw new JsonException($"Argument '{argument.Name}' is missing.");
        }
        return values;
    }

    /// <summary>Calls the operation through the channel; returns what the interface method returns.</summary>
    public object Call(FamilyCaller caller, FamilyOperation operation, object?[] args) => _result switch
    {
        ResultKind.None => CallAsync(caller, operation, args),
        ResultKind.Items => _items!(caller, operation, args, Cancellation(args)),
        _ => _typed!(CallAsync(caller, operation, args)),
    };

    /// <summary>The call's result: a JSON value, a coded value that owns the call, or the body itself.</summary>
    private async Task<object?> CallAsync(FamilyCaller caller, FamilyOperation operation, object?[] args)
    {
        var call = await caller.CallAsync(operation, args, Cancellation(args)).ConfigureAwait(false);
        if (_result == ResultKind.Stream) return call.Body;
        object? value;
        try
        {
            value = _result switch
            {
                ResultKind.None => null,
                ResultKind.Coded => _resultCodec!.JoinValue(
                    CallJson.ResultAs(call.Response, _resultCodec.MetaType) ?? throw new JsonException("Missing result."), call.Body, call),
                _ => CallJson.ResultAs(call.Response, _valueType) ?? throw new JsonException("Null where a value was expected."),
            };
        }
        catch
        {
            await call.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        if (_result != ResultKind.Coded) await call.DisposeAsync().ConfigureAwait(false);
        return value;
    }

    private static async Task<T> As<T>(Task<object?> value) => (T)(await value.ConfigureAwait(false))!;

    private static async IAsyncEnumerable<T> CallItemsAsync<T>(FamilyCaller caller, FamilyOperation op, object?[] args,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var call = await caller.CallAsync(op, args, ct).ConfigureAwait(false);
        using var reader = new StreamReader(call.Body);
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0) continue;
            T item;
            try { item = JsonSerializer.Deserialize<T>(line, CallJson.Options) ?? throw new JsonException("null item"); }
            catch (JsonException) { throw new GatewayException(ErrorCode.Internal, $"The bridge host sent a malformed item for '{op.Name}'."); }
            yield return item;
        }
    }

    /// <summary>Runs the operation on a bridge and turns its result into the call's answer.</summary>
    public async Task<CallResult> RunAsync(object bridge, object?[] args, CancellationToken ct)
    {
        if (_result == ResultKind.Items)
        {
            // The items' producer stops when the body is disposed (the caller went away), not only when the call ends.
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            args[_cancellation] = stop.Token;
            return await _serveItems!(Invoke(bridge, args)!, stop).ConfigureAwait(false);
        }
        var task = (Task)Invoke(bridge, args)!;
        await task.ConfigureAwait(false);
        var value = _taskResult?.GetValue(task);
        if (_result == ResultKind.Coded)
        {
            var (meta, body) = _resultCodec!.SplitValue(value!);
            return CallResult.Of(meta, body);
        }
        return _result == ResultKind.Json ? new(null) { ResultJson = JsonSerializer.SerializeToUtf8Bytes(value, _valueType, CallJson.Options) }
            : new(null, (Stream?)value);
    }

    private static async Task<CallResult> ServeItemsAsync<T>(object produced, CancellationTokenSource stop)
    {
        var items = ((IAsyncEnumerable<T>)produced).GetAsyncEnumerator(stop.Token);
        try
        {
            // The first item is awaited here, so a failure before it (a missing container) is an error answer.
            var first = await items.MoveNextAsync().ConfigureAwait(false);
            return new CallResult(null, NdjsonBody.Of(items, first, stop));
        }
        catch
        {
            await items.DisposeAsync().ConfigureAwait(false);
            stop.Dispose();
            throw;
        }
    }

    private object? Invoke(object bridge, object?[] args) => Method.Invoke(bridge, BindingFlags.DoNotWrapExceptions, null, args, null);

    private CancellationToken Cancellation(object?[] args) => args[_cancellation] is CancellationToken ct ? ct : default;
}
