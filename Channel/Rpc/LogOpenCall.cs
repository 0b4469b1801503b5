using Gateway.Channel.Witnesses;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Rpc;

/// <summary>
/// The first call of a session whose gateway already holds a log: it hands the bridge host the last signed head and
/// the tree's right edge, so the host's heads continue that one tree (sizes, roots and the head chain run on across
/// reconnects and restarts). The call is witnessed like any other.
/// </summary>
public static class LogOpenCall
{
    public const string Family = "ctp96";
    public const string Instance = "log";
    public const string Operation = "log-open";

    public sealed record Args(long Size, IReadOnlyList<string> Frontier, string? Head);

    public static CallRequest Request(string id, LogCheckpoint checkpoint) => new()
    {
        Id = id,
        Family = Family,
        Instance = Instance,
        Operation = Operation,
        Target = checkpoint.Frontier.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Args = CallJson.ToElement(new Args(
            checkpoint.Frontier.Size,
            checkpoint.Frontier.Nodes.Select(Convert.ToHexStringLower).ToArray(),
            checkpoint.Head is { } h ? Convert.ToBase64String(h.Encode()) : null)),
    };

    /// <summary>Host side.</summary>
    internal static CallResult Handle(CallRequest request, TreeHeadSigner signer)
    {
        try
        {
            var args = CallJson.FromElement<Args>(request.Args);
            var frontier = new MerkleFrontier(args.Size, args.Frontier.Select(Convert.FromHexString));
            var head = args.Head is null ? null : SignedTreeHead.Decode(Convert.FromBase64String(args.Head));
            signer.Continue(frontier, head);
            return new CallResult(CallJson.ToElement(new { size = args.Size }));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw new GatewayException(ErrorCode.BadRequest, "The log to continue is malformed: " + e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new GatewayException(ErrorCode.Conflict, e.Message);
        }
    }
}
