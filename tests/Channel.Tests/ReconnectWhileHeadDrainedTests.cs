using System.Collections.Concurrent;
using Gateway.Channel.Framing;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Diagnostics;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>
/// A connection lost just after a good head came: the gateway still checks and writes that head (the drain,
/// HostLostWhileHeadCheckedTests). A call made meanwhile dials again at once; its new session starts from the log's
/// checkpoint, so it must not start before the drained head is written, or that head lands after the checkpoint the
/// new session continues from and breaks its first head (a false 9603). The session-46 review found the race; the
/// client waits for the old log to close before it dials. Here the drained head's write is held until a new session
/// reads the checkpoint, or, when none does (the fixed client waits), for a bounded window.
/// </summary>
public sealed class ReconnectWhileHeadDrainedTests
{
    private sealed class HeldSink(IWitnessSink inner) : IWitnessSink
    {
        private readonly TaskCompletionSource _checkpointRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;
        public volatile bool Armed;
        public ConcurrentQueue<string> Order { get; } = new();

        public LogCheckpoint Checkpoint
        {
            get
            {
                if (Armed)
                {
                    Order.Enqueue("new session's checkpoint read");
                    _checkpointRead.TrySetResult();
                }
                return inner.Checkpoint;
            }
        }

        public Task AppendHeadAsync(HeadBatch batch, IReadOnlyList<HeadEntry> entries)
        {
            if (Armed && Interlocked.Exchange(ref _held, 1) == 0)
            {
                // Held before the log takes it, as a slow check of the head would be (the audit log's checkpoint moves when
                // a head is handed to it, not when it commits). The window a fast reconnect had: long enough for a dial
                // on loopback, which needs no head of this log.
                Task.WhenAny(_checkpointRead.Task, Task.Delay(TimeSpan.FromSeconds(2))).Wait();
                Order.Enqueue("drained head written");
            }
            return inner.AppendHeadAsync(batch, entries);
        }

        public Task AppendEntryAsync(WitnessRecord entry) => inner.AppendEntryAsync(entry);
    }

    private static IEnumerable<byte[]> ForwardThenCut(byte[] frame)
    {
        yield return frame;
        throw new IOException("test: the connection is lost right after the head");
    }

    [Fact]
    public async Task A_call_that_dials_again_while_the_lost_sessions_head_is_written_starts_after_it()
    {
        HeldSink sink = null!;
        var cut = 0;
        var armed = false;
        await using var h = ChannelHarness.Create(relay: true, witnesses: audit => sink = new HeldSink(audit),
            configureRelay: relay => relay.Mutate = f => Volatile.Read(ref armed) && !f.ToHost && f.Header.Type == FrameType.Head
                && Interlocked.Exchange(ref cut, 1) == 0 ? ForwardThenCut(f.Bytes) : [f.Bytes]);
        var store = h.Remote;
        await store.CreateBucketAsync("drain", default);
        await store.PutObjectAsync("drain", "a.txt", new MemoryStream("a"u8.ToArray()), new PutObjectOptions(), default);

        sink.Armed = true;
        Volatile.Write(ref armed, true);
        var first = store.ListObjectsAsync("drain", new ListObjectsRequest(), default);
        await WaitUntilAsync(() => Volatile.Read(ref cut) == 1, "the connection to be cut after the head");
        var second = store.HeadObjectAsync("drain", "a.txt", ObjectConditions.None, default);

        Assert.Single((await first.WaitAsync(TimeSpan.FromSeconds(30))).Objects);
        Assert.Equal(1, (await second.WaitAsync(TimeSpan.FromSeconds(30))).Size);
        Assert.Equal(["drained head written", "new session's checkpoint read"], sink.Order.ToArray());
        // Both sessions' heads extend one log: a later call is witnessed and its head accepted as well.
        Assert.Single((await store.ListObjectsAsync("drain", new ListObjectsRequest(), default)).Objects);
        Assert.False(h.Logs.Has(EventIds.WitnessRejected, "CTP-96 security event"), h.Logs.Dump());
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Timed out waiting for " + what);
            await Task.Delay(10);
        }
    }
}
