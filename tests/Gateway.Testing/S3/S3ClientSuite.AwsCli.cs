using System.Net;
using System.Text.Json;
using Xunit;

namespace Gateway.Testing.S3;

public abstract partial class S3ClientSuite
{
    [Fact]
    public async Task Aws_cli_makes_copies_lists_syncs_removes_a_bucket_with_a_100MiB_multipart_upload()
    {
        var bucket = S3FrontDoor.NewBucketName();
        AssertOk(await Clients.AwsAsync("s3", "mb", $"s3://{bucket}"), "aws s3 mb");
        var big = await Clients.MakeFileAsync("big.bin", 100L * 1024 * 1024, seed: 17);
        AssertOk(await Clients.AwsAsync("s3", "cp", big, $"s3://{bucket}/large/big.bin", "--only-show-errors"), "aws s3 cp up");

        var head = await Clients.AwsAsync("s3api", "head-object", "--bucket", bucket, "--key", "large/big.bin");
        AssertOk(head, "aws s3api head-object");
        using (var doc = JsonDocument.Parse(head.Stdout))
        {
            Assert.Equal(100L * 1024 * 1024, doc.RootElement.GetProperty("ContentLength").GetInt64());
            // The CLI uploads 100 MiB in 8 MiB parts: S3's multipart ETag is md5-of-md5s-13.
            Assert.EndsWith("-13\"", doc.RootElement.GetProperty("ETag").GetString());
        }
        var down = Path.Combine(Clients.WorkDirectory, "down.bin");
        AssertOk(await Clients.AwsAsync("s3", "cp", $"s3://{bucket}/large/big.bin", down, "--only-show-errors"), "aws s3 cp down");
        Assert.Equal(Sha256Of(big), Sha256Of(down));

        var tree = Path.Combine(Clients.WorkDirectory, "tree");
        await Clients.MakeFileAsync("tree/a.txt", 10, 1);
        await Clients.MakeFileAsync("tree/sub/b.txt", 2000, 2);
        await Clients.MakeFileAsync("tree/sub/deeper/c.txt", 0, 3);
        // Stores keep whole-second LastModified; files stamped a minute back keep "local newer than remote" from
        // depending on which sub-second the upload landed in.
        foreach (var f in Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories)) File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddMinutes(-1));
        AssertOk(await Clients.AwsAsync("s3", "sync", tree, $"s3://{bucket}/tree", "--only-show-errors"), "aws s3 sync");
        var ls = await Clients.AwsAsync("s3", "ls", $"s3://{bucket}/tree/", "--recursive");
        AssertOk(ls, "aws s3 ls");
        foreach (var key in new[] { "tree/a.txt", "tree/sub/b.txt", "tree/sub/deeper/c.txt" }) Assert.Contains(key, ls.Stdout);
        // A second sync finds nothing to do: sizes and times agree.
        var again = await Clients.AwsAsync("s3", "sync", tree, $"s3://{bucket}/tree");
        AssertOk(again, "aws s3 sync again");
        Assert.DoesNotContain("upload:", again.Stdout);

        AssertOk(await Clients.AwsAsync("s3", "rm", $"s3://{bucket}", "--recursive", "--only-show-errors"), "aws s3 rm --recursive");
        AssertOk(await Clients.AwsAsync("s3", "rb", $"s3://{bucket}"), "aws s3 rb");
        // Gone from ListBuckets (HeadBucket is not asked: the GCS emulator lists objects of any bucket name).
        var buckets = await Clients.AwsAsync("s3", "ls");
        AssertOk(buckets, "aws s3 ls");
        Assert.DoesNotContain(bucket, buckets.Stdout);
        Assert.Contains(Bucket, buckets.Stdout);
    }

    /// <summary>
    /// S3 writes whole-second times, and the CLI's download sync with --exact-timestamps compares a listing's LastModified
    /// with the file it stamped: a listing with milliseconds (the local and GCS stores, until the s3walk helper's walk)
    /// made every later sync download everything again.
    /// </summary>
    [Fact]
    public async Task Aws_cli_sync_down_with_exact_timestamps_finds_nothing_to_do_the_second_time()
    {
        await Clients.MakeFileAsync("up/a.txt", 10, 1);
        await Clients.MakeFileAsync("up/sub/b.txt", 2000, 2);
        AssertOk(await Clients.AwsAsync("s3", "sync", Path.Combine(Clients.WorkDirectory, "up"), $"s3://{Bucket}/exact", "--only-show-errors"), "aws s3 sync up");
        var down = Path.Combine(Clients.WorkDirectory, "down");
        AssertOk(await Clients.AwsAsync("s3", "sync", $"s3://{Bucket}/exact", down, "--only-show-errors"), "aws s3 sync down");
        var again = await Clients.AwsAsync("s3", "sync", $"s3://{Bucket}/exact", down, "--exact-timestamps", "--dryrun");
        AssertOk(again, "aws s3 sync down again");
        Assert.DoesNotContain("download:", again.Stdout);

        var listed = await Clients.AwsAsync("s3api", "list-objects-v2", "--bucket", Bucket, "--prefix", "exact/sub/", "--query", "Contents[0].LastModified", "--output", "text");
        var headed = await Clients.AwsAsync("s3api", "head-object", "--bucket", Bucket, "--key", "exact/sub/b.txt", "--query", "LastModified", "--output", "text");
        AssertOk(listed, "list-objects-v2");
        AssertOk(headed, "head-object");
        Assert.Equal(DateTimeOffset.Parse(headed.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(listed.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Aws_s3api_puts_with_metadata_reads_ranges_copies_lists_and_deletes()
    {
        var file = await Clients.MakeFileAsync("small.bin", 1000, 5);
        AssertOk(await Clients.AwsAsync("s3api", "put-object", "--bucket", Bucket, "--key", "docs/one.bin", "--body", file,
            "--content-type", "application/x-test", "--metadata", "owner=alice,team=blue"), "put-object");
        var head = await Clients.AwsAsync("s3api", "head-object", "--bucket", Bucket, "--key", "docs/one.bin");
        AssertOk(head, "head-object");
        using (var doc = JsonDocument.Parse(head.Stdout))
        {
            Assert.Equal("application/x-test", doc.RootElement.GetProperty("ContentType").GetString());
            Assert.Equal("alice", doc.RootElement.GetProperty("Metadata").GetProperty("owner").GetString());
        }
        var part = Path.Combine(Clients.WorkDirectory, "part.bin");
        var ranged = await Clients.AwsAsync("s3api", "get-object", "--bucket", Bucket, "--key", "docs/one.bin", "--range", "bytes=10-19", part);
        AssertOk(ranged, "get-object --range");
        Assert.Equal(File.ReadAllBytes(file)[10..20], File.ReadAllBytes(part));
        Assert.Contains("bytes 10-19/1000", ranged.Stdout);

        AssertOk(await Clients.AwsAsync("s3api", "copy-object", "--bucket", Bucket, "--key", "docs/two.bin",
            "--copy-source", $"{Bucket}/docs/one.bin", "--metadata-directive", "REPLACE", "--metadata", "owner=bob",
            "--content-type", "text/plain"), "copy-object REPLACE");
        var copied = await Clients.AwsAsync("s3api", "head-object", "--bucket", Bucket, "--key", "docs/two.bin");
        using (var doc = JsonDocument.Parse(copied.Stdout))
        {
            Assert.Equal("bob", doc.RootElement.GetProperty("Metadata").GetProperty("owner").GetString());
            Assert.False(doc.RootElement.GetProperty("Metadata").TryGetProperty("team", out _));
            Assert.Equal("text/plain", doc.RootElement.GetProperty("ContentType").GetString());
        }
        var copyFailed = await Clients.AwsAsync("s3api", "copy-object", "--bucket", Bucket, "--key", "docs/three.bin",
            "--copy-source", $"{Bucket}/docs/one.bin", "--copy-source-if-match", "\"0123456789abcdef0123456789abcdef\"");
        Assert.Contains("PreconditionFailed", copyFailed.Stderr);

        var list = await Clients.AwsAsync("s3api", "list-objects-v2", "--bucket", Bucket, "--delimiter", "/");
        AssertOk(list, "list-objects-v2");
        using (var doc = JsonDocument.Parse(list.Stdout))
            Assert.Equal("docs/", doc.RootElement.GetProperty("CommonPrefixes")[0].GetProperty("Prefix").GetString());
        var location = await Clients.AwsAsync("s3api", "get-bucket-location", "--bucket", Bucket);
        AssertOk(location, "get-bucket-location");

        AssertOk(await Clients.AwsAsync("s3api", "delete-objects", "--bucket", Bucket, "--delete",
            "{\"Objects\":[{\"Key\":\"docs/one.bin\"},{\"Key\":\"docs/two.bin\"}]}"), "delete-objects");
        Assert.Equal(HttpStatusCode.NotFound, (await FacadeGetAsync(Bucket, "docs/one.bin")).Status);
        // What is not built answers NotImplemented (GetBucketPolicy and GetBucketPolicyStatus answer NoSuchBucketPolicy:
        // S3ClientSuite.BucketConfig.cs, S3ClientSuite.S3TestsRun.cs).
        var unsupported = await Clients.AwsAsync("s3api", "put-bucket-tagging", "--bucket", Bucket, "--tagging", "TagSet=[{Key=team,Value=a}]");
        Assert.Contains("NotImplemented", unsupported.Stderr);
    }
}
