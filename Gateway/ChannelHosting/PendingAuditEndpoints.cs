using Gateway.Channel.Audit;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Diagnostics;
using Gateway.Contracts.Errors;
using Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.ChannelHosting;

/// <summary>
/// A witnessed call under a signed head with no outcome entry. <c>State</c> is <c>reading</c> while its caller still
/// reads the answer, <c>unresolved</c> when an earlier run of the gateway stopped before the outcome was recorded.
/// <c>Witness</c> is the host-signed encoding (base64); SHA-256(0x00 || those bytes) is <c>LeafHash</c>.
/// </summary>
public sealed record PendingCallView(long LeafIndex, string State, string RequestId, string Operation, string Target, string Status,
    string HostKey, DateTimeOffset RecordedAt, string LeafHash, string Witness);

/// <summary>A page of pending calls, oldest first; <c>Next</c> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record PendingCallPage(long Unresolved, long Reading, IReadOnlyList<PendingCallView> Calls, long? Next);

internal static partial class PendingAuditEndpoints
{
    /// <summary>Says at start that an earlier run left calls without an outcome, so an operator need not wait for `audit verify`.</summary>
    public static void WarnIfUnresolved(AuditLog audit, ILogger logger)
    {
        if (audit.PendingCounts.Unresolved is > 0 and var count) UnresolvedCalls(logger, count, audit.DatabasePath);
    }

    [LoggerMessage(EventId = EventIds.AuditUnresolvedCalls, Level = LogLevel.Warning,
        Message = "The audit log {Database} holds {Count} witnessed calls whose outcome was never recorded (the gateway stopped while their answers were read); they are listed by GET /v1/audit/pending and `audit verify`")]
    private static partial void UnresolvedCalls(ILogger logger, long count, string database);

    public static void Map(WebApplication app) =>
        app.MapGet("/v1/audit/pending", ListAsync).WithName("ListPendingAuditCalls").WithTags("audit").RequireGatewayAccess(Operation.Read, "audit")
            .WithSummary("Witnessed calls with no outcome entry yet, oldest first: `reading` (the caller is still reading the answer) or `unresolved` (the gateway stopped while the answer was read; `audit verify` reports these too). Paged by leaf index (`after`, `limit` 1-1000, default 100).");

    private static async Task<Ok<PendingCallPage>> ListAsync(ChannelRuntime runtime, long? after, int? limit, CancellationToken ct)
    {
        // -1 is the store's "from the start", not a value a caller may give: after=-1 was taken where the detail says zero or more.
        if (after is < 0) throw new GatewayException(ErrorCode.BadRequest, "'after' must be a leaf index (zero or more).");
        var from = after ?? -1;
        var size = limit ?? 100;
        if (size is < 1 or > ChannelEndpoints.MaxPage) throw new GatewayException(ErrorCode.BadRequest, $"'limit' must be between 1 and {ChannelEndpoints.MaxPage}.");
        var audit = runtime.Audit;
        // One more than the page tells whether another follows.
        var rows = await audit.ReadPendingAsync(from, size + 1, ct);
        var calls = rows.Take(size).Select(p => View(p, audit.FirstLeafOfRun)).ToList();
        var (unresolved, reading) = audit.PendingCounts;
        return TypedResults.Ok(new PendingCallPage(unresolved, reading, calls, rows.Count > size ? calls[^1].LeafIndex : null));
    }

    private static PendingCallView View(PendingWitness p, long firstLeafOfRun) => new(p.LeafIndex, p.LeafIndex < firstLeafOfRun ? "unresolved" : "reading", p.RequestId, p.Operation, p.Target, p.Status,
            p.HostKey, p.RecordedAt, Convert.ToHexStringLower(MerkleTree.LeafHash(p.Witness)), Convert.ToBase64String(p.Witness));
}
