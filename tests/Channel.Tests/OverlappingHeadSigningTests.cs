using System.Security.Cryptography;
using Gateway.Channel.Audit;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>
/// The bridge host signs up to <see cref="TreeHeadSigner.SignaturesInFlight"/> tree heads at once, but publishes them
/// strictly in order, each chained to the one before, and never past a head that failed.
/// </summary>
public class OverlappingHeadSigningTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>A signer whose published heads are recorded in order; <paramref name="sign"/> replaces the real signature step.</summary>
    private sealed class Log
    {
        private readonly Lock _lock = new();
        public readonly List<HeadBatch> Published = [];
        public readonly TaskCompletionSource<Exception> Failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TreeHeadSigner Signer;
        private readonly List<(long Size, TaskCompletionSource<HeadBatch> Done)> _waits = [];

        public Log(int inFlight, Func<SignedTreeHead, SignedTreeHead>? sign = null)
        {
            Signer = new TreeHeadSigner(TestKeys.Host, Publish, e => Failed.TrySetResult(e), inFlight) { SignHead = sign };
        }

        private ValueTask Publish(HeadBatch batch)
        {
            lock (_lock)
            {
                Published.Add(batch);
                foreach (var (size, done) in _waits) if (batch.Head.TreeSize >= size) done.TrySetResult(batch);
            }
            return ValueTask.CompletedTask;
        }

        /// <summary>Completes when a head of at least <paramref name="size"/> leaves is published.</summary>
        public Task<HeadBatch> CoveredAsync(long size)
        {
            var done = new TaskCompletionSource<HeadBatch>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                if (Published.LastOrDefault() is { } last && last.Head.TreeSize >= size) return Task.FromResult(last);
                _waits.Add((size, done));
            }
            return done.Task.WaitAsync(Patience);
        }

        public List<HeadBatch> Snapshot() { lock (_lock) return [.. Published]; }
    }

    private static byte[] Leaf(int i) => MerkleTree.LeafHash(BitConverter.GetBytes(i));

    /// <summary>What the gateway checks, in order: signature, chain, the batch starts where the last ended, the root.</summary>
    private static void AssertVerifiableChain(IReadOnlyList<HeadBatch> heads, int leaves)
    {
        var frontier = new MerkleFrontier();
        var previous = new byte[32];
        foreach (var batch in heads)
        {
            Assert.True(batch.Head.VerifySignature(TestKeys.Host.PublicKey));
            Assert.Equal(previous, batch.Head.PreviousHeadHash);
            Assert.Equal(frontier.Size, batch.FirstIndex);
            foreach (var leaf in batch.Leaves)
            {
                Assert.Equal(Leaf((int)frontier.Size), leaf);
                frontier.Append(leaf);
            }
            Assert.Equal(frontier.Size, batch.Head.TreeSize);
            Assert.Equal(frontier.Root(), batch.Head.RootHash);
            previous = batch.Head.Hash();
        }
        Assert.Equal(leaves, frontier.Size);
    }

    [Fact]
    public async Task Heads_signed_at_once_are_published_in_order_chained_and_cover_every_leaf()
    {
        var signing = 0;
        var mostAtOnce = 0;
        using var firstStarted = new ManualResetEventSlim();
        using var secondStarted = new ManualResetEventSlim();
        var log = new Log(2, head =>
        {
            var now = Interlocked.Increment(ref signing);
            InterlockedMax(ref mostAtOnce, now);
            if (now > 1) secondStarted.Set();
            try
            {
                // The first head waits for a second signature to start, so the two overlap for sure.
                if (head.TreeSize == 1)
                {
                    firstStarted.Set();
                    secondStarted.Wait(Patience);
                }
                return head.SignWith(TestKeys.Host);
            }
            finally { Interlocked.Decrement(ref signing); }
        });
        const int leaves = 400;
        Assert.Equal(0, log.Signer.Append(Leaf(0)));
        log.Signer.RequestHead();
        Assert.True(firstStarted.Wait(Patience));
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 7).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < (leaves - 1) / 7; i++)
            {
                lock (log)
                {
                    var index = Interlocked.Increment(ref next);
                    Assert.Equal(index, log.Signer.Append(Leaf(index)));
                }
                log.Signer.RequestHead();
            }
        })));
        await log.CoveredAsync(leaves);
        Assert.Equal(2, mostAtOnce);
        var heads = log.Snapshot();
        AssertVerifiableChain(heads, leaves);
        Assert.True(heads.Count < leaves, $"{heads.Count} heads for {leaves} leaves: signing did not batch");
        Assert.False(log.Failed.Task.IsCompleted);
    }

    [Fact]
    public async Task A_head_whose_signature_finishes_first_waits_for_its_predecessor()
    {
        using var firstStarted = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        var log = new Log(2, head =>
        {
            if (head.TreeSize == 1)
            {
                firstStarted.Set();
                releaseFirst.Wait(Patience);
            }
            return head.SignWith(TestKeys.Host);
        });
        log.Signer.Append(Leaf(0));
        log.Signer.RequestHead();
        Assert.True(firstStarted.Wait(Patience));
        log.Signer.Append(Leaf(1));
        log.Signer.RequestHead();
        // The second head is signed while the first is still being signed, and is held back.
        Assert.True(SpinWait.SpinUntil(() => log.Signer.HeadsAwaitingPublication == 1, Patience), "the second head was not signed while the first was");
        Assert.Empty(log.Snapshot());
        releaseFirst.Set();
        await log.CoveredAsync(2);
        var heads = log.Snapshot();
        Assert.Equal([1L, 2L], heads.Select(b => b.Head.TreeSize));
        AssertVerifiableChain(heads, 2);
    }

    [Fact]
    public async Task A_failed_signature_breaks_the_log_and_no_later_head_is_published()
    {
        using var firstStarted = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        var log = new Log(2, head =>
        {
            if (head.TreeSize != 1) return head.SignWith(TestKeys.Host);
            firstStarted.Set();
            releaseFirst.Wait(Patience);
            throw new CryptographicException("test: the first signature fails");
        });
        log.Signer.Append(Leaf(0));
        log.Signer.RequestHead();
        Assert.True(firstStarted.Wait(Patience));
        log.Signer.Append(Leaf(1));
        log.Signer.RequestHead();
        Assert.True(SpinWait.SpinUntil(() => log.Signer.HeadsAwaitingPublication == 1, Patience), "the second head was not signed while the first was");
        releaseFirst.Set();
        var failure = await log.Failed.Task.WaitAsync(Patience);
        Assert.IsType<CryptographicException>(failure);
        // The second head was signed, but it chains to a head that never went out: it is dropped, not sent.
        Assert.Empty(log.Snapshot());
        Assert.Equal(0, log.Signer.HeadsAwaitingPublication);
        // And nothing is signed any more.
        log.Signer.Append(Leaf(2));
        log.Signer.RequestHead();
        log.Signer.ResignIfIdle(TimeSpan.Zero);
        Assert.True(SpinWait.SpinUntil(() => log.Signer.Workers == 0, Patience));
        Assert.Empty(log.Snapshot());
    }

    [Fact]
    public async Task One_signature_at_a_time_when_configured_so()
    {
        var signing = 0;
        var mostAtOnce = 0;
        var log = new Log(1, head =>
        {
            InterlockedMax(ref mostAtOnce, Interlocked.Increment(ref signing));
            try { return head.SignWith(TestKeys.Host); }
            finally { Interlocked.Decrement(ref signing); }
        });
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 25; i++)
            {
                lock (log) log.Signer.Append(Leaf((int)log.Signer.Size));
                log.Signer.RequestHead();
            }
        })));
        await log.CoveredAsync(100);
        Assert.Equal(1, mostAtOnce);
        AssertVerifiableChain(log.Snapshot(), 100);
    }

    [Fact]
    public async Task The_idle_re_sign_waits_while_a_head_is_being_signed()
    {
        using var releaseFirst = new ManualResetEventSlim();
        var signatures = 0;
        var log = new Log(2, head =>
        {
            Interlocked.Increment(ref signatures);
            if (head.TreeSize == 1) releaseFirst.Wait(Patience);
            return head.SignWith(TestKeys.Host);
        });
        log.Signer.Append(Leaf(0));
        log.Signer.RequestHead();
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref signatures) == 1, Patience));
        // A head is being signed: the idle re-sign does not start a second one.
        log.Signer.ResignIfIdle(TimeSpan.Zero);
        Assert.Equal(1, log.Signer.Workers);
        releaseFirst.Set();
        var first = await log.CoveredAsync(1);
        Assert.True(SpinWait.SpinUntil(() => log.Signer.Workers == 0, Patience));
        Assert.Equal(1, Volatile.Read(ref signatures));
        // Idle now: the re-signed head has the same size and root, and chains to the first.
        log.Signer.ResignIfIdle(TimeSpan.Zero);
        Assert.True(SpinWait.SpinUntil(() => log.Snapshot().Count == 2, Patience));
        var again = log.Snapshot()[1];
        Assert.Equal(first.Head.TreeSize, again.Head.TreeSize);
        Assert.Equal(first.Head.RootHash, again.Head.RootHash);
        Assert.Equal(first.Head.Hash(), again.Head.PreviousHeadHash);
        Assert.Empty(again.Leaves);
    }

    [Fact]
    public void The_number_of_signatures_at_once_is_bounded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TreeHeadSigner(TestKeys.Host, _ => ValueTask.CompletedTask, _ => { }, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TreeHeadSigner(TestKeys.Host, _ => ValueTask.CompletedTask, _ => { }, TreeHeadSigner.MaxSignaturesInFlight + 1));
        Assert.InRange(new TreeHeadSigner(TestKeys.Host, _ => ValueTask.CompletedTask, _ => { }).SignaturesInFlight, 1, 2);
    }

    [Fact]
    public async Task A_host_whose_head_signature_fails_fails_the_call_and_the_log_stays_verifiable()
    {
        var heads = 0;
        await using var h = ChannelHarness.Create(configureHost: host => host.SignHead = head =>
            Interlocked.Increment(ref heads) == 2 ? throw new CryptographicException("test: a signature fails") : head.SignWith(TestKeys.Host));
        await h.Store.CreateBucketAsync("bucket-one", default);
        await h.Store.PutObjectAsync("bucket-one", "obj", new MemoryStream(new byte[100]), new PutObjectOptions(), default);
        await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default);
        var e = await Assert.ThrowsAsync<WitnessFailedException>(() => h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default));
        Assert.Contains(e.Reason, new[] { WitnessFailure.HeadMissing, WitnessFailure.Missing });
        Assert.Equal(502, e.Code.HttpStatus());
        // The next call runs on a new session that continues the log the gateway verified.
        await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default);
        var result = AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]);
        Assert.True(result.Ok, result.Problem);
    }

    [Fact]
    public async Task Concurrent_calls_through_the_channel_each_get_a_covering_head_with_two_signatures_at_once()
    {
        await using var h = ChannelHarness.Create(configureHost: host => host.HeadSignaturesInFlight = 2);
        await h.Store.CreateBucketAsync("bucket-one", default);
        await h.Store.PutObjectAsync("bucket-one", "obj", new MemoryStream(new byte[100]), new PutObjectOptions(), default);
        await Task.WhenAll(Enumerable.Range(0, 128).Select(_ => h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default)));
        var entries = await h.Audit.ReadAsync(0, 1000, default);
        Assert.Equal(128, entries.Count);
        Assert.All(entries, e => Assert.Equal(WitnessRecord.Released, e.Outcome));
        var result = AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]);
        Assert.True(result.Ok, result.Problem);
        Assert.Equal(128, result.TreeSize);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }
}
