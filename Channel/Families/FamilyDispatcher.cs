using System.Text.Json;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Families;

/// <summary>
/// The one generic host-side dispatcher: finds the declared operation and the instance a call names, decodes and
/// checks its arguments again, runs the bridge method and hands its result (and body) to the channel host.
/// </summary>
public sealed class FamilyDispatcher<TBridge>(BridgeFamily<TBridge> family, Func<string, TBridge?> instances) : IChannelCallHandler
    where TBridge : class
{
    public string Family => family.Name;

    public async Task<CallResult> HandleAsync(CallRequest request, Stream requestBody, CancellationToken ct)
    {
        var bridge = instances(request.Instance)
            ?? throw new GatewayException(ErrorCode.NotFound, $"This bridge host has no {family.InstanceNoun} named '{request.Instance}'.");
        var operation = family.Find(request.Operation)
            ?? throw new GatewayException(ErrorCode.NotSupported, $"The {family.Name} family has no operation '{request.Operation}'.");
        object?[] args;
        try { args = operation.Binding.Decode(request.Args, requestBody, request.HasBody, ct); }
        catch (JsonException) { throw new GatewayException(ErrorCode.BadRequest, $"The arguments of '{operation.Name}' are malformed."); }
        family.Check(operation, args, request.Instance, bridge);
        return await operation.Binding.RunAsync(bridge, args, ct).ConfigureAwait(false);
    }
}
