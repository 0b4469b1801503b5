using Gateway.Migrations;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// The progress stream paces its lines but must send the one saying a run ended at once: it waits on
/// <see cref="MigrationProgress.RunEnd"/>, which item changes do not complete and the end of a run does.
/// </summary>
public sealed class MigrationProgressTests
{
    [Fact]
    public void A_run_end_wakes_both_signals_and_an_item_change_only_the_change_signal()
    {
        var progress = new MigrationProgress();
        var change = progress.NextChange("mig_a");
        var end = progress.RunEnd("mig_a");
        var otherEnd = progress.RunEnd("mig_b");

        progress.Changed("mig_a");
        Assert.True(change.IsCompleted);
        Assert.False(end.IsCompleted);

        var nextChange = progress.NextChange("mig_a");
        Assert.False(nextChange.IsCompleted);
        progress.RunEnded("mig_a");
        Assert.True(end.IsCompleted);
        Assert.True(nextChange.IsCompleted);
        Assert.False(otherEnd.IsCompleted);

        // Each wait is for the next end: a later run's end is a new signal.
        Assert.False(progress.RunEnd("mig_a").IsCompleted);
    }
}
