using Xunit;

namespace Gateway.Testing.S3;

public abstract partial class S3ClientSuite
{
    [Fact]
    public async Task Rclone_copies_and_checks_both_ways()
    {
        var source = Path.Combine(Clients.WorkDirectory, "rc-src");
        await Clients.MakeFileAsync("rc-src/one.bin", 1, 1);
        await Clients.MakeFileAsync("rc-src/two.bin", 300_000, 2);
        await Clients.MakeFileAsync("rc-src/nested/three.txt", 5_000, 3);
        await Clients.MakeFileAsync("rc-src/nested/deeper/empty", 0, 4);
        AssertOk(await Clients.RcloneAsync("copy", source, $"gw:{Bucket}/rc"), "rclone copy up");
        var check = await Clients.RcloneAsync("check", source, $"gw:{Bucket}/rc");
        AssertOk(check, "rclone check up");
        Assert.Contains("0 differences found", check.Stderr);
        Assert.Contains("4 matching files", check.Stderr);

        var back = Path.Combine(Clients.WorkDirectory, "rc-back");
        AssertOk(await Clients.RcloneAsync("copy", $"gw:{Bucket}/rc", back), "rclone copy down");
        var checkBack = await Clients.RcloneAsync("check", $"gw:{Bucket}/rc", back);
        AssertOk(checkBack, "rclone check down");
        Assert.Contains("0 differences found", checkBack.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "two.bin")), File.ReadAllBytes(Path.Combine(back, "two.bin")));

        // A changed object is found by check (hashes, not only sizes).
        var changed = await Clients.MakeFileAsync("rc-src/two.bin", 300_000, 99);
        var differs = await Clients.RcloneAsync("check", source, $"gw:{Bucket}/rc");
        Assert.NotEqual(0, differs.ExitCode);
        Assert.Contains("1 differences found", differs.Stderr);
    }

    [Fact]
    public async Task S3cmd_makes_puts_lists_gets_deletes_and_removes()
    {
        var bucket = S3FrontDoor.NewBucketName();
        AssertOk(await Clients.S3cmdAsync("mb", $"s3://{bucket}"), "s3cmd mb");
        var file = await Clients.MakeFileAsync("s3cmd.bin", 12_345, 7);
        // s3cmd sends x-amz-meta-s3cmd-attrs on every put (Azure stores the '-' name encoded and hands it back as given).
        AssertOk(await Clients.S3cmdAsync("put", file, $"s3://{bucket}/dir/s3cmd.bin"), "s3cmd put");
        using (var head = await Door.Server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head,
                   $"v1/stores/{S3FrontDoor.StoreName}/buckets/{bucket}/objects/dir/s3cmd.bin")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, head.StatusCode);
            Assert.Contains("md5:", head.Headers.GetValues("x-meta-s3cmd-attrs").Single());
        }
        var info = await Clients.S3cmdAsync("info", $"s3://{bucket}/dir/s3cmd.bin");
        AssertOk(info, "s3cmd info");
        Assert.Contains("x-amz-meta-s3cmd-attrs", info.Stdout);
        var ls = await Clients.S3cmdAsync("ls", $"s3://{bucket}/dir/");
        AssertOk(ls, "s3cmd ls");
        Assert.Contains($"s3://{bucket}/dir/s3cmd.bin", ls.Stdout);
        Assert.Contains("12345", ls.Stdout);
        var got = Path.Combine(Clients.WorkDirectory, "s3cmd-got.bin");
        AssertOk(await Clients.S3cmdAsync("get", "--force", $"s3://{bucket}/dir/s3cmd.bin", got), "s3cmd get");
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(got));
        AssertOk(await Clients.S3cmdAsync("del", $"s3://{bucket}/dir/s3cmd.bin"), "s3cmd del");
        AssertOk(await Clients.S3cmdAsync("rb", $"s3://{bucket}"), "s3cmd rb");
        var after = await Clients.S3cmdAsync("ls");
        AssertOk(after, "s3cmd ls buckets");
        Assert.DoesNotContain(bucket, after.Stdout);
    }
}

public abstract partial class S3ClientSuite
{
    /// <summary>
    /// s3cmd cp, mv and modify copy the object, then PUT ?acl with the ACL GET ?acl answered (the owner's full control
    /// alone): taken as S3 takes that XML form of bucket-owner-full-control on a bucket owner enforced bucket.
    /// </summary>
    [Fact]
    public async Task S3cmd_copies_moves_and_modifies_objects()
    {
        var file = await Clients.MakeFileAsync("s3cmd-cp.bin", 4_321, 11);
        AssertOk(await Clients.S3cmdAsync("put", file, $"s3://{Bucket}/cp/source.bin"), "s3cmd put");
        var copy = await Clients.S3cmdAsync("cp", $"s3://{Bucket}/cp/source.bin", $"s3://{Bucket}/cp/copy.bin");
        Assert.True(copy.ExitCode == 0 && !copy.Stderr.Contains("ERROR", StringComparison.Ordinal), $"s3cmd cp: {copy}");
        var move = await Clients.S3cmdAsync("mv", $"s3://{Bucket}/cp/copy.bin", $"s3://{Bucket}/cp/moved.bin");
        Assert.True(move.ExitCode == 0 && !move.Stderr.Contains("ERROR", StringComparison.Ordinal), $"s3cmd mv: {move}");
        var modify = await Clients.S3cmdAsync("modify", "--add-header=Cache-Control: max-age=9", $"s3://{Bucket}/cp/moved.bin");
        Assert.True(modify.ExitCode == 0 && !modify.Stderr.Contains("ERROR", StringComparison.Ordinal), $"s3cmd modify: {modify}");

        var moved = await FacadeGetAsync(Bucket, "cp/moved.bin");
        Assert.Equal(System.Net.HttpStatusCode.OK, moved.Status);
        Assert.Equal(File.ReadAllBytes(file), moved.Body);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await FacadeGetAsync(Bucket, "cp/copy.bin")).Status);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await FacadeGetAsync(Bucket, "cp/source.bin")).Status);
        using var head = await Door.Server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head,
            $"v1/stores/{S3FrontDoor.StoreName}/buckets/{Bucket}/objects/cp/moved.bin"));
        Assert.Equal("max-age=9", head.Headers.CacheControl?.ToString());
    }
}
