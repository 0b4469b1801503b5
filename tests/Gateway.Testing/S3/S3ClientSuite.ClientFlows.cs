using System.Security.Cryptography;
using System.Text.Json;
using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// The clients' everyday modes the other tests leave out: syncs that must find nothing to do the second time, deletes
/// selected by filters, moves, server-side copies, either listing version paged small, and small files sent in parts.
/// </summary>
public abstract partial class S3ClientSuite
{
    private static readonly string[] HostileNames =
        ["a b.txt", "a+b.txt", "hash#.txt", "pct%20.txt", "quo'te\".txt", "what?.txt", "sub dir/x y&z=1;.txt", "ünï/çé.txt", "keep.log"];

    private const string SmallPartsConfig = "[default]\ns3 =\n  multipart_threshold = 5MB\n  multipart_chunksize = 5MB\n  max_concurrent_requests = 4\n";

    [Fact]
    public async Task Aws_cli_syncs_moves_and_presigns_hostile_names_and_sends_small_files_in_parts()
    {
        var tree = Path.Combine(Clients.WorkDirectory, "hostile");
        for (var i = 0; i < HostileNames.Length; i++) await Clients.MakeFileAsync("hostile/" + HostileNames[i], 10 + i, i);
        // Whole-second store times: files stamped a minute back keep "local newer than remote" out of the comparison.
        foreach (var f in Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories)) File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddMinutes(-1));
        AssertOk(await Clients.AwsAsync("s3", "cp", "--recursive", tree, $"s3://{Bucket}/h/", "--only-show-errors"), "aws s3 cp --recursive");
        Assert.Equal(HostileNames.Select(n => "h/" + n).Order(StringComparer.Ordinal), await AwsKeysAsync("h/"));
        foreach (var mode in new[] { Array.Empty<string>(), ["--size-only"] })
        {
            var again = await Clients.AwsAsync(["s3", "sync", tree, $"s3://{Bucket}/h/", .. mode]);
            AssertOk(again, "aws s3 sync again");
            Assert.DoesNotContain("upload:", again.Stdout);
        }

        // --delete removes what is gone locally, less what the filters leave out.
        File.Delete(Path.Combine(tree, "a b.txt"));
        File.Delete(Path.Combine(tree, "keep.log"));
        var pruned = await Clients.AwsAsync("s3", "sync", tree, $"s3://{Bucket}/h/", "--delete", "--exclude", "*.log");
        AssertOk(pruned, "aws s3 sync --delete --exclude");
        Assert.Contains($"delete: s3://{Bucket}/h/a b.txt", pruned.Stdout);
        Assert.DoesNotContain("keep.log", pruned.Stdout);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await FacadeGetAsync(Bucket, "h/a b.txt")).Status);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await FacadeGetAsync(Bucket, "h/keep.log")).Status);

        var down = Path.Combine(Clients.WorkDirectory, "hostile-down");
        AssertOk(await Clients.AwsAsync("s3", "sync", $"s3://{Bucket}/h/", down, "--only-show-errors"), "aws s3 sync down");
        foreach (var name in HostileNames.Where(n => n != "a b.txt"))
            Assert.Equal((await FacadeGetAsync(Bucket, "h/" + name)).Body, File.ReadAllBytes(Path.Combine(down, name)));
        var downAgain = await Clients.AwsAsync("s3", "sync", $"s3://{Bucket}/h/", down);
        AssertOk(downAgain, "aws s3 sync down again");
        Assert.DoesNotContain("download:", downAgain.Stdout);

        // Moves: a tree between prefixes, a file into the bucket and on within it.
        AssertOk(await Clients.AwsAsync("s3", "mv", "--recursive", $"s3://{Bucket}/h/", $"s3://{Bucket}/moved/", "--only-show-errors"), "aws s3 mv --recursive");
        Assert.Empty(await AwsKeysAsync("h/"));
        Assert.Equal(HostileNames.Length - 1, (await AwsKeysAsync("moved/")).Count);
        var one = await Clients.MakeFileAsync("one.txt", 5, 42);
        AssertOk(await Clients.AwsAsync("s3", "mv", one, $"s3://{Bucket}/m/one?.txt", "--only-show-errors"), "aws s3 mv up");
        Assert.False(File.Exists(one));
        AssertOk(await Clients.AwsAsync("s3", "mv", $"s3://{Bucket}/m/one?.txt", $"s3://{Bucket}/m/one #2.txt", "--only-show-errors"), "aws s3 mv in the bucket");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await FacadeGetAsync(Bucket, "m/one?.txt")).Status);
        Assert.Equal(5, (await FacadeGetAsync(Bucket, "m/one #2.txt")).Body.Length);

        foreach (var name in new[] { "what?.txt", "ünï/çé.txt", "sub dir/x y&z=1;.txt" })
        {
            var url = await Clients.AwsAsync("s3", "presign", $"s3://{Bucket}/moved/{name}", "--expires-in", "300");
            AssertOk(url, "aws s3 presign");
            var got = Path.Combine(Clients.WorkDirectory, "presigned.bin");
            var curl = await Clients.RunAsync("/usr/bin/curl", ["-s", "-g", "-o", got, "-w", "%{http_code}", url.Stdout.Trim()], new Dictionary<string, string?>());
            Assert.Equal("200", curl.Stdout);
            Assert.Equal((await FacadeGetAsync(Bucket, "moved/" + name)).Body, File.ReadAllBytes(got));
        }

        // 5 MB thresholds: a 12 MB file goes up in three parts, is copied server-side in three part copies, and comes back whole.
        var config = Path.Combine(Clients.WorkDirectory, "aws-small-parts.cfg");
        await File.WriteAllTextAsync(config, SmallPartsConfig);
        var twelve = await Clients.MakeFileAsync("twelve.bin", 12_000_000, 12);
        AssertOk(await Clients.AwsWithConfigAsync(config, "s3", "cp", twelve, $"s3://{Bucket}/mp/twelve.bin", "--only-show-errors"), "aws s3 cp in parts");
        AssertOk(await Clients.AwsWithConfigAsync(config, "s3", "cp", $"s3://{Bucket}/mp/twelve.bin", $"s3://{Bucket}/mp/copy.bin", "--only-show-errors"), "aws s3 cp s3-to-s3 in parts");
        foreach (var key in new[] { "mp/twelve.bin", "mp/copy.bin" })
        {
            var attributes = await Clients.AwsAsync("s3api", "get-object-attributes", "--bucket", Bucket, "--key", key, "--object-attributes", "ETag", "ObjectSize");
            AssertOk(attributes, "get-object-attributes");
            using var doc = JsonDocument.Parse(attributes.Stdout);
            Assert.EndsWith("-3", doc.RootElement.GetProperty("ETag").GetString());
            Assert.Equal(12_000_000, doc.RootElement.GetProperty("ObjectSize").GetInt64());
        }
        var back = Path.Combine(Clients.WorkDirectory, "copy-back.bin");
        AssertOk(await Clients.AwsWithConfigAsync(config, "s3", "cp", $"s3://{Bucket}/mp/copy.bin", back, "--only-show-errors"), "aws s3 cp down in parts");
        Assert.Equal(Sha256Of(twelve), Sha256Of(back));
    }

    [Fact]
    public async Task Rclone_syncs_twice_copies_and_moves_server_side_and_lists_with_either_version()
    {
        var source = Path.Combine(Clients.WorkDirectory, "rs");
        string[] files = ["a.txt", "sub dir/b+c.txt", "ünï/d #1.txt", "big.bin"];
        for (var i = 0; i < files.Length; i++) await Clients.MakeFileAsync("rs/" + files[i], files[i] == "big.bin" ? 12_000_000 : 100 * (i + 1), 30 + i);
        string[] parts = ["--s3-chunk-size", "5M", "--s3-upload-cutoff", "5M"];
        AssertOk(await Clients.RcloneAsync(["sync", source, $"gw:{Bucket}/rs", .. parts]), "rclone sync");
        var again = await Clients.RcloneAsync("sync", source, $"gw:{Bucket}/rs", "-v");
        AssertOk(again, "rclone sync again");
        Assert.DoesNotContain("Copied", again.Stderr);
        foreach (var mode in new[] { new[] { "--download" }, ["--s3-use-multipart-etag=true"] })
        {
            var check = await Clients.RcloneAsync(["check", source, $"gw:{Bucket}/rs", .. mode]);
            AssertOk(check, "rclone check " + mode[0]);
            Assert.Contains("0 differences found", check.Stderr);
            Assert.Contains("4 matching files", check.Stderr);
        }

        var hashes = await Clients.RcloneAsync("lsjson", "--hash", "-R", "--files-only", $"gw:{Bucket}/rs");
        AssertOk(hashes, "rclone lsjson --hash");
        using (var doc = JsonDocument.Parse(hashes.Stdout))
        {
            var listed = doc.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("Path").GetString()!, e => e.GetProperty("Hashes").GetProperty("md5").GetString());
            Assert.Equal(files.Order(StringComparer.Ordinal), listed.Keys.Order(StringComparer.Ordinal));
            foreach (var file in files)
            {
                Assert.Equal(Md5Of(Path.Combine(source, file)), listed[file]);
            }
        }
        string[] expected = ["a.txt", "big.bin", "sub dir/", "sub dir/b+c.txt", "ünï/", "ünï/d #1.txt"];
        foreach (var version in new[] { "1", "2" })
        {
            var listing = await Clients.RcloneAsync("lsf", "-R", "--s3-list-version", version, "--s3-list-chunk", "2", $"gw:{Bucket}/rs");
            AssertOk(listing, "rclone lsf --s3-list-version " + version);
            Assert.Equal(expected, listing.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        }

        var copied = await Clients.RcloneAsync("copyto", $"gw:{Bucket}/rs/ünï/d #1.txt", $"gw:{Bucket}/rs2/d copy.txt", "-v");
        AssertOk(copied, "rclone copyto");
        Assert.Contains("server-side copy", copied.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "ünï/d #1.txt")), (await FacadeGetAsync(Bucket, "rs2/d copy.txt")).Body);
        // A move is server-side copies (big.bin in part copies past the 5M copy cutoff) and deletes.
        var moved = await Clients.RcloneAsync("move", $"gw:{Bucket}/rs", $"gw:{Bucket}/moved", "--s3-copy-cutoff", "5M", "-v");
        AssertOk(moved, "rclone move");
        Assert.DoesNotContain("ERROR", moved.Stderr);
        var left = await Clients.RcloneAsync("lsf", "-R", "--files-only", $"gw:{Bucket}/rs");
        Assert.Equal("", left.Stdout.Trim());
        var checkMoved = await Clients.RcloneAsync("check", source, $"gw:{Bucket}/moved", "--download");
        AssertOk(checkMoved, "rclone check after move");
        Assert.Contains("4 matching files", checkMoved.Stderr);
    }

    [Fact]
    public async Task S3cmd_syncs_twice_without_copying_sends_5MiB_parts_and_lists_and_aborts_uploads()
    {
        var source = Path.Combine(Clients.WorkDirectory, "sc");
        await Clients.MakeFileAsync("sc/a.txt", 10, 50);
        await Clients.MakeFileAsync("sc/sub dir/b&c.txt", 2_000, 51);
        await Clients.MakeFileAsync("sc/big.bin", 12_000_000, 52);
        AssertOk(await Clients.S3cmdAsync("sync", "--multipart-chunk-size-mb=5", source + "/", $"s3://{Bucket}/sc/"), "s3cmd sync");
        var again = await Clients.S3cmdAsync("sync", "--multipart-chunk-size-mb=5", source + "/", $"s3://{Bucket}/sc/");
        AssertOk(again, "s3cmd sync again");
        Assert.DoesNotContain("upload:", again.Stdout);
        var head = await Clients.AwsAsync("s3api", "head-object", "--bucket", Bucket, "--key", "sc/big.bin", "--query", "ETag", "--output", "text");
        AssertOk(head, "head-object");
        Assert.EndsWith("-3\"", head.Stdout.Trim());
        // s3cmd compares the listed ETag: the HEAD's, or the object's MD5 (a store whose listing has no metadata, as S3's has
        // none, lists its own MD5 ETag of an upload completed through the parts area). Azure listed its own "0x..." ETag
        // until its listings carried metadata, and s3cmd uploaded the file again on every sync.
        var listedETag = await Clients.AwsAsync("s3api", "list-objects-v2", "--bucket", Bucket, "--prefix", "sc/big.bin", "--query", "Contents[0].ETag", "--output", "text");
        AssertOk(listedETag, "list-objects-v2");
        Assert.Contains(listedETag.Stdout.Trim(), new[] { head.Stdout.Trim(), $"\"{Md5Of(Path.Combine(source, "big.bin"))}\"" });
        var du = await Clients.S3cmdAsync("du", $"s3://{Bucket}/sc/");
        AssertOk(du, "s3cmd du");
        Assert.Contains("12002010", du.Stdout);
        Assert.Contains("3 objects", du.Stdout);

        var down = Path.Combine(Clients.WorkDirectory, "sc-down");
        AssertOk(await Clients.S3cmdAsync("sync", $"s3://{Bucket}/sc/", down + "/"), "s3cmd sync down");
        Assert.Equal(Sha256Of(Path.Combine(source, "big.bin")), Sha256Of(Path.Combine(down, "big.bin")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "sub dir/b&c.txt")), File.ReadAllBytes(Path.Combine(down, "sub dir/b&c.txt")));
        var downAgain = await Clients.S3cmdAsync("sync", $"s3://{Bucket}/sc/", down + "/");
        AssertOk(downAgain, "s3cmd sync down again");
        Assert.DoesNotContain("download:", downAgain.Stdout);

        const string key = "mp/q'uo te&x.bin";
        var created = await Clients.AwsAsync("s3api", "create-multipart-upload", "--bucket", Bucket, "--key", key, "--query", "UploadId", "--output", "text");
        AssertOk(created, "create-multipart-upload");
        var uploadId = created.Stdout.Trim();
        var listed = await Clients.S3cmdAsync("multipart", $"s3://{Bucket}");
        AssertOk(listed, "s3cmd multipart");
        Assert.Contains($"s3://{Bucket}/{key}\t{uploadId}", listed.Stdout);
        AssertOk(await Clients.S3cmdAsync("abortmp", $"s3://{Bucket}/{key}", uploadId), "s3cmd abortmp");
        var after = await Clients.S3cmdAsync("multipart", $"s3://{Bucket}");
        AssertOk(after, "s3cmd multipart after abort");
        Assert.DoesNotContain(uploadId, after.Stdout);
    }

    private static string Md5Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(file));
    }

    private async Task<List<string>> AwsKeysAsync(string prefix)
    {
        var listed = await Clients.AwsAsync("s3api", "list-objects-v2", "--bucket", Bucket, "--prefix", prefix, "--query", "Contents[].Key", "--output", "json");
        AssertOk(listed, "list-objects-v2");
        return (JsonSerializer.Deserialize<string[]?>(listed.Stdout) ?? []).Order(StringComparer.Ordinal).ToList();
    }
}
