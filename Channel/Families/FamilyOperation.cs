using System.Reflection;
using Gateway.Channel.Rpc;

namespace Gateway.Channel.Families;

/// <summary>
/// One operation of a bridge family, declared once: its wire name, the interface method it carries, whether it
/// streams a request or a response body, and whether it is idempotent. Argument and result types are the method's
/// own; <see cref="BridgeFamily{TBridge}"/> binds the declaration to the method and checks that the two agree.
/// </summary>
public sealed class FamilyOperation(string name, string method)
{
    /// <summary>The operation's name on the wire and in witnesses ("get-object").</summary>
    public string Name { get; } = name;

    /// <summary>The bridge interface method it carries (nameof(IObjectStore.GetObjectAsync)).</summary>
    public string MethodName { get; } = method;

    /// <summary>Whether the call carries a request body (a <see cref="Stream"/> argument, or one inside a coded argument).</summary>
    public bool RequestBody { get; init; }

    /// <summary>Whether, and how, the answer streams a body. The gateway decides this from here, never the host.</summary>
    public ResponseBody ResponseBody { get; init; }

    /// <summary>Whether running the call twice has the effect of running it once.</summary>
    public bool Idempotent { get; init; }

    /// <summary>What the call acts on, recorded in its witness ("bucket/key"); empty when it acts on the instance.</summary>
    public Func<CallArguments, string> Target { get; init; } = static _ => "";

    /// <summary>
    /// Names the feature this call needs and the instance says it lacks (from its own capability flags), or null when
    /// the call can run. Both ends ask before calling: such a call fails <c>not-implemented</c> and reaches no bridge.
    /// </summary>
    public Func<object, CallArguments, string?>? Unsupported { get; init; }

    /// <summary>The bound interface method (set when the family is built).</summary>
    public MethodInfo Method => Binding.Method;

    internal OperationBinding Binding { get; set; } = null!;
}

/// <summary>A call's arguments by parameter name, for <see cref="FamilyOperation.Target"/>.</summary>
public sealed class CallArguments(ParameterInfo[] parameters, object?[] values)
{
    public object? this[string name] => values[Array.FindIndex(parameters, p => p.Name == name)];

    public T Get<T>(string name) => (T)this[name]!;

    /// <summary>The named arguments joined by '/' ("bucket/key").</summary>
    public string Join(params string[] names) => string.Join('/', names.Select(n => this[n]));
}
