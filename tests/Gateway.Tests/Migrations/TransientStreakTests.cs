using Gateway.Migrations;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// When a run stops as interrupted: after <c>InterruptAfterFailures</c> transient failures with no object moved or skipped
/// in between. A failure on the object's own account (a refusal) neither counts nor starts the count again.
/// </summary>
public sealed class TransientStreakTests
{
    private static readonly ItemOutcome Outage = new(MigrationItemStates.Failed, MigrationItemStates.Copy, null, "unavailable: the store did not answer");
    private static readonly ItemOutcome Refused = new(MigrationItemStates.Failed, MigrationItemStates.Copy, null, "forbidden: refused");
    private static readonly ItemOutcome Copied = new(MigrationItemStates.Done, MigrationItemStates.Copy, null, null);
    private static readonly ItemOutcome Skipped = new(MigrationItemStates.Skipped, MigrationItemStates.Identical, null, null);

    [Fact]
    public void Refusals_between_outages_neither_reset_nor_count_and_the_limit_is_reached_at_the_setting()
    {
        using var stop = new CancellationTokenSource();
        var streak = new TransientStreak(3, stop);

        streak.Ended(Outage, transient: true);
        streak.Ended(Refused, transient: false);
        streak.Ended(Outage, transient: true);
        streak.Ended(Refused, transient: false);
        streak.Ended(Refused, transient: false);
        Assert.False(streak.Reached); // two transient failures; the refusals did not count
        Assert.False(stop.IsCancellationRequested);

        streak.Ended(Outage, transient: true);
        Assert.True(streak.Reached);
        Assert.True(stop.IsCancellationRequested);
        Assert.Equal(Outage.Error, streak.LastError);
    }

    [Theory]
    [InlineData(MigrationItemStates.Done)]
    [InlineData(MigrationItemStates.Skipped)]
    public void An_object_that_ended_well_starts_the_count_again(string state)
    {
        using var stop = new CancellationTokenSource();
        var streak = new TransientStreak(2, stop);

        streak.Ended(Outage, transient: true);
        streak.Ended(state == MigrationItemStates.Done ? Copied : Skipped, transient: false);
        streak.Ended(Outage, transient: true);
        Assert.False(streak.Reached);

        streak.Ended(Outage, transient: true);
        Assert.True(streak.Reached);
    }
}
