using System.Security.Cryptography;
using Gateway.Channel.Framing;
using Gateway.Channel.Witnesses;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Channel.Tests;

/// <summary>
/// A bridge host that signs a good head and dies (or a network that cuts) right after sending it: the head arrived,
/// so the gateway checks it before it closes the session, and the calls it covers are released as if the host had
/// lived. Until session 46 the close came first and failed them as head-missing (502 and security event 9603) while
/// the head sat unchecked in the queue (the session-45 review's leftover).
/// </summary>
public sealed class HostLostWhileHeadCheckedTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static Witness WitnessOf(string requestId) => new()
    {
        RequestId = requestId, Operation = "object-storage.get-object", Target = "local/bucket-one/a.txt", Status = "ok",
        RequestBodySha256 = SHA256.HashData(Array.Empty<byte>()), ResponseBodySha256 = SHA256.HashData("hello"u8),
        HeadersSha256 = new byte[32],
        StartedAt = Witness.TruncateToMicros(DateTimeOffset.UtcNow), CompletedAt = Witness.TruncateToMicros(DateTimeOffset.UtcNow),
        TranscriptHash = new byte[32],
    };

    /// <summary>The host's side: signs one head over <paramref name="leaves"/>, as its log would.</summary>
    private static async Task<byte[]> SignedHeadOver(params byte[][] leaves)
    {
        var published = new TaskCompletionSource<HeadBatch>(TaskCreationOptions.RunContinuationsAsynchronously);
        var signer = new TreeHeadSigner(TestKeys.Host, b => { published.TrySetResult(b); return ValueTask.CompletedTask; }, e => published.TrySetException(e));
        foreach (var leaf in leaves) signer.Append(leaf);
        signer.RequestHead();
        return (await published.Task.WaitAsync(Long)).Encode();
    }

    private static SessionLog Attached(TestLoggerFactory? logs = null)
    {
        var log = new SessionLog(sink: null, headTimeout: Long, logs?.CreateLogger("test") ?? NullLogger.Instance, "test-host", witnessTimeout: Long);
        log.Attach(TestKeys.Host.PublicKey, _ => { });
        return log;
    }

    private static ChannelProtocolException Cut() => new(ChannelCloseReason.PeerClosed, "test: the host went away");

    [Fact]
    public async Task A_call_whose_good_head_came_just_before_the_host_died_is_released()
    {
        var witness = WitnessOf("req-covered");
        var head = await SignedHeadOver(witness.LeafHash());
        var log = Attached();
        var call = log.SubmitAsync(0, witness.Encode(), witness, WitnessRecord.Released, release: true, CancellationToken.None);

        // The read loop hands over the head and, with no frame after it, closes the session at once.
        log.OnHead(head);
        log.Close(Cut());

        await call.WaitAsync(Long);
        Assert.Equal(1, log.Size);
    }

    [Fact]
    public async Task A_head_that_covers_a_witness_that_never_came_releases_nothing_and_its_calls_are_lost_not_refused()
    {
        var delivered = WitnessOf("req-delivered");
        var neverSent = WitnessOf("req-never-sent");
        var head = await SignedHeadOver(delivered.LeafHash(), neverSent.LeafHash());
        var logs = new TestLoggerFactory();
        var log = Attached(logs);
        var call = log.SubmitAsync(0, delivered.Encode(), delivered, WitnessRecord.Released, release: true, CancellationToken.None);

        log.OnHead(head);
        log.Close(Cut());

        // Not after the witness timeout (30 s): the connection is gone, so the missing WITNESS frame is not waited for.
        var failure = await Assert.ThrowsAsync<ChannelProtocolException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ChannelCloseReason.PeerClosed, failure.Reason);
        Assert.Equal(0, log.Size);
        // Said, though not as a security event (a host that crashed between signing and sending looks the same).
        Assert.True(logs.Has(Gateway.Contracts.Diagnostics.EventIds.HeadUncommittedOnLoss, "the WITNESS frame of leaf 1 came"), logs.Dump());
        Assert.DoesNotContain(logs.Events, e => e.Message.Contains("security event", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_forged_head_that_came_just_before_the_cut_still_fails_closed()
    {
        var witness = WitnessOf("req-forged");
        var forged = await SignedHeadOver(witness.LeafHash());
        forged[^1] ^= 0x01;
        var log = Attached();
        var call = log.SubmitAsync(0, witness.Encode(), witness, WitnessRecord.Released, release: true, CancellationToken.None);

        log.OnHead(forged);
        log.Close(Cut());

        await Assert.ThrowsAsync<WitnessFailedException>(() => call.WaitAsync(Long));
        Assert.Equal(0, log.Size);
    }
}
