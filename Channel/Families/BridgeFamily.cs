using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Families;

/// <summary>What every family declaration offers, whatever its bridge interface (architecture tests, diagnostics).</summary>
public interface IBridgeFamily
{
    /// <summary>The family's name on the wire ("object-storage").</summary>
    string Name { get; }
    /// <summary>The bridge interface the family carries.</summary>
    Type BridgeType { get; }
    IReadOnlyList<FamilyOperation> Operations { get; }
}

/// <summary>
/// A bridge family declared once, as rclone's rc registry or Dapr's <c>Operations()</c>: the operations of
/// <typeparamref name="TBridge"/> with their flags, how coded types travel (<see cref="BodyCodec{T, TMeta}"/>), and the
/// argument checks both ends run. <see cref="FamilyClient"/> calls any declared operation; <see cref="FamilyDispatcher{TBridge}"/>
/// runs it on the bridge host. Building the family binds every operation to its interface method and fails when they disagree.
/// </summary>
public sealed class BridgeFamily<TBridge>(string name, string instanceNoun, IReadOnlyList<FamilyOperation> operations,
    IReadOnlyList<IBodyCodec>? codecs = null, IReadOnlyList<ArgumentCheck>? checks = null) : IBridgeFamily where TBridge : class
{
    /// <summary>The interface's properties and argument-free methods (never an operation: each takes a CancellationToken).</summary>
    private static readonly MethodInfo[] FactMembers = [.. typeof(TBridge).GetInterfaces().Prepend(typeof(TBridge)).SelectMany(t => t.GetMethods())
        .Where(m => m.GetParameters().Length == 0 && m.ReturnType != typeof(void) && !m.ReturnType.IsAssignableTo(typeof(Task)))];

    private readonly IReadOnlyList<ArgumentCheck> _checks = checks ?? [];
    private readonly Dictionary<string, FamilyOperation> _byName = operations.ToDictionary(o => o.Name, StringComparer.Ordinal);
    private readonly Dictionary<MethodInfo, FamilyOperation> _byMethod = Bind(name, operations, codecs ?? []);

    public string Name { get; } = name;
    /// <summary>How errors name one instance ("store", "Docker host").</summary>
    public string InstanceNoun { get; } = instanceNoun;
    public Type BridgeType => typeof(TBridge);
    public IReadOnlyList<FamilyOperation> Operations { get; } = operations;
    public IReadOnlyList<IBodyCodec> Codecs { get; } = codecs ?? [];

    /// <summary>Checks an instance name before any lookup (a malformed one is BadRequest); null when any name may be looked up.</summary>
    public Action<string>? ValidateInstanceName { get; init; }

    /// <summary>Whether instance names compare ignoring case (REST upstreams).</summary>
    public bool InstanceNamesIgnoreCase { get; init; }

    public FamilyOperation? Find(string operation) => _byName.GetValueOrDefault(operation);

    internal FamilyOperation? For(MethodInfo method) => _byMethod.GetValueOrDefault(method);

    /// <summary>Binds every operation to its interface method; fails when a declaration and its method disagree.</summary>
    private static Dictionary<MethodInfo, FamilyOperation> Bind(string family, IReadOnlyList<FamilyOperation> operations,
        IReadOnlyList<IBodyCodec> codecs)
    {
        var byMethod = new Dictionary<MethodInfo, FamilyOperation>();
        foreach (var operation in operations)
        {
            var method = typeof(TBridge).GetMethod(operation.MethodName)
                ?? throw new InvalidOperationException($"Family '{family}': {typeof(TBridge).Name} has no method {operation.MethodName}.");
            operation.Binding = new OperationBinding(operation, method, codecs);
            if (!byMethod.TryAdd(method, operation))
                throw new InvalidOperationException($"Family '{family}': {operation.MethodName} is declared twice.");
        }
        return byMethod;
    }

    /// <summary>
    /// What an instance says about itself that is not a call: every property and argument-free method of the interface
    /// (name, kind, capabilities, limits, status) as JSON by member name. A member that fails is left out.
    /// </summary>
    public Dictionary<string, JsonElement> FactsOf(TBridge bridge)
    {
        var facts = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var member in FactMembers)
        {
            try { facts[FactName(member)] = JsonSerializer.SerializeToElement(member.Invoke(bridge, null), member.ReturnType, CallJson.Options); }
            catch (Exception e) when (e is TargetInvocationException or NotSupportedException or JsonException) { }
        }
        return facts;
    }

    /// <summary>Answers an instance's non-call members from its descriptor (read once each), for a gateway that does not build it.</summary>
    internal Func<MethodInfo, object?> FactsFrom(BridgeDescriptor descriptor)
    {
        var read = new ConcurrentDictionary<MethodInfo, object?>();
        return member => read.GetOrAdd(member, m => descriptor.Facts.TryGetValue(FactName(m), out var json)
            ? json.Deserialize(m.ReturnType, CallJson.Options)
            : throw new NotSupportedException($"The bridge host did not describe {typeof(TBridge).Name}.{FactName(m)} of '{descriptor.Name}'."));
    }

    private static string FactName(MethodInfo member) => member.IsSpecialName && member.Name.StartsWith("get_", StringComparison.Ordinal) ? member.Name[4..] : member.Name;

    /// <summary>
    /// Runs the family's checks on every argument of a call, then fails a call the instance (when it is known) declares
    /// it cannot run with <see cref="ErrorCode.NotImplemented"/>.
    /// </summary>
    internal void Check(FamilyOperation operation, object?[] args, string instance, object? bridge)
    {
        var parameters = operation.Binding.Parameters;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (args[i] is not { } value) continue;
            foreach (var check in _checks)
                if ((check.Parameter is null || check.Parameter == parameters[i].Name) && check.Type.IsInstanceOfType(value))
                    check.Run(value);
        }
        if (bridge is not null && operation.Unsupported?.Invoke(bridge, new CallArguments(parameters, args)) is { } feature)
            throw new GatewayException(ErrorCode.NotImplemented, $"The {InstanceNoun} '{instance}' does not support {feature}.");
    }
}

/// <summary>
/// A check the gateway runs before it sends a call and the bridge host runs again before it calls the bridge (the
/// host trusts no caller's validation): by parameter name ("bucket"), by argument type, or both.
/// </summary>
public sealed record ArgumentCheck(string? Parameter, Type Type, Action<object> Run)
{
    public static ArgumentCheck Named(string parameter, Action<string> check) => new(parameter, typeof(string), v => check((string)v));
    public static ArgumentCheck Named(string parameter, Action<int> check) => new(parameter, typeof(int), v => check((int)v));
    public static ArgumentCheck Of<T>(Action<T> check) => new(null, typeof(T), v => check((T)v));
}
