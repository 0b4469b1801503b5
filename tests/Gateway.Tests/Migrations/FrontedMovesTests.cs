using Gateway.Contracts.ObjectStorage;
using Gateway.Migrations;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// The records of what moves left at a fronted pair's target (<see cref="FrontedCopies"/>), on a real migration database.
/// Two jobs may move one object at once: the one whose copy the other found identical must not lose it to the other's
/// clean-up (the session-48 review: a job whose source delete found the source gone removed its copy, which the other
/// job had just recorded as moved and whose source it had deleted).
/// </summary>
public sealed class FrontedMovesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fronted-moves-").FullName;

    private static ObjectInfo At(string key, string etag) => new() { Key = key, Size = 1, ETag = etag, LastModified = DateTimeOffset.UtcNow };

    [Fact]
    public void A_move_of_one_object_by_two_jobs_stays_recorded_as_the_first_jobs_and_only_a_jobs_own_record_is_forgotten()
    {
        using var db = new MigrationDatabase(Path.Combine(_dir, "migrations.db"));
        var first = new FrontedCopies(db, "new", "bkt", "mig_a");
        var second = new FrontedCopies(db, "NEW", "bkt", "mig_b");
        var copy = At("k", "\"e1\"");

        first.Moved("k", copy);
        second.Moved("k", copy);
        Assert.True(second.IsMovedByAnother(copy));
        Assert.False(first.IsMovedByAnother(copy));
        second.ForgetMove("k");
        Assert.True(first.IsMoved(copy));

        // Another version moved at the key is recorded as that job's; a job forgets its own record.
        var later = At("k", "\"e2\"");
        second.Moved("k", later);
        Assert.False(first.IsMoved(copy));
        Assert.True(first.IsMovedByAnother(later));
        second.Removed("k");
        Assert.False(first.IsMoved(later));
    }

    [Fact]
    public void A_moved_object_is_known_by_its_etag_whatever_time_the_target_states()
    {
        using var db = new MigrationDatabase(Path.Combine(_dir, "migrations.db"));
        var moves = new FrontedCopies(db, "new", "bkt", "mig_a");
        moves.Moved("k", At("k", "\"e1\""));
        Assert.True(moves.IsMoved(At("k", "\"e1\"") with { LastModified = DateTimeOffset.UtcNow.AddMinutes(5) }));
        Assert.False(moves.IsMoved(At("k", "\"e2\"")));
        Assert.False(moves.IsMoved(At("other", "\"e1\"")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
