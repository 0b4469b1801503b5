using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Families;

/// <summary>
/// An operation bound to its interface method: how its arguments become the call's JSON and request body, and how
/// its result comes back, for the generic client and the generic dispatcher alike. Made once per operation.
/// </summary>
internal sealed class OperationBinding
{
    private enum ArgumentKind { Json, Body, Coded, Cancellation }

    private static readonly NullabilityInfoContext Nullability = new();

    private readonly ArgumentKind[] _kinds;
    private readonly IBodyCodec?[] _codecs;
    private readonly bool[] _required;
    private readonly int _cancellation;

    private OperationBinding(MethodInfo method, ArgumentKind[] kinds, IBodyCodec?[] codecs, bool[] required)
    {
        Method = method;
        Parameters = method.GetParameters();
        _kinds = kinds;
        _codecs = codecs;
        _required = required;
        _cancellation = Array.IndexOf(kinds, ArgumentKind.Cancellation);
    }

    public MethodInfo Method { get; }
    public ParameterInfo[] Parameters { get; }

    /// <summary>Calls the operation through the channel; returns what the interface method returns.</summary>
    public Func<FamilyCaller, FamilyOperation, object?[], object> Client { get; private set; } = null!;

    /// <summary>Runs the operation on a bridge and turns its result into the call's answer.</summary>
    public Func<object, object?[], CancellationToken, Task<CallResult>> Host { get; private set; } = null!;

    public static OperationBinding Bind(FamilyOperation operation, MethodInfo method, IReadOnlyList<IBodyCodec> codecs)
    {
        var parameters = method.GetParameters();
        var kinds = new ArgumentKind[parameters.Length];
        var argumentCodecs = new IBodyCodec?[parameters.Length];
        var required = new bool[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = parameters[i].ParameterType;
            argumentCodecs[i] = codecs.FirstOrDefault(c => c.ValueType == type);
            kinds[i] = type == typeof(CancellationToken) ? ArgumentKind.Cancellation
                : type == typeof(Stream) ? ArgumentKind.Body
                : argumentCodecs[i] is not null ? ArgumentKind.Coded
                : ArgumentKind.Json;
            required[i] = type.IsValueType ? Nullable.GetUnderlyingType(type) is null : Nullability.Create(parameters[i]).WriteState == NullabilityState.NotNull;
        }
        var binding = new OperationBinding(method, kinds, argumentCodecs, required);
        var bodies = kinds.Count(k => k is ArgumentKind.Body or ArgumentKind.Coded);
        Require(operation, bodies <= 1, "carries more than one request body");
        Require(operation, operation.RequestBody == (bodies == 1), operation.RequestBody ? "declares a request body its method does not take" : "takes a request body it does not declare");
        Require(operation, binding._cancellation >= 0, "has no CancellationToken");
        binding.BindResult(operation, codecs);
        return binding;
    }

    private static void Require(FamilyOperation operation, bool condition, string problem)
    {
        if (!condition) throw new InvalidOperationException($"Operation '{operation.Name}' ({operation.MethodName}) {problem}.");
    }

    private void BindResult(FamilyOperation operation, IReadOnlyList<IBodyCodec> codecs)
    {
        var returns = Method.ReturnType;
        string helper;
        Type? valueType = null;
        var body = ResponseBody.None;
        if (returns == typeof(Task)) helper = nameof(ForVoid);
        else if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
        {
            (helper, valueType, body) = (nameof(ForItems), returns.GetGenericArguments()[0], ResponseBody.Live);
        }
        else if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
        {
            valueType = returns.GetGenericArguments()[0];
            if (valueType == typeof(Stream)) (helper, body) = (nameof(ForStream), ResponseBody.Live);
            else if (codecs.Any(c => c.ValueType == valueType)) (helper, body) = (nameof(ForCoded), ResponseBody.Sized);
            else helper = nameof(ForJson);
        }
        else throw new InvalidOperationException($"Operation '{operation.Name}' returns {returns.Name}: a family method returns Task, Task<T> or IAsyncEnumerable<T>.");

        Require(operation, (operation.ResponseBody == ResponseBody.None) == (body == ResponseBody.None),
            body == ResponseBody.None ? "declares a response body its method does not return" : "returns a body it does not declare");
        var codec = codecs.FirstOrDefault(c => c.ValueType == valueType);
        var factory = typeof(OperationBinding).GetMethod(helper, BindingFlags.NonPublic | BindingFlags.Instance)!;
        if (valueType is not null && helper is not nameof(ForStream)) factory = factory.MakeGenericMethod(valueType);
        factory.Invoke(this, [codec]);
    }

    /// <summary>The call's JSON arguments (by parameter name) and its request body, after the family's checks.</summary>
    public (JsonElement? Args, Stream? Body) Encode(object?[] values)
    {
        Dictionary<string, object?>? json = null;
        Stream? body = null;
        for (var i = 0; i < values.Length; i++)
        {
            switch (_kinds[i])
            {
                case ArgumentKind.Json:
                    (json ??= [])[Parameters[i].Name!] = values[i];
                    break;
                case ArgumentKind.Body:
                    body = (Stream?)values[i];
                    break;
                case ArgumentKind.Coded when values[i] is { } value:
                    (var meta, body) = _codecs[i]!.SplitValue(value);
                    (json ??= [])[Parameters[i].Name!] = meta;
                    break;
            }
        }
        return (json is null ? null : CallJson.ToElement(json), body);
    }

    /// <summary>The arguments of a call as the method takes them. Throws <see cref="JsonException"/> when they are malformed.</summary>
    public object?[] Decode(JsonElement? args, Stream requestBody, bool hasBody, CancellationToken ct)
    {
        var values = new object?[Parameters.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var name = Parameters[i].Name!;
            JsonElement element = default;
            var present = args is { ValueKind: JsonValueKind.Object } a && a.TryGetProperty(name, out element) && element.ValueKind != JsonValueKind.Null;
            values[i] = _kinds[i] switch
            {
                ArgumentKind.Cancellation => ct,
                // The channel drains and hashes the body after the call: a bridge may close what it was given.
                ArgumentKind.Body => new Contracts.IO.DelegatingReadOnlyStream(requestBody, leaveOpen: true),
                ArgumentKind.Coded when present => _codecs[i]!.JoinValue(element.Deserialize(_codecs[i]!.MetaType, CallJson.Options)!,
                    hasBody ? new Contracts.IO.DelegatingReadOnlyStream(requestBody, leaveOpen: true) : null, null),
                ArgumentKind.Json when present => element.Deserialize(Parameters[i].ParameterType, CallJson.Options),
                _ => null,
            };
            if (values[i] is null && _required[i]) throw new JsonException($"Argument '{name}' is missing.");
        }
        return values;
    }

    private static object? Invoke(MethodInfo method, object bridge, object?[] args) =>
        method.Invoke(bridge, BindingFlags.DoNotWrapExceptions, null, args, null);

    private CancellationToken Cancellation(object?[] args) => args[_cancellation] is CancellationToken ct ? ct : default;

    private void ForVoid(IBodyCodec? _)
    {
        Client = (caller, op, args) => CallVoidAsync(caller, op, args);
        Host = async (bridge, args, ct) =>
        {
            await ((Task)Invoke(Method, bridge, args)!).ConfigureAwait(false);
            return new CallResult(null);
        };
    }

    private async Task CallVoidAsync(FamilyCaller caller, FamilyOperation op, object?[] args)
    {
        await using var call = await caller.CallAsync(op, args, Cancellation(args)).ConfigureAwait(false);
    }

    private void ForJson<T>(IBodyCodec? _)
    {
        Client = (caller, op, args) => CallJsonAsync<T>(caller, op, args);
        Host = async (bridge, args, ct) => CallResult.Of(await ((Task<T>)Invoke(Method, bridge, args)!).ConfigureAwait(false));
    }

    private async Task<T> CallJsonAsync<T>(FamilyCaller caller, FamilyOperation op, object?[] args)
    {
        await using var call = await caller.CallAsync(op, args, Cancellation(args)).ConfigureAwait(false);
        return (T)(CallJson.ResultAs(call.Response, typeof(T)) ?? throw new JsonException("Null where a value was expected."));
    }

    private void ForCoded<T>(IBodyCodec? codec)
    {
        Client = (caller, op, args) => CallCodedAsync<T>(caller, op, args, codec!);
        Host = async (bridge, args, ct) =>
        {
            var value = await ((Task<T>)Invoke(Method, bridge, args)!).ConfigureAwait(false);
            var (meta, body) = codec!.SplitValue(value!);
            return CallResult.Of(meta, body);
        };
    }

    private static async Task<T> CallCodedAsync<T>(FamilyCaller caller, FamilyOperation op, object?[] args, IBodyCodec codec)
    {
        var call = await caller.CallAsync(op, args, op.Binding.Cancellation(args)).ConfigureAwait(false);
        try
        {
            var meta = CallJson.ResultAs(call.Response, codec.MetaType) ?? throw new JsonException("Missing result.");
            return (T)codec.JoinValue(meta, call.Body, call);
        }
        catch
        {
            await call.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void ForStream(IBodyCodec? _)
    {
        Client = (caller, op, args) => CallStreamAsync(caller, op, args);
        Host = async (bridge, args, ct) => new CallResult(null, await ((Task<Stream>)Invoke(Method, bridge, args)!).ConfigureAwait(false));
    }

    private async Task<Stream> CallStreamAsync(FamilyCaller caller, FamilyOperation op, object?[] args) =>
        (await caller.CallAsync(op, args, Cancellation(args)).ConfigureAwait(false)).Body;

    private void ForItems<T>(IBodyCodec? _)
    {
        Client = (caller, op, args) => CallItemsAsync<T>(caller, op, args, Cancellation(args));
        Host = async (bridge, args, ct) =>
        {
            // The items' producer stops when the body is disposed (the caller went away), not only when the call ends.
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            args[_cancellation] = stop.Token;
            var items = ((IAsyncEnumerable<T>)Invoke(Method, bridge, args)!).GetAsyncEnumerator(stop.Token);
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
        };
    }

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
}
