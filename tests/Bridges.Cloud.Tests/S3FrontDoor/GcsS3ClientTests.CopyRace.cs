using Gateway.Bridges.Cloud.Tests.Gcs;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.S3FrontDoor;

public sealed partial class GcsS3ClientTests
{
    /// <summary>
    /// A copy that depends on the source read (REPLACE: the front door carries the source's tags) is pinned to it; the
    /// source is replaced between the front door's read and the bridge's, so the bridge refuses the pin. The copy starts
    /// again from a fresh read and copies the current source; before, the client got 412 PreconditionFailed for a
    /// condition it never set.
    /// </summary>
    [Fact]
    public async Task A_pinned_copy_whose_source_is_replaced_meanwhile_copies_the_current_source()
    {
        var source = "copy-race/source-" + Guid.NewGuid().ToString("N")[..8];
        var path = "/o/" + Uri.EscapeDataString(source);
        var metadataReads = 0;
        using var emulator = new HttpClient();
        Endpoint.Value.BeforeForward = async (method, raw) =>
        {
            // The source's own resource: not the copy's (whose name starts with the source's), not a rewrite, not its bytes.
            var end = raw.IndexOf('?') is >= 0 and var q ? q : raw.Length;
            if (method != "GET" || !raw[..end].EndsWith(path, StringComparison.Ordinal) || raw.Contains("alt=media", StringComparison.Ordinal)) return;
            // The first read is the front door's, the second the bridge's: the source changes in between.
            if (Interlocked.Increment(ref metadataReads) != 2) return;
            using var content = new ByteArrayContent("the replaced source"u8.ToArray());
            using var put = await emulator.PostAsync(
                $"{CloudBackends.GcsEndpoint}/upload/storage/v1/b/{Bucket}/o?uploadType=media&name={Uri.EscapeDataString(source)}", content);
            put.EnsureSuccessStatusCode();
        };
        try
        {
            var run = await Clients.PythonAsync(BotoPrelude + "\n" + """
                import hashlib
                SOURCE = os.environ["SOURCE"]
                s3.put_object(Bucket=BUCKET, Key=SOURCE, Body=b"the first source")
                copied = s3.copy_object(Bucket=BUCKET, Key=SOURCE + "-copy", CopySource=f"{BUCKET}/{SOURCE}",
                                        MetadataDirective="REPLACE", Metadata={"kept": "yes"})
                replaced = b"the replaced source"
                assert copied["CopyObjectResult"]["ETag"] == '"' + hashlib.md5(replaced).hexdigest() + '"', copied
                got = s3.get_object(Bucket=BUCKET, Key=SOURCE + "-copy")
                assert got["Body"].read() == replaced and got["Metadata"] == {"kept": "yes"}, got
                print("OK")
                """, [Bucket], new Dictionary<string, string?> { ["SOURCE"] = source });
            Assert.True(run.ExitCode == 0 && run.Stdout.TrimEnd().EndsWith("OK"), $"copy raced by a replacement: {run}");
            Assert.True(metadataReads >= 4, $"the source's metadata was read {metadataReads} times; the race was not staged");
        }
        finally
        {
            Endpoint.Value.BeforeForward = null;
        }
    }
}
