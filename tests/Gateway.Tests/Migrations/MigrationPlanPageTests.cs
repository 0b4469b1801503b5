using Gateway.Migrations;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// Planning a listed page reads the states the job already holds for it with one range query: a resumed listing must
/// still see every key it planned, whatever the key's characters (SQLite orders text by UTF-8 bytes, .NET strings by
/// UTF-16 code units, and the two differ for characters above U+FFFF against U+E000-U+FFFF).
/// </summary>
public sealed class MigrationPlanPageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("migration-plan-").FullName;

    [Fact]
    public void A_page_planned_again_returns_only_its_planned_and_failed_objects_and_plans_new_ones()
    {
        using var db = new MigrationDatabase(Path.Combine(_dir, "migrations.db"));
        // Listing order is not SQLite's order here: "\uE000" sorts after "😀" in UTF-16 and before it in UTF-8.
        var page = new[] { ("a/😀", 1L), ("a/\uE000", 2L), ("a/plain", 3L), ("a/ü", 4L), ("a/z", 5L) };

        var first = db.PlanPage("mig_p", page, o => o.Item1, o => o.Item2, MigrationItemStates.Copy);
        Assert.Equal(page, first);
        Assert.Equal(new MigrationCounters(5, 0, 0, 0), db.Totals("mig_p").Objects);

        db.FinishItem("mig_p", "a/😀", MigrationItemStates.Done, MigrationItemStates.Copy, 1, null, null);
        db.FinishItem("mig_p", "a/\uE000", MigrationItemStates.Skipped, MigrationItemStates.Identical, 2, null, null);
        db.FinishItem("mig_p", "a/ü", MigrationItemStates.Failed, MigrationItemStates.Copy, 4, null, "boom");
        // Another job's items in the same key range change nothing for this one.
        db.PlanPage("mig_other", page, o => o.Item1, o => o.Item2, MigrationItemStates.Copy);

        var again = db.PlanPage("mig_p", [.. page, ("a/zz-new", 6L)], o => o.Item1, o => o.Item2, MigrationItemStates.Copy);
        Assert.Equal([("a/plain", 3L), ("a/ü", 4L), ("a/z", 5L), ("a/zz-new", 6L)], again);
        Assert.Equal(new MigrationCounters(6, 1, 1, 1), db.Totals("mig_p").Objects);
        Assert.Equal(db.RecountTotals("mig_p"), db.Totals("mig_p"));
    }

    [Fact]
    public void A_key_listed_twice_in_one_page_is_moved_once_and_an_empty_page_plans_nothing()
    {
        using var db = new MigrationDatabase(Path.Combine(_dir, "migrations.db"));
        Assert.Equal(["k", "l"], db.PlanPage("mig_d", ["k", "k", "l"], k => k, _ => 1, MigrationItemStates.Copy));
        Assert.Empty(db.PlanPage("mig_d", Array.Empty<string>(), k => k, _ => 1, MigrationItemStates.Copy));
        Assert.Equal(2, db.Totals("mig_d").Objects.Planned);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
