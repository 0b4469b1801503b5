using Gateway.Channel.Audit;
using Gateway.Channel.Rpc;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Errors;
using Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.ChannelHosting;

public sealed record AuditEntryView(long Sequence, string RequestId, string Operation, string Target, string Status, string Outcome,
    string HostKey, DateTimeOffset RecordedAt, long LeafIndex, string EntryHash, string PreviousHash);

public sealed record AuditPage(IReadOnlyList<AuditEntryView> Entries, long Next);

/// <summary>A witness as recorded. <c>Witness</c> is its encoding (base64); SHA-256(0x00 || those bytes) is its leaf hash.</summary>
public sealed record WitnessView(long Sequence, string RequestId, string Operation, string Target, string Status, string Outcome,
    string RequestBodySha256, string ResponseBodySha256, string HeadersSha256, DateTimeOffset StartedAt, DateTimeOffset CompletedAt,
    string TranscriptHash, string HostKey, long LeafIndex, string LeafHash, string Witness);

/// <summary>A page of a request's witnesses; <c>Next</c> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record WitnessList(string RequestId, IReadOnlyList<WitnessView> Witnesses, long? Next);

/// <summary>
/// A bridge host's signed tree head. <c>Encoded</c> (base64) is the exact signed structure; save this JSON as a
/// checkpoint for `audit verify --checkpoint`.
/// </summary>
public sealed record SignedTreeHeadView(long TreeSize, string RootHash, DateTimeOffset Timestamp, string HostKey,
    string PreviousHeadHash, string HeadHash, string Signature, string Encoded)
{
    public static SignedTreeHeadView Of(SignedTreeHead h) => new(h.TreeSize, Convert.ToHexStringLower(h.RootHash), h.Timestamp, h.HostKey,
        Convert.ToHexStringLower(h.PreviousHeadHash), Convert.ToHexStringLower(h.Hash()), Convert.ToBase64String(h.Signature), Convert.ToBase64String(h.Encode()));
}

/// <summary>A witness, its RFC 9162 inclusion proof (audit path, leaf to root) and the signed head it leads to.</summary>
public sealed record WitnessProof(WitnessView Witness, IReadOnlyList<string> InclusionProof, SignedTreeHeadView Head);

/// <summary>A page of a request's witnesses with their proofs; <c>Next</c> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record WitnessProofList(string RequestId, IReadOnlyList<WitnessProof> Proofs, long? Next);

/// <summary>RFC 9162 consistency proof between the trees of <c>From</c> and <c>To</c> leaves, with both roots and the latest signed head.</summary>
public sealed record ConsistencyProofView(long From, long To, string FromRoot, string ToRoot, IReadOnlyList<string> Proof, SignedTreeHeadView Head);

internal static class ChannelEndpoints
{
    public const string RequestIdHeader = "X-Request-Id";
    public const int MaxPage = 1000;
    public const int MaxProofPage = 100;

    /// <summary>Gives each request an id (response header X-Request-Id) that its bridge calls, witnesses and audit entries carry.</summary>
    public static Task RequestIdAsync(HttpContext context, Func<Task> next)
    {
        var id = Guid.NewGuid().ToString("N");
        context.Response.Headers[RequestIdHeader] = id;
        // Kept on the request too: the exception handler clears the response headers before it writes a problem.
        context.Items[RequestIdHeader] = id;
        ChannelRequestContext.RequestId = id;
        return next();
    }

    public static void Map(WebApplication app)
    {
        app.MapGet("/v1/audit", ListAuditAsync).WithTags("audit").RequireGatewayAccess(Operation.Read, "audit")
            .WithSummary("Pages through the hash-chained audit log of verified bridge-call witnesses, oldest first.");
        app.MapGet("/v1/audit/head", GetHead).WithName("GetAuditHead").WithTags("audit").RequireGatewayAccess(Operation.Read, "audit")
            .WithSummary("The latest signed tree head of the audit log (keep it: `audit verify --checkpoint` proves the log still holds it); 404 before the first head is signed.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/v1/audit/consistency", GetConsistencyAsync).WithName("GetAuditConsistency").WithTags("audit").RequireGatewayAccess(Operation.Read, "audit")
            .WithSummary("RFC 9162 consistency proof between the trees of `from` and `to` leaves (1 <= from <= to <= the latest head's size); 404 before the first head is signed.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/v1/witnesses/{requestId}/proof", GetProofsAsync).WithName("GetWitnessProofs").WithTags("audit").RequireGatewayAccess(Operation.Read, "audit/witnesses/{requestId}")
            .WithSummary("The witnesses of one gateway request, each with its RFC 9162 inclusion proof under the latest signed tree head, a page at a time (`after`, `limit` 1-100, default 100; `next` while more remain).");
        app.MapGet("/v1/witnesses/{requestId}", GetWitnessesAsync).WithTags("audit").RequireGatewayAccess(Operation.Read, "audit/witnesses/{requestId}")
            .WithSummary("The verified witnesses of one gateway request (the X-Request-Id response header), a page at a time (`after`, `limit` 1-1000, default 1000; `next` while more remain).");
    }

    private static async Task<Ok<AuditPage>> ListAuditAsync(ChannelRuntime runtime, long? after, int? limit, CancellationToken ct)
    {
        var from = after ?? 0;
        var size = limit ?? 100;
        if (from < 0) throw new GatewayException(ErrorCode.BadRequest, "'after' must be zero or a sequence number.");
        if (size is < 1 or > MaxPage) throw new GatewayException(ErrorCode.BadRequest, $"'limit' must be between 1 and {MaxPage}.");
        var entries = await runtime.Audit.ReadAsync(from, size, ct);
        var views = entries.Select(e => new AuditEntryView(e.Sequence, e.RequestId, e.Operation, e.Target, e.Status, e.Outcome, e.HostKey, e.RecordedAt,
            e.LeafIndex, Convert.ToHexStringLower(e.EntryHash), Convert.ToHexStringLower(e.PreviousHash))).ToList();
        return TypedResults.Ok(new AuditPage(views, views.Count > 0 ? views[^1].Sequence : from));
    }

    private static async Task<Ok<WitnessList>> GetWitnessesAsync(ChannelRuntime runtime, string requestId, long? after, int? limit, CancellationToken ct)
    {
        var (entries, next) = await FindAsync(runtime, requestId, after, limit, MaxPage, ct);
        return TypedResults.Ok(new WitnessList(requestId, entries.Select(View).ToList(), next));
    }

    private static Ok<SignedTreeHeadView> GetHead(ChannelRuntime runtime) =>
        TypedResults.Ok(SignedTreeHeadView.Of(runtime.Audit.LatestHead ?? throw new GatewayException(ErrorCode.NotFound, "The audit log has no signed tree head yet.")));

    private static async Task<Ok<WitnessProofList>> GetProofsAsync(ChannelRuntime runtime, string requestId, long? after, int? limit, CancellationToken ct)
    {
        // Each proof is a pass over the stored leaves: a smaller page than the witness list's.
        var (entries, next) = await FindAsync(runtime, requestId, after, limit, MaxProofPage, ct);
        var head = runtime.Audit.LatestHead ?? throw new GatewayException(ErrorCode.NotFound, "The audit log has no signed tree head yet.");
        var headView = SignedTreeHeadView.Of(head);
        var proofs = new List<WitnessProof>();
        foreach (var e in entries)
        {
            var path = await runtime.Audit.InclusionProofAsync(e.LeafIndex, head.TreeSize, ct);
            proofs.Add(new WitnessProof(View(e), path.Select(Hex).ToList(), headView));
        }
        return TypedResults.Ok(new WitnessProofList(requestId, proofs, next));
    }

    private static async Task<Ok<ConsistencyProofView>> GetConsistencyAsync(ChannelRuntime runtime, long? from, long? to, CancellationToken ct)
    {
        // A request missing its parameters is wrong whatever the log holds: 400 before the 404 of an empty log.
        if (from is not { } first || to is not { } second)
            throw new GatewayException(ErrorCode.BadRequest, "'from' and 'to' (tree sizes) are required.");
        var head = runtime.Audit.LatestHead ?? throw new GatewayException(ErrorCode.NotFound, "The audit log has no signed tree head yet.");
        if (first < 1 || first > second || second > head.TreeSize)
            throw new GatewayException(ErrorCode.BadRequest, $"Need 1 <= from <= to <= {head.TreeSize} (the latest signed head's size).");
        var proof = await runtime.Audit.ConsistencyProofAsync(first, second, ct);
        var roots = (await runtime.Audit.RootAsync(first, ct), await runtime.Audit.RootAsync(second, ct));
        return TypedResults.Ok(new ConsistencyProofView(first, second, Hex(roots.Item1), Hex(roots.Item2), proof.Select(Hex).ToList(), SignedTreeHeadView.Of(head)));
    }

    /// <summary>A page of the request's entries and the <c>after</c> of the next page (null on the last).</summary>
    private static async Task<(IReadOnlyList<AuditEntry> Entries, long? Next)> FindAsync(ChannelRuntime runtime, string requestId, long? after, int? limit,
        int maxPage, CancellationToken ct)
    {
        if (requestId.Length is 0 or > 128) throw new GatewayException(ErrorCode.BadRequest, "The request id is 1-128 characters.");
        var from = after ?? 0;
        var size = limit ?? maxPage;
        if (from < 0) throw new GatewayException(ErrorCode.BadRequest, "'after' must be zero or a sequence number.");
        if (size < 1 || size > maxPage) throw new GatewayException(ErrorCode.BadRequest, $"'limit' must be between 1 and {maxPage}.");
        // One more than the page tells whether another follows, without counting a request that may hold millions.
        var entries = await runtime.Audit.FindByRequestIdAsync(requestId, from, size + 1, ct);
        if (entries.Count == 0)
        {
            // Past the last page of a request that exists: an empty page. A request with no witness is 404 on any page.
            if (from == 0 || (await runtime.Audit.FindByRequestIdAsync(requestId, 0, 1, ct)).Count == 0)
                throw new GatewayException(ErrorCode.NotFound, $"No witness is recorded for request '{requestId}'.");
            return ([], null);
        }
        return entries.Count > size ? (entries.Take(size).ToList(), entries[size - 1].Sequence) : (entries, null);
    }

    private static WitnessView View(AuditEntry e)
    {
        var w = Witness.Decode(e.Witness);
        return new WitnessView(e.Sequence, w.RequestId, w.Operation, w.Target, w.Status, e.Outcome,
            Hex(w.RequestBodySha256), Hex(w.ResponseBodySha256), Hex(w.HeadersSha256), w.StartedAt, w.CompletedAt,
            Hex(w.TranscriptHash), e.HostKey, e.LeafIndex, Hex(MerkleTree.LeafHash(e.Witness)), Convert.ToBase64String(e.Witness));
    }

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);
}
