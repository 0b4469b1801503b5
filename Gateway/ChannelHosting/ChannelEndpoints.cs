using Gateway.Channel.Audit;
using Gateway.Channel.Rpc;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Errors;
using Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.ChannelHosting;

public sealed record AuditEntryView(long Sequence, string RequestId, string Operation, string Target, string Status,
    string HostKey, DateTimeOffset RecordedAt, string EntryHash, string PreviousHash);

public sealed record AuditPage(IReadOnlyList<AuditEntryView> Entries, long Next);

public sealed record WitnessView(long Sequence, string RequestId, string Operation, string Target, string Status,
    string RequestBodySha256, string ResponseBodySha256, string HeadersSha256, DateTimeOffset StartedAt, DateTimeOffset CompletedAt,
    string TranscriptHash, string PreviousWitnessHash, string HostKey, string Signature);

public sealed record WitnessList(string RequestId, IReadOnlyList<WitnessView> Witnesses);

internal static class ChannelEndpoints
{
    public const string RequestIdHeader = "X-Request-Id";
    public const int MaxPage = 1000;

    /// <summary>Gives each request an id (response header X-Request-Id) that its bridge calls, witnesses and audit entries carry.</summary>
    public static Task RequestIdAsync(HttpContext context, Func<Task> next)
    {
        var id = Guid.NewGuid().ToString("N");
        context.Response.Headers[RequestIdHeader] = id;
        ChannelRequestContext.RequestId = id;
        return next();
    }

    public static void Map(WebApplication app)
    {
        app.MapGet("/v1/audit", ListAuditAsync).WithTags("audit").RequireGatewayAccess(Operation.Read, "audit")
            .WithSummary("Pages through the hash-chained audit log of verified bridge-call witnesses, oldest first.");
        app.MapGet("/v1/witnesses/{requestId}", GetWitnessesAsync).WithTags("audit").RequireGatewayAccess(Operation.Read, "audit/witnesses/{requestId}")
            .WithSummary("The verified witnesses of one gateway request (the X-Request-Id response header).");
    }

    private static async Task<Ok<AuditPage>> ListAuditAsync(ChannelRuntime runtime, long? after, int? limit, CancellationToken ct)
    {
        var from = after ?? 0;
        var size = limit ?? 100;
        if (from < 0) throw new GatewayException(ErrorCode.BadRequest, "'after' must be zero or a sequence number.");
        if (size is < 1 or > MaxPage) throw new GatewayException(ErrorCode.BadRequest, $"'limit' must be between 1 and {MaxPage}.");
        var entries = await runtime.Audit.ReadAsync(from, size, ct);
        var views = entries.Select(e => new AuditEntryView(e.Sequence, e.RequestId, e.Operation, e.Target, e.Status, e.HostKey, e.RecordedAt,
            Convert.ToHexStringLower(e.EntryHash), Convert.ToHexStringLower(e.PreviousHash))).ToList();
        return TypedResults.Ok(new AuditPage(views, views.Count > 0 ? views[^1].Sequence : from));
    }

    private static async Task<Ok<WitnessList>> GetWitnessesAsync(ChannelRuntime runtime, string requestId, CancellationToken ct)
    {
        if (requestId.Length is 0 or > 128) throw new GatewayException(ErrorCode.BadRequest, "The request id is 1-128 characters.");
        var entries = await runtime.Audit.FindByRequestIdAsync(requestId, ct);
        if (entries.Count == 0) throw new GatewayException(ErrorCode.NotFound, $"No witness is recorded for request '{requestId}'.");
        var views = entries.Select(e =>
        {
            var w = Witness.Decode(e.Witness);
            return new WitnessView(e.Sequence, w.RequestId, w.Operation, w.Target, w.Status,
                Hex(w.RequestBodySha256), Hex(w.ResponseBodySha256), Hex(w.HeadersSha256), w.StartedAt, w.CompletedAt,
                Hex(w.TranscriptHash), Hex(w.PreviousWitnessHash), e.HostKey, Convert.ToBase64String(w.Signature));
        }).ToList();
        return TypedResults.Ok(new WitnessList(requestId, views));
    }

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);
}
