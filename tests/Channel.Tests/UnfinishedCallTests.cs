using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>
/// A fault on the bridge host after the handler has answered (here: a witness too long to encode) resets the call's
/// stream at once: the caller gets an error, not a wait for a witness that never comes, and the host logs why.
/// </summary>
public class UnfinishedCallTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_witness_the_host_cannot_encode_fails_the_call_at_once(bool streamedBody)
    {
        // The witness timeout is far beyond the test's own bound: only the reset can end the call in time.
        await using var h = ChannelHarness.Create(witnessTimeout: TimeSpan.FromMinutes(10),
            configureHost: host => host.RewriteWitness = w => w with { Target = new string('x', 5000) });
        await h.Store.CreateBucketAsync("bucket-one", default);
        await h.Store.PutObjectAsync("bucket-one", "obj", new MemoryStream(new byte[1000]), new PutObjectOptions(), default);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            if (!streamedBody) await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, bound.Token);
            else
            {
                await using var content = await h.Remote.GetObjectAsync("bucket-one", "obj", new GetObjectOptions(), bound.Token);
                await content.Body.CopyToAsync(Stream.Null, bound.Token);
            }
        });
        Assert.False(bound.IsCancellationRequested, $"the call waited for a witness that could never come: {failure}");
        // Before the body, the reset is the call's error; within it, the body breaks as on any reset.
        if (streamedBody) Assert.True(failure is GatewayException or Framing.ChannelStreamResetException, failure.ToString());
        else Assert.IsAssignableFrom<GatewayException>(failure);
        Assert.True(await h.Logs.WaitForAsync(Contracts.Diagnostics.EventIds.CallUnfinished, "could not finish call"), h.Logs.Dump());
    }
}
