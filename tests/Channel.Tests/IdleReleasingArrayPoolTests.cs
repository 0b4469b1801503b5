using Gateway.Contracts.IO;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Channel.Tests;

/// <summary>The pool behind the channel's frames and the cloud bridges' part buffers.</summary>
public class IdleReleasingArrayPoolTests
{
    private const int Size = 64 * 1024;

    [Fact]
    public void Buffers_are_reused_while_in_use_and_let_go_after_an_idle_period()
    {
        var time = new FakeTimeProvider();
        using var pool = new IdleReleasingArrayPool(Size, perSize: 4, TimeSpan.FromSeconds(10), time);
        var first = pool.Rent(Size);
        pool.Return(first);

        // Busy: every period sees a rent and a return, so the same buffer comes back each time.
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(6));
            var again = pool.Rent(Size);
            Assert.Same(first, again);
            pool.Return(again);
        }
        Assert.Equal(0, pool.Releases);

        // A whole period without use lets the buffer go: the next rent gets a new one.
        time.Advance(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, pool.Releases);
        var fresh = pool.Rent(Size);
        Assert.NotSame(first, fresh);
        pool.Return(fresh);

        // One more release for the fresh buffer, then none while the pool holds nothing.
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(2, pool.Releases);
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(2, pool.Releases);
    }

    [Fact]
    public void A_buffer_out_during_a_release_may_still_be_returned_and_the_pool_goes_on()
    {
        var time = new FakeTimeProvider();
        using var pool = new IdleReleasingArrayPool(Size, perSize: 4, TimeSpan.FromSeconds(10), time);
        var pooled = pool.Rent(Size);
        var held = pool.Rent(Size);
        pool.Return(pooled);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, pool.Releases);

        pool.Return(held);
        var next = pool.Rent(Size);
        Assert.NotSame(pooled, next);
        Assert.Equal(Size, next.Length);
        pool.Return(next);
        Assert.Same(next, pool.Rent(Size));
    }

    [Fact]
    public void It_keeps_no_more_than_its_bound_per_size()
    {
        using var pool = new IdleReleasingArrayPool(Size, perSize: 2, TimeSpan.FromMinutes(10));
        var rented = Enumerable.Range(0, 3).Select(_ => pool.Rent(Size)).ToArray();
        foreach (var b in rented) pool.Return(b);
        var again = Enumerable.Range(0, 3).Select(_ => pool.Rent(Size)).ToArray();
        Assert.Equal(2, again.Count(b => rented.Contains(b)));
    }
}
