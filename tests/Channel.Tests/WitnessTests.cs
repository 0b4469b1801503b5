using System.Security.Cryptography;
using Gateway.Channel.Audit;
using Gateway.Channel.Framing;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Channel.Tests;

public class WitnessTests
{
    private static readonly byte[] Data = RandomNumberGenerator.GetBytes(700_000);

    private static async Task<ChannelHarness> WithObjectAsync(Action<Rpc.ChannelHost>? configure = null, bool relay = false, Action<FrameRelay>? configureRelay = null,
        TimeSpan? headTimeout = null)
    {
        var h = ChannelHarness.Create(relay: relay, configureRelay: configureRelay, headTimeout: headTimeout);
        await h.Store.CreateBucketAsync("bucket-one", default);
        await h.Store.PutObjectAsync("bucket-one", "obj", new MemoryStream(Data), new PutObjectOptions(), default);
        configure?.Invoke(h.Host);
        return h;
    }

    /// <summary>Reads a streamed body; returns the bytes and the exception that ended it (null when it ended normally).</summary>
    private static async Task<(byte[] Bytes, Exception? Error)> DrainAsync(Stream body)
    {
        var copy = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0) copy.Write(buffer, 0, n);
            return (copy.ToArray(), null);
        }
        catch (Exception e) { return (copy.ToArray(), e); }
    }

    private static async Task AssertStreamedGetFailsAsync(ChannelHarness h, WitnessFailure reason)
    {
        await using var content = await h.Remote.GetObjectAsync("bucket-one", "obj", new GetObjectOptions(), default);
        var (bytes, error) = await DrainAsync(content.Body);
        var failure = Assert.IsType<WitnessFailedException>(error);
        Assert.Equal(reason, failure.Reason);
        Assert.Equal(ErrorCode.WitnessFailed, failure.Code);
        // The body never "ends": a second read throws too.
        await Assert.ThrowsAsync<WitnessFailedException>(async () => _ = await content.Body.ReadAsync(new byte[10]));
        Assert.DoesNotContain(await h.Audit.ReadAsync(0, 10, default), e => e.Outcome == WitnessRecord.Released);
        Assert.True(h.Logs.Has(9603, $"({reason})") || h.Logs.Has(9609, $"({reason})"), h.Logs.Dump());
        // The last byte is held back until the witness verifies, so no reader ever holds the whole body.
        Assert.True(bytes.Length < Data.Length);
    }

    private static async Task AssertBufferedCallFailsAsync(ChannelHarness h, WitnessFailure reason)
    {
        var e = await Assert.ThrowsAsync<WitnessFailedException>(() => h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(502, e.Code.HttpStatus());
        Assert.Equal("witness-failed", e.Code.Slug());
    }

    [Fact]
    public async Task A_verified_witness_is_audited_and_describes_the_call()
    {
        await using var h = await WithObjectAsync();
        await using (var content = await h.Remote.GetObjectAsync("bucket-one", "obj", new GetObjectOptions(), default))
        {
            var (bytes, error) = await DrainAsync(content.Body);
            Assert.Null(error);
            Assert.Equal(Data, bytes);
        }
        var entry = Assert.Single(await h.Audit.ReadAsync(0, 10, default));
        var w = Witness.Decode(entry.Witness);
        Assert.Equal("object-storage.get-object", w.Operation);
        Assert.Equal("local/bucket-one/obj", w.Target);
        Assert.Equal("ok", w.Status);
        Assert.Equal(SHA256.HashData(Data), w.ResponseBodySha256);
        Assert.Equal(SHA256.HashData(Array.Empty<byte>()), w.RequestBodySha256);
        Assert.Equal(h.Client.Connection!.TranscriptHash, w.TranscriptHash);
        Assert.True(w.CompletedAt >= w.StartedAt);
        Assert.Equal(WitnessRecord.Released, entry.Outcome);
        // Released only under a head that covers it, signed by the pinned host key, durable before the answer.
        var head = h.Audit.LatestHead!;
        Assert.True(head.VerifySignature(TestKeys.Host.PublicKey));
        Assert.True(entry.LeafIndex < head.TreeSize);
        var proof = await h.Audit.InclusionProofAsync(entry.LeafIndex, head.TreeSize, default);
        Assert.True(MerkleTree.VerifyInclusion(entry.LeafIndex, head.TreeSize, MerkleTree.LeafHash(entry.Witness), proof, head.RootHash));
    }

    [Fact]
    public async Task Witnesses_are_consecutive_leaves_under_chained_heads()
    {
        await using var h = await WithObjectAsync();
        await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default);
        await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default);
        var entries = await h.Audit.ReadAsync(0, 10, default);
        Assert.Equal([0L, 1L], entries.Select(e => e.LeafIndex).Order());
        var heads = await h.Audit.ReadHeadsAsync(0, 100, default);
        Assert.Equal(new byte[32], heads[0].Head.PreviousHeadHash);
        for (var i = 1; i < heads.Count; i++) Assert.Equal(heads[i - 1].HeadHash, heads[i].Head.PreviousHeadHash);
        Assert.True(AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]).Ok);
    }

    [Fact]
    public async Task Under_load_one_head_covers_many_witnesses_and_every_call_is_still_checked()
    {
        const int Calls = 96;
        var witnessed = 0;
        var firstHead = 0;
        var allWitnessed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The first head waits until every call's WITNESS is on its way to the gateway, so their leaves queue behind it
        // and the heads after it must cover them together. Racing the calls alone was not load: on an idle machine the
        // host answered and signed each call before the next arrived (96 heads for 96 witnesses, 2 runs in 5).
        await using var h = await WithObjectAsync(
            host => host.TamperHead = b =>
            {
                if (Interlocked.Exchange(ref firstHead, 1) == 0) allWitnessed.Task.Wait(TimeSpan.FromSeconds(30));
                return b;
            },
            relay: true,
            configureRelay: r => r.Mutate = f =>
            {
                if (!f.ToHost && f.Header.Type == FrameType.Witness && Interlocked.Increment(ref witnessed) == Calls) allWitnessed.TrySetResult();
                return [f.Bytes];
            },
            headTimeout: TimeSpan.FromSeconds(30));
        await Task.WhenAll(Enumerable.Range(0, Calls).Select(_ => h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default)));
        Assert.True(allWitnessed.Task.IsCompleted, $"{witnessed} of {Calls} witnesses passed the relay");
        var entries = await h.Audit.ReadAsync(0, 1000, default);
        var heads = await h.Audit.ReadHeadsAsync(0, 1000, default);
        Assert.Equal(96, entries.Count);
        Assert.All(entries, e => Assert.Equal(WitnessRecord.Released, e.Outcome));
        Assert.True(heads.Count < entries.Count, $"{heads.Count} heads for {entries.Count} witnesses: signing did not batch");
        var result = AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]);
        Assert.True(result.Ok, result.Problem);
        Assert.Equal(96, result.TreeSize);
    }

    [Fact]
    public async Task The_default_head_bound_is_one_second()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), new Rpc.ChannelClientOptions { Channel = null!, Connect = null! }.HeadTimeout);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_head_that_never_comes_fails_the_call_after_the_bound()
    {
        await using var h = await WithObjectAsync(host => host.TamperHead = _ => null, headTimeout: TimeSpan.FromMilliseconds(300));
        // Measured on the clock the bound's timer runs on: .NET timers count the coarse tick count (on Linux
        // CLOCK_MONOTONIC_COARSE, 4 ms steps), so against a Stopwatch a 300 ms timer can end a few milliseconds early.
        var started = Environment.TickCount64;
        await AssertBufferedCallFailsAsync(h, WitnessFailure.HeadMissing);
        Assert.True(Environment.TickCount64 - started >= 300);
        await AssertStreamedGetFailsAsync(h, WitnessFailure.HeadMissing);
    }

    [Fact]
    public async Task A_head_signed_by_the_wrong_key_is_refused()
    {
        await using var h = await WithObjectAsync(host => host.TamperHead = b => b with { Head = b.Head.SignWith(TestKeys.Stranger) });
        await AssertBufferedCallFailsAsync(h, WitnessFailure.BadSignature);
        Assert.True(h.Logs.Has(9609, "(BadSignature)"), h.Logs.Dump());
    }

    [Fact]
    public async Task A_head_whose_leaves_do_not_reproduce_its_root_is_refused()
    {
        // The host swaps the call's leaf for another in the batch but signs the honest root: no inclusion.
        await using var h = await WithObjectAsync(host => host.TamperHead = b => b with { Leaves = [.. b.Leaves.Select(_ => MerkleTree.LeafHash("other"u8))] });
        await AssertStreamedGetFailsAsync(h, WitnessFailure.NotIncluded);
    }

    [Fact]
    public async Task An_inclusion_that_does_not_match_the_witness_is_refused()
    {
        // Head and leaves are honest, but the witness sent is not the leaf its index names.
        await using var h = await WithObjectAsync(host => host.TamperWitness = w => w with { CompletedAt = w.CompletedAt.AddSeconds(1) });
        await AssertBufferedCallFailsAsync(h, WitnessFailure.NotIncluded);
    }

    [Fact]
    public async Task A_head_covering_fewer_entries_than_the_gateway_holds_is_refused()
    {
        HeadBatch? first = null;
        await using var h = await WithObjectAsync(host => host.TamperHead = b =>
        {
            if (first is null) return first = b;
            // Validly signed and chained, but it takes back the leaf the gateway already holds.
            var rolledBack = new SignedTreeHead
            {
                TreeSize = first.Head.TreeSize - 1, RootHash = MerkleTree.EmptyRoot(), Timestamp = DateTimeOffset.UtcNow,
                HostKeyFingerprint = new byte[32], PreviousHeadHash = first.Head.Hash(),
            }.SignWith(TestKeys.Host);
            return new HeadBatch(rolledBack, first.Head.TreeSize - 1, []);
        });
        await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default);
        await AssertBufferedCallFailsAsync(h, WitnessFailure.Rollback);
    }

    [Fact]
    public async Task A_forked_log_two_heads_of_one_size_with_different_roots_is_refused()
    {
        HeadBatch? first = null;
        await using var h = await WithObjectAsync(host => host.TamperHead = b =>
        {
            if (first is null) return first = b;
            var fork = new SignedTreeHead
            {
                TreeSize = first.Head.TreeSize, RootHash = MerkleTree.LeafHash("fork"u8), Timestamp = DateTimeOffset.UtcNow,
                HostKeyFingerprint = new byte[32], PreviousHeadHash = first.Head.Hash(),
            }.SignWith(TestKeys.Host);
            return new HeadBatch(fork, first.Head.TreeSize, []);
        });
        await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default);
        await AssertBufferedCallFailsAsync(h, WitnessFailure.Fork);
        // The session is closed: the next call runs on a fresh one and the log the gateway kept still verifies.
        Assert.True(AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]).Ok);
    }

    [Fact]
    public async Task A_head_that_drops_its_predecessor_is_refused()
    {
        await using var h = await WithObjectAsync(host => host.TamperHead = b => b with { Head = (b.Head with { PreviousHeadHash = MerkleTree.LeafHash("elsewhere"u8) }).SignWith(TestKeys.Host) });
        await AssertBufferedCallFailsAsync(h, WitnessFailure.BrokenHeadChain);
    }

    [Fact]
    public async Task Idle_heads_are_re_signed_so_a_stalled_log_shows()
    {
        await using var h = await WithObjectAsync(host => host.IdleHeadInterval = TimeSpan.FromMilliseconds(200));
        await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default);
        var first = h.Audit.LatestHead!;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (h.Audit.LatestHead!.Timestamp == first.Timestamp && DateTime.UtcNow < deadline) await Task.Delay(20);
        var later = h.Audit.LatestHead!;
        Assert.True(later.Timestamp > first.Timestamp, "no head was re-signed while idle");
        Assert.Equal(first.TreeSize, later.TreeSize);
        Assert.Equal(first.RootHash, later.RootHash);
        Assert.Equal(first.Hash(), later.PreviousHeadHash);
    }

    [Fact]
    public async Task A_new_session_continues_the_same_log()
    {
        await using var h = await WithObjectAsync();
        await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default);
        var before = h.Audit.LatestHead!;
        h.Client.Connection!.Abort(new ChannelProtocolException(ChannelCloseReason.TransportError, "test: cut"));
        await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default);
        var entries = await h.Audit.ReadAsync(0, 10, default);
        Assert.Contains(entries, e => e.Operation == "ctp96.log-open");
        Assert.True(h.Audit.LatestHead!.TreeSize > before.TreeSize);
        var result = AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]);
        Assert.True(result.Ok, result.Problem);
        Assert.Equal(entries.Count, result.TreeSize);
    }

    [Fact]
    public async Task Missing_witness_fails_a_streamed_get()
    {
        await using var h = await WithObjectAsync(host => host.OmitWitness = true);
        await AssertStreamedGetFailsAsync(h, WitnessFailure.Missing);
    }

    [Fact]
    public async Task Missing_witness_fails_a_buffered_call()
    {
        await using var h = await WithObjectAsync(host => host.OmitWitness = true);
        await AssertBufferedCallFailsAsync(h, WitnessFailure.Missing);
    }

    [Fact]
    public async Task A_head_over_a_leaf_whose_witness_never_came_is_refused_and_never_written()
    {
        await using var h = await WithObjectAsync(host => host.OmitWitness = true);
        var before = h.Audit.LatestHead?.TreeSize ?? 0;
        await AssertBufferedCallFailsAsync(h, WitnessFailure.Missing);
        // The host signed a leaf it never delivered: the gateway has no witness to record for it, so it does not take
        // the head into its log (a leaf without an entry would read as a deletion); it breaks the session instead.
        Assert.True(await h.Logs.WaitForAsync(Contracts.Diagnostics.EventIds.HeadRejected, "Unwitnessed"), "no head rejected as unwitnessed");
        Assert.Equal(before, h.Audit.LatestHead?.TreeSize ?? 0);
        var result = AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]);
        Assert.True(result.Ok, result.Problem);
        Assert.Equal(before, result.TreeSize);
    }

    [Fact]
    public async Task A_signed_in_witness_for_another_request_is_refused_and_recorded_as_refused()
    {
        await using var h = await WithObjectAsync(host => host.RewriteWitness = w => w with { RequestId = "someone-else" });
        await AssertStreamedGetFailsAsync(h, WitnessFailure.ForeignRequest);
        // The host's signed log holds it, so the gateway's log does too, marked as refused.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await h.Audit.ReadAsync(0, 10, default)).Any(e => e.Outcome == "refused:foreign-request") && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Contains(await h.Audit.ReadAsync(0, 10, default), e => e.Outcome == "refused:foreign-request");
    }

    [Fact]
    public async Task A_forged_witness_is_refused()
    {
        // Changed in transit after the host put it in its tree: it is not the leaf the signed head covers.
        await using var h = await WithObjectAsync(host => host.TamperWitness = w => w with { ResponseBodySha256 = SHA256.HashData("forged"u8) });
        await AssertStreamedGetFailsAsync(h, WitnessFailure.DigestMismatch);
    }

    [Fact]
    public async Task A_forged_witness_that_matches_the_call_is_refused_as_not_included()
    {
        await using var h = await WithObjectAsync(host => host.TamperWitness = w => w with { StartedAt = w.StartedAt.AddSeconds(-1) });
        await AssertStreamedGetFailsAsync(h, WitnessFailure.NotIncluded);
    }

    [Fact]
    public async Task A_witness_that_lies_about_the_body_is_refused()
    {
        await using var h = await WithObjectAsync(host => host.RewriteWitness = w => w with { ResponseBodySha256 = SHA256.HashData("other"u8) });
        await AssertStreamedGetFailsAsync(h, WitnessFailure.DigestMismatch);
    }

    [Fact]
    public async Task A_truncated_stream_is_never_taken_for_a_complete_body()
    {
        var forwarded = 0;
        await using var h = await WithObjectAsync(relay: true, configureRelay: r => r.Mutate = f =>
        {
            if (!f.ToHost && f.Header.Type == FrameType.Data && f.Header.Length > 0 && ++forwarded > 3) throw new IOException("cut");
            return [f.Bytes];
        });
        await using var content = await h.Remote.GetObjectAsync("bucket-one", "obj", new GetObjectOptions(), default);
        var (bytes, error) = await DrainAsync(content.Body);
        Assert.IsAssignableFrom<IOException>(error);
        Assert.True(bytes.Length < Data.Length);
        Assert.DoesNotContain(await h.Audit.ReadAsync(0, 10, default), e => e.Operation == "object-storage.get-object");
    }

    [Fact]
    public async Task A_host_killed_mid_stream_fails_that_call_and_the_next_call_reconnects_after_the_backoff()
    {
        // The client's clock is fake: the backoff ends when the test moves time, not when a loop happens to win a race.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = ChannelHarness.Create(tcp: true, backoff: TimeSpan.FromSeconds(1),
            clientOptions: o => o with { TimeProvider = time });
        await h.Store.CreateBucketAsync("bucket-one", default);
        var big = RandomNumberGenerator.GetBytes(16 * 1024 * 1024);
        await h.Store.PutObjectAsync("bucket-one", "big", new MemoryStream(big), new PutObjectOptions(), default);
        Task? kill = null;
        h.Host.BeforeResponseChunk = async sent =>
        {
            if (sent >= 2 * 1024 * 1024 && kill is null)
            {
                kill = h.KillHostAsync();
                await Task.Yield();
            }
        };
        await using (var content = await h.Remote.GetObjectAsync("bucket-one", "big", new GetObjectOptions(), default))
        {
            var (bytes, error) = await DrainAsync(content.Body);
            Assert.NotNull(error);
            Assert.IsAssignableFrom<IOException>(error);
            Assert.True(bytes.Length < big.Length);
        }
        Assert.NotNull(kill);
        await kill!.WaitAsync(TimeSpan.FromSeconds(30));
        // The host is gone: the dial fails and the backoff starts.
        Assert.Equal(ErrorCode.Unavailable, (await Assert.ThrowsAsync<GatewayException>(() => h.Remote.ListBucketsAsync(default))).Code);

        h.Host.BeforeResponseChunk = null;
        h.StartListening(h.Port);
        // Within the backoff the client does not dial, though the host is back: it fails fast and says when to retry.
        var early = await Assert.ThrowsAsync<GatewayException>(() => h.Remote.ListBucketsAsync(default));
        Assert.Equal(ErrorCode.Unavailable, early.Code);
        Assert.Contains("backing off", early.Message);
        Assert.InRange(early.RetryAfterSeconds ?? 0, 1, 2);

        time.Advance(TimeSpan.FromSeconds(1.3)); // past the longest first backoff (1 s + 20 % jitter)
        var buckets = await h.Remote.ListBucketsAsync(default);
        Assert.Contains(buckets, b => b.Name == "bucket-one");
    }

    /// <summary>The audit log (SQLite) refuses every write, as a full or read-only disk would.</summary>
    private sealed class UnwritableAuditLog(IWitnessSink inner) : IWitnessSink
    {
        public LogCheckpoint Checkpoint => inner.Checkpoint;
        public Task AppendHeadAsync(HeadBatch batch, IReadOnlyList<HeadEntry> entries) => Task.FromException(new IOException("test: the audit database cannot be written"));
        public Task AppendEntryAsync(WitnessRecord entry) => Task.FromException(new IOException("test: the audit database cannot be written"));
    }

    [Fact]
    public async Task An_answer_whose_audit_entry_cannot_be_made_durable_is_not_released()
    {
        // The host is honest and its heads verify: the only fault is the gateway's own audit log.
        await using var h = ChannelHarness.Create(witnesses: audit => new UnwritableAuditLog(audit));
        await h.Store.CreateBucketAsync("bucket-one", default);
        await h.Store.PutObjectAsync("bucket-one", "obj", new MemoryStream(Data), new PutObjectOptions(), default);
        await AssertBufferedCallFailsAsync(h, WitnessFailure.AuditFailed);
        Assert.True(await h.Logs.WaitForAsync(9609, "(AuditFailed)"), h.Logs.Dump());
        Assert.False(h.Logs.Has(9609, "(BadSignature)") || h.Logs.Has(9603, "(NotIncluded)"), h.Logs.Dump());
        await AssertStreamedGetFailsAsync(h, WitnessFailure.AuditFailed);
    }

    public static TheoryData<string> SignedRefusals => new()
    {
        "WrongSession", "StatusMismatch", "DigestMismatch:response", "DigestMismatch:headers", "Malformed:version", "Malformed:trailing",
    };

    /// <summary>
    /// The host commits the wrong witness to its own tree and signs a valid, chained head over it (RewriteWitness), so
    /// the field under test is the only thing wrong: both a buffered and a streamed call are refused with that reason.
    /// </summary>
    [Theory]
    [MemberData(nameof(SignedRefusals))]
    public async Task A_witness_the_host_signed_into_its_log_that_is_wrong_in_one_field_is_refused_for_it(string variant)
    {
        var reason = Enum.Parse<WitnessFailure>(variant.Split(':')[0]);
        await using var h = await WithObjectAsync(host =>
        {
            switch (variant)
            {
                case "WrongSession": host.RewriteWitness = w => w with { TranscriptHash = SHA256.HashData("another session"u8) }; break;
                case "StatusMismatch": host.RewriteWitness = w => w with { Status = "not-found" }; break;
                case "DigestMismatch:response": host.RewriteWitness = w => w with { ResponseBodySha256 = SHA256.HashData("other"u8) }; break;
                case "DigestMismatch:headers": host.RewriteWitness = w => w with { HeadersSha256 = SHA256.HashData("other"u8) }; break;
                case "Malformed:version": host.RewriteWitnessBytes = b => [0x7F, .. b.AsSpan(1)]; break;
                case "Malformed:trailing": host.RewriteWitnessBytes = b => [.. b, 0x00]; break;
            }
        });
        await AssertBufferedCallFailsAsync(h, reason);
        Assert.True(await h.Logs.WaitForAsync(9603, $"({reason})"), h.Logs.Dump());
        await AssertStreamedGetFailsAsync(h, reason);
        // Every head verified: no head was refused, so nothing but the witness failed.
        Assert.False(h.Logs.Has(9609, "("), h.Logs.Dump());
        // The refused witnesses are leaves of the signed tree, so the audit log records them with the reason; an
        // undecodable one too (refused:malformed, its raw bytes kept), so `audit verify` finds no leaf without an entry.
        var outcome = WitnessRecord.Refused(reason);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await h.Audit.ReadAsync(0, 10, default)).Count(e => e.Outcome == outcome) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"not both refusals recorded as {outcome}");
            await Task.Delay(20); // polling interval of a bounded wait
        }
        Assert.True(AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]).Ok);
    }

    [Fact]
    public async Task A_witness_that_lies_about_the_request_body_is_refused()
    {
        await using var h = await WithObjectAsync(host => host.RewriteWitness = w => w.Operation.EndsWith(".put-object", StringComparison.Ordinal)
            ? w with { RequestBodySha256 = SHA256.HashData("other"u8) } : w);
        var e = await Assert.ThrowsAsync<WitnessFailedException>(() =>
            h.Remote.PutObjectAsync("bucket-one", "uploaded", new MemoryStream(Data), new PutObjectOptions(), default));
        Assert.Equal(WitnessFailure.DigestMismatch, e.Reason);
        Assert.Equal(ErrorCode.WitnessFailed, e.Code);
        Assert.Equal(502, e.Code.HttpStatus());
    }
}
