using System.Reflection;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests.Families;

/// <summary>
/// A fake bridge of any family: records each call (method, arguments, request body bytes) and answers with
/// <see cref="Respond"/>. What is not an operation (name, kind, capabilities, status) gets fixed answers.
/// </summary>
public class RecordingBridge<TBridge> : DispatchProxy where TBridge : class
{
    public sealed record Call(MethodInfo Method, object?[] Args);

    public List<Call> Calls { get; } = [];
    public Func<MethodInfo, object?[], object?> Respond { get; set; } = (_, _) => null;

    /// <summary>What the fake says it can do when it is an <see cref="IObjectStore"/>: by default every operation.</summary>
    public StoreCapabilities StoreCapabilities { get; set; } = new() { MultipartUploads = true };

    public static (TBridge Bridge, RecordingBridge<TBridge> Recorder) Create()
    {
        var proxy = Create<TBridge, RecordingBridge<TBridge>>();
        return (proxy, (RecordingBridge<TBridge>)(object)proxy);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var method = targetMethod!;
        switch (method.Name)
        {
            case "get_Name": return "fake";
            case "get_Kind": return "fake";
            case "get_Capabilities": return StoreCapabilities;
            case "get_MaxRequestBodyBytes": return null;
            case "GetStatus": return BridgeStatus.Unknown;
        }
        lock (Calls) Calls.Add(new Call(method, args ?? []));
        return Respond(method, args ?? []);
    }
}
