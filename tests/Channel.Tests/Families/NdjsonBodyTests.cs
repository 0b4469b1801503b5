using System.Runtime.CompilerServices;
using Gateway.Channel.Families;

namespace Gateway.Channel.Tests.Families;

/// <summary>
/// The body a bridge host streams a log as. The official CI of session 43 failed once on a Docker log the caller hung
/// up on: the body, disposed while its producer was fetching the next line, disposed the producer during that read,
/// which an async iterator refuses (NotSupportedException), and the bridge host logged the call as unfinished at Error.
/// </summary>
public sealed class NdjsonBodyTests
{
    [Fact]
    public async Task Disposing_the_body_while_the_next_item_is_being_fetched_waits_for_it_then_ends_the_producer()
    {
        var fetching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var items = Produce(fetching, ended, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await items.MoveNextAsync());

        var body = NdjsonBody.Of(items, hasFirst: true, stop);
        await fetching.Task;
        await body.DisposeAsync();

        Assert.True(ended.Task.IsCompleted, "the producer was not disposed");
    }

    /// <summary>A first item larger than the body buffers (its flush waits for a reader), then a fetch that ends a moment after it is cancelled.</summary>
    private static async IAsyncEnumerable<string> Produce(TaskCompletionSource fetching, TaskCompletionSource ended,
        [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            yield return new string('x', 1 << 20);
            fetching.SetResult();
            await Task.Delay(TimeSpan.FromMilliseconds(300), CancellationToken.None);
            ct.ThrowIfCancellationRequested();
            yield return "never read";
        }
        finally { ended.SetResult(); }
    }
}
