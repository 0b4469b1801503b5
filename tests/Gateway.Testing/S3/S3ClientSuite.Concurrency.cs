using Xunit;

namespace Gateway.Testing.S3;

/// <summary>Clients writing one key at once (two sync jobs, a retry racing its original): S3 takes every write, the last one wins.</summary>
public abstract partial class S3ClientSuite
{
    /// <summary>
    /// False where the store's own server is not safe when one key is raced (s3rver, asked directly, cuts reads short and
    /// answers copies 500 or with another copy's ETag): the test then checks only what the gateway adds, that no copy of a
    /// present source is NoSuchKey, and that a copy made once the race is over lands whole.
    /// </summary>
    protected virtual bool StoreIsSafeWhenOneKeyIsRaced => true;

    /// <summary>
    /// Puts, copies, deletes and reads of one key from 16 threads, while the copies' source is rewritten with its own
    /// bytes: every write and delete is answered 200/204, a read the object or NoSuchKey, and each copy's answer names the
    /// copy it made. A copy pinned to a source version another request replaced was 412 PreconditionFailed behind Azure
    /// (and GCS), a condition the client never set. Behind Azure a copy onto a blob another request
    /// rewrote or deleted meanwhile was 500 InternalError (the SDK's copy poller found no copy of its own to finish) or
    /// NoSuchKey (the target gone by the time it was read back), though its source was there throughout.
    /// </summary>
    [Fact]
    public async Task Boto3_concurrent_puts_copies_and_deletes_of_one_key_are_each_answered_as_s3_does()
    {
        var run = await Clients.PythonAsync(BotoPrelude + "\n" + ConcurrentWritesScript + "\nprint(\"OK\")\n", [Bucket],
            new Dictionary<string, string?> { ["RACE_SAFE_STORE"] = StoreIsSafeWhenOneKeyIsRaced ? "1" : "0" });
        Assert.True(run.ExitCode == 0 && run.Stdout.TrimEnd().EndsWith("OK"), $"concurrent writes of one key: {run}");
    }

    private const string ConcurrentWritesScript = """
        import concurrent.futures, hashlib
        source = b"the copy source " * 64
        s3.put_object(Bucket=BUCKET, Key="race/source", Body=source)
        source_etag = '"' + hashlib.md5(source).hexdigest() + '"'
        race_safe = os.environ["RACE_SAFE_STORE"] == "1"
        racer = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=os.environ["KEY_ID"],
                             aws_secret_access_key=os.environ["SECRET"],
                             config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, max_pool_connections=16))
        def step(i):
            try:
                kind = i % 5
                if kind == 4:
                    # The source rewritten with its own bytes: a new version (Azure's ETag, GCS's generation) of the same
                    # content, so a copy pinned to the version it read is refused by the store and must start again.
                    # (s3rver, raced, loses objects: its source is left alone.)
                    if race_safe: racer.put_object(Bucket=BUCKET, Key="race/source", Body=source)
                elif kind == 0:
                    racer.put_object(Bucket=BUCKET, Key="race/key", Body=b"put %d" % i)
                elif kind == 1:
                    etag = racer.copy_object(Bucket=BUCKET, Key="race/key", CopySource=f"{BUCKET}/race/source")["CopyObjectResult"]["ETag"]
                    if etag != source_etag and race_safe: return ("copy answered", etag)
                elif kind == 2:
                    racer.delete_object(Bucket=BUCKET, Key="race/key")
                else:
                    try:
                        body = racer.get_object(Bucket=BUCKET, Key="race/key")["Body"].read()
                    # A read the store cut short: the gateway aborts the answer (its witness covers fewer bytes than the
                    # length it was given), after the headers or, for an answer this small, before they left.
                    except (botocore.exceptions.ResponseStreamingError, botocore.exceptions.ConnectionClosedError):
                        if race_safe: raise
                        return None
                    if body != source and not body.startswith(b"put ") and race_safe: return ("read", body[:40])
                return None
            except botocore.exceptions.ClientError as e:
                code = e.response["Error"].get("Code")
                failure = (["put", "copy", "delete", "get", "rewrite source"][kind], code, e.response["ResponseMetadata"]["HTTPStatusCode"])
                if kind == 3 and code == "NoSuchKey": return None
                return failure if race_safe or (kind == 1 and code == "NoSuchKey") else None
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            failures = [f for f in pool.map(step, range(400)) if f]
        assert not failures, failures
        # Quiet again: a last copy lands whole, with the source's type and bytes.
        s3.copy_object(Bucket=BUCKET, Key="race/key", CopySource=f"{BUCKET}/race/source")
        got = s3.get_object(Bucket=BUCKET, Key="race/key")
        assert got["Body"].read() == source and got["ETag"] == source_etag, got["ETag"]
        """;
}
