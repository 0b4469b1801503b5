using System.Security.Cryptography;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>
/// Issue 12 item 1: every call that reached a bridge leaves an audit entry. A GET whose caller hangs up halfway
/// through the body is recorded with outcome "abandoned" under a signed head, not lost.
/// </summary>
public class AbandonedCallAuditTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_get_the_caller_aborts_halfway_is_still_audited_as_abandoned(bool tcp)
    {
        await using var h = ChannelHarness.Create(tcp: tcp);
        var store = h.Remote;
        await store.CreateBucketAsync("abandon", default);
        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        await store.PutObjectAsync("abandon", "big.bin", new MemoryStream(data), new PutObjectOptions(), default);

        await using (var content = await store.GetObjectAsync("abandon", "big.bin", new GetObjectOptions(), default))
        {
            var part = new byte[256 * 1024];
            await content.Body.ReadExactlyAsync(part);
            Assert.Equal(data.AsSpan(0, part.Length).ToArray(), part);
        } // hung up with most of the body unread

        var abandoned = await AuditWait.ForEntryAsync(h.Audit, e => e.Operation == "object-storage.get-object", "the abandoned call");
        Assert.Equal(WitnessRecord.Abandoned, abandoned.Outcome);
        // Later calls still go through and are released as usual.
        var listing = await store.ListObjectsAsync("abandon", new ListObjectsRequest(), default);
        Assert.Single(listing.Objects);
        var entries = await h.Audit.ReadAsync(0, 100, default);
        Assert.Equal(WitnessRecord.Released, entries.Single(e => e.Operation == "object-storage.list-objects").Outcome);
    }
}
