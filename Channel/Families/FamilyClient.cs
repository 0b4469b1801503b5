using System.Diagnostics;
using System.Reflection;
using Gateway.Channel.Diagnostics;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Families;

/// <summary>
/// The one generic client: makes an implementation of a family's bridge interface whose every declared operation is
/// a CTP-96 call to the bridge host. Errors come back with their codes; nothing is returned before its witness
/// verified, and a streamed body throws rather than ends if the witness at its end fails.
/// </summary>
public static class FamilyClient
{
    /// <param name="local">
    /// The gateway's own view of the instance: what is not an operation (its name, kind, capabilities, status) is
    /// answered from it without a call. Without it only <c>Name</c> is known.
    /// </param>
    /// <param name="kind">The instance's kind ("s3", "local"), for its metrics and spans; the family's name when unknown.</param>
    public static TBridge Create<TBridge>(BridgeFamily<TBridge> family, Func<ChannelClient> client, string instance, TBridge? local = null,
        string? kind = null)
        where TBridge : class =>
        Make(family, client, instance, kind, local is null ? null : m => m.Invoke(local, BindingFlags.DoNotWrapExceptions, null, null, null));

    /// <summary>An instance the gateway does not build: what is not an operation is answered from the bridge host's description of it.</summary>
    public static TBridge Create<TBridge>(BridgeFamily<TBridge> family, Func<ChannelClient> client, BridgeDescriptor described)
        where TBridge : class =>
        Make(family, client, described.Name, described.Kind, family.FactsFrom(described));

    private static TBridge Make<TBridge>(BridgeFamily<TBridge> family, Func<ChannelClient> client, string instance, string? kind,
        Func<MethodInfo, object?>? facts) where TBridge : class
    {
        var proxy = DispatchProxy.Create<TBridge, FamilyProxy<TBridge>>();
        ((FamilyProxy<TBridge>)(object)proxy).Attach(family, new FamilyCaller(family, client, instance, kind ?? family.Name), facts);
        return proxy;
    }
}

/// <summary>Builds and sends the calls of one instance. The only place a <see cref="CallRequest"/> is made.</summary>
internal sealed class FamilyCaller(IBridgeFamily family, Func<ChannelClient> client, string instance, string kind)
{
    public string Instance => instance;

    public async Task<ChannelCall> CallAsync(FamilyOperation operation, object?[] args, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        // Fitted to the witness's target field here, so the host witnesses what this side expects (docs/ctp96.md section 6).
        var target = Witnesses.Witness.FitTarget(instance, operation.Target(new CallArguments(operation.Binding.Parameters, args)));
        using var span = BridgeCallTracing.StartClient(family.Name, kind, instance, operation.Name, target);
        try
        {
            var call = await SendAsync(operation, args, target, span, ct).ConfigureAwait(false);
            BridgeCallMetrics.Record(kind, instance, operation.Name, started, null);
            return call;
        }
        catch (Exception e)
        {
            BridgeCallMetrics.Record(kind, instance, operation.Name, started, e);
            if (BridgeCallMetrics.ErrorCodeOf(e) is { } code) BridgeCallTracing.Failed(span, code);
            throw;
        }
    }

    private async Task<ChannelCall> SendAsync(FamilyOperation operation, object?[] args, string target, Activity? span, CancellationToken ct)
    {
        var (json, body) = operation.Binding.Encode(args);
        CallRequest NewRequest() => BridgeCallTracing.WithTraceContext(new CallRequest
        {
            Id = ChannelRequestContext.NextCallId(),
            Family = family.Name,
            Instance = instance,
            Operation = operation.Name,
            Target = target,
            Args = json,
        }, span);
        try
        {
            return await client().CallAsync(NewRequest(), body, ct, operation.ResponseBody).ConfigureAwait(false);
        }
        // The host or the network went away before any answer: an idempotent call without a body to replay is sent
        // once more, as its own witnessed call, on a fresh connection.
        catch (GatewayException e) when (ChannelLoss.BeforeAnswer(e) && operation.Idempotent && body is null && !ct.IsCancellationRequested)
        {
            span?.AddEvent(new ActivityEvent("gateway.bridge.call.resent"));
            return await client().CallAsync(NewRequest(), null, ct, operation.ResponseBody).ConfigureAwait(false);
        }
    }
}

/// <summary>The runtime implementation behind <see cref="FamilyClient.Create{TBridge}"/>.</summary>
public class FamilyProxy<TBridge> : DispatchProxy where TBridge : class
{
    private BridgeFamily<TBridge> _family = null!;
    private FamilyCaller _caller = null!;
    private Func<MethodInfo, object?>? _facts;

    internal void Attach(BridgeFamily<TBridge> family, FamilyCaller caller, Func<MethodInfo, object?>? facts)
    {
        _family = family;
        _caller = caller;
        _facts = facts;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        args ??= [];
        if (_family.For(targetMethod) is { } operation)
        {
            // Bad arguments never reach the channel (no call, no witness); nor does a call the instance says it cannot run.
            _family.Check(operation, args, _caller.Instance, _facts is null ? null : this);
            return operation.Binding.Call(_caller, operation, args);
        }
        if (_facts is not null && args.Length == 0) return _facts(targetMethod);
        if (targetMethod.Name == "get_Name") return _caller.Instance;
        throw new NotSupportedException($"{typeof(TBridge).Name}.{targetMethod.Name} is not an operation of family '{_family.Name}' and nothing describes the instance.");
    }
}
