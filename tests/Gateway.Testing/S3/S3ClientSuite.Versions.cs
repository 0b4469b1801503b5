using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// ListObjectVersions and version id "null", as S3 answers for a bucket whose versioning was never enabled. The public
/// compatibility suite empties its buckets before and after every test this way, so without it every test would fail.
/// </summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_empties_prefixed_buckets_of_three_callers_through_their_versions() => RunBotoAsync("""
        import secrets
        prefix = "s3t-vf" + secrets.token_hex(4) + "-"
        keys = ["plain", "sp ace", "plus+sign", "per%25cent%", "q?mark", "hash#tag", "amp&eq=", "ünïcødé/日本語", "dir/a", "dir/b",
                "trailing space ", "lt<gt>", "emoji😀", "quote'\""]
        callers = {"main": s3, "alt": client(os.environ["ALT_KEY_ID"], os.environ["ALT_SECRET"]),
                   "tenant": client(os.environ["TENANT_KEY_ID"], os.environ["TENANT_SECRET"])}
        made = []
        for n, (who, c) in enumerate(callers.items()):
            for i in range(2):
                name = f"{prefix}{who}{i}"
                c.create_bucket(Bucket=name)
                for k in keys[: 5 + 4 * i + n]: c.put_object(Bucket=name, Key=k, Body=k.encode())
                made.append(name)

        def versions(c, bucket):
            # Paged as the suite pages it: MaxKeys, then KeyMarker and VersionIdMarker from the last page.
            found, kwargs, pages = [], {"Bucket": bucket, "MaxKeys": 2}, 0
            while True:
                r = c.list_object_versions(**kwargs)
                pages += 1
                assert "DeleteMarkers" not in r, r
                for v in r.get("Versions", []):
                    assert v["VersionId"] == "null" and v["IsLatest"] is True and v["StorageClass"] == "STANDARD", v
                    assert v["ETag"].startswith('"') and "Owner" in v and "LastModified" in v, v
                    found.append((v["Key"], v["VersionId"], v["Size"]))
                assert len(r.get("Versions", [])) <= 2, r
                if not r["IsTruncated"]: return found, pages
                assert r["NextVersionIdMarker"] == "null", r
                kwargs["KeyMarker"], kwargs["VersionIdMarker"] = r["NextKeyMarker"], r["NextVersionIdMarker"]

        # Each caller empties and deletes the buckets named with its own part of the prefix.
        for who, c in callers.items():
            mine = [b["Name"] for b in c.list_buckets()["Buckets"] if prefix + who in b["Name"]]
            assert sorted(mine) == sorted(b for b in made if b.startswith(prefix + who)) and len(mine) == 2, (who, mine)
            for bucket in mine:
                found, pages = versions(c, bucket)
                stored = sorted(o["Key"] for o in c.list_objects_v2(Bucket=bucket).get("Contents", []))
                assert sorted(k for k, _, _ in found) == stored and len(found) > 0, (bucket, found, stored)
                assert [k for k, _, _ in found] == sorted(stored, key=lambda k: k.encode()), ("not in key order", found)
                assert all(size == len(k.encode()) for k, _, size in found), found
                assert -(-len(found) // 2) <= pages <= len(found) // 2 + 1, (pages, len(found))
                r = c.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k, "VersionId": v} for k, v, _ in found], "Quiet": True},
                                     BypassGovernanceRetention=True)
                assert not r.get("Errors") and not r.get("Deleted"), r
                c.delete_bucket(Bucket=bucket)
            made = [b for b in made if b not in mine]
        assert made == [], made
        for who, c in callers.items():
            left = [b["Name"] for b in c.list_buckets()["Buckets"] if prefix in b["Name"]]
            assert left == [], (who, left)
        if os.environ["MISSING_BUCKETS_VISIBLE"] == "1":
            assert error_of(lambda: s3.head_bucket(Bucket=prefix + "main0"))[1] == 404
        """, "the compatibility suite's bucket clean-up");

    [Fact]
    public Task Boto3_addresses_the_null_version_and_is_refused_any_other() => RunBotoAsync("""
        for k in ["a", "b/1", "b/2", "c+d", "e"]: s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode())
        r = s3.list_object_versions(Bucket=BUCKET, Delimiter="/")
        assert [v["Key"] for v in r["Versions"]] == ["a", "c+d", "e"] and [p["Prefix"] for p in r["CommonPrefixes"]] == ["b/"], r
        r = s3.list_object_versions(Bucket=BUCKET, Prefix="b/")
        assert [v["Key"] for v in r["Versions"]] == ["b/1", "b/2"] and r["Prefix"] == "b/", r
        r = s3.list_object_versions(Bucket=BUCKET, KeyMarker="b/1", VersionIdMarker="null", MaxKeys=2)
        assert [v["Key"] for v in r["Versions"]] == ["b/2", "c+d"] and r["IsTruncated"] and r["NextKeyMarker"] == "c+d", r
        r = s3.list_object_versions(Bucket=BUCKET, KeyMarker="c+d")
        assert [v["Key"] for v in r["Versions"]] == ["e"] and not r["IsTruncated"], r
        r = s3.list_object_versions(Bucket=BUCKET, Delimiter="/", MaxKeys=2)
        assert r["IsTruncated"] and r["NextKeyMarker"] == "b/" and "NextVersionIdMarker" not in r, r
        r = s3.list_object_versions(Bucket=BUCKET, Delimiter="/", KeyMarker="b/")
        assert [v["Key"] for v in r["Versions"]] == ["c+d", "e"] and "CommonPrefixes" not in r, r
        r = s3.list_object_versions(Bucket=BUCKET, MaxKeys=0)
        assert "Versions" not in r and r["IsTruncated"] is False, r
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}?versions&encoding-type=url&prefix=c")
        assert status == 200 and b"<Key>c%2Bd</Key>" in body and b"<EncodingType>url</EncodingType>" in body, body
        for bad in ["max-keys=-1", "max-keys=blah", "version-id-marker=null", "key-marker=a&version-id-marker=3HL4kqtJlcpXroDTDmJ", "encoding-type=xml"]:
            status, body = raw("GET", f"{ENDPOINT}/{BUCKET}?versions&{bad}")
            assert status == 400 and b"<Code>InvalidArgument</Code>" in body, (bad, status, body)
        # ?versions on a bucket is a listing only: a DELETE does not delete the bucket.
        status, body = raw("DELETE", f"{ENDPOINT}/{BUCKET}?versions")
        assert status == 405 and b"<Code>MethodNotAllowed</Code>" in body, (status, body)
        s3.head_bucket(Bucket=BUCKET)
        assert "Status" not in s3.get_bucket_versioning(Bucket=BUCKET)

        # versionId "null" is the current object.
        g = s3.get_object(Bucket=BUCKET, Key="a", VersionId="null")
        assert g["Body"].read() == b"a" and g["VersionId"] == "null", g
        assert s3.head_object(Bucket=BUCKET, Key="a", VersionId="null")["ContentLength"] == 1
        c = s3.copy_object(Bucket=BUCKET, Key="copy", CopySource={"Bucket": BUCKET, "Key": "c+d", "VersionId": "null"})
        assert c["CopySourceVersionId"] == "null" and s3.get_object(Bucket=BUCKET, Key="copy")["Body"].read() == b"c+d", c
        # Any other id names no version here: refused, and nothing changes.
        other = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nrjfkd"
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="a", VersionId=other)) == ("InvalidArgument", 400)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="a", VersionId=other))[1] == 400
        assert error_of(lambda: s3.delete_object(Bucket=BUCKET, Key="a", VersionId=other)) == ("InvalidArgument", 400)
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="copy2", CopySource={"Bucket": BUCKET, "Key": "a", "VersionId": other})) == ("InvalidArgument", 400)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="copy2"))[1] == 404
        r = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "a", "VersionId": other}, {"Key": "e", "VersionId": "null"}, {"Key": "b/1"}]})
        assert [(e["Key"], e["Code"], e.get("VersionId")) for e in r["Errors"]] == [("a", "NoSuchVersion", other)], r
        assert sorted((d["Key"], d.get("VersionId")) for d in r["Deleted"]) == [("b/1", None), ("e", "null")], r
        assert s3.get_object(Bucket=BUCKET, Key="a")["Body"].read() == b"a"
        d = s3.delete_object(Bucket=BUCKET, Key="a", VersionId="null")
        assert d["ResponseMetadata"]["HTTPStatusCode"] == 204 and d["VersionId"] == "null", d
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="a"))[1] == 404
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="a", VersionId="null")) == ("NoSuchKey", 404)
        assert [v["Key"] for v in s3.list_object_versions(Bucket=BUCKET)["Versions"]] == ["b/2", "c+d", "copy"]
        """, "version id null");
}
