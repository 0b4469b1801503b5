using Xunit;

namespace Gateway.Testing.S3;

public abstract partial class S3ClientSuite
{
    /// <summary>
    /// Keys whose UTF-8 and UTF-16 orders differ (above U+FFFF against U+E000-U+FFFF), listed whole, resumed after each
    /// key (start-after, marker) and paged one to three keys at a time: each key once, in the store's own order. Before the
    /// front door compared in the store's order, a listing behind Azure resumed after "a😀" skipped "a\uE000".
    /// </summary>
    [Fact]
    public Task Boto3_listings_resumed_after_a_key_list_every_key_once_in_the_stores_order() => RunBotoAsync("""
        keys = ["a\ue000", "a\U0001F600", "a~", "a\u00e9", "a\uff5e", "a\U0001F601", "a", "b"]
        for k in keys: s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode())
        if os.environ["LISTING_ORDER"] == "utf16": order = sorted(keys, key=lambda k: k.encode("utf-16-be"))
        else: order = sorted(keys, key=lambda k: k.encode("utf-8"))
        def v1(**kw): return [o["Key"] for o in s3.list_objects(Bucket=BUCKET, **kw).get("Contents", [])]
        def v2(**kw): return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, **kw).get("Contents", [])]
        failures = []
        def check(what, got, want):
            if got != want: failures.append(f"{what}: {[ascii(k) for k in got]} != {[ascii(k) for k in want]}")
        check("whole listing v2", v2(), order)
        check("whole listing v1", v1(), order)
        for i, k in enumerate(order):
            check(f"v2 start-after {ascii(k)}", v2(StartAfter=k), order[i + 1:])
            check(f"v1 marker {ascii(k)}", v1(Marker=k), order[i + 1:])
            check(f"v2 start-after {ascii(k)}, 2 keys", v2(StartAfter=k, MaxKeys=2), order[i + 1:i + 3])
        for size in (1, 2, 3):
            for op in ("list_objects", "list_objects_v2"):
                seen = [o["Key"] for page in s3.get_paginator(op).paginate(Bucket=BUCKET, PaginationConfig={"PageSize": size})
                        for o in page.get("Contents", [])]
                check(f"{op} in pages of {size}", seen, order)
        assert not failures, "\n".join(failures)
        """, "listings resumed after a key");
}
