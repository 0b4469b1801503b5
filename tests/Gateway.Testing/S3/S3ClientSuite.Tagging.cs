using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// Object tagging as the ceph/s3-tests tagging tests assert it (PutObjectTagging, GetObjectTagging, DeleteObjectTagging,
/// x-amz-tagging on PutObject, CreateMultipartUpload and CopyObject, POST Object's tagging field, x-amz-tagging-count),
/// on every store kind: tags live in a reserved metadata entry that is never shown or settable as user metadata.
/// </summary>
public abstract partial class S3ClientSuite
{
    private const string TaggingPrelude = """
        import hashlib
        def tags(key): return s3.get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"]
        def simple(n): return [{"Key": str(i), "Value": str(i)} for i in range(n)]
        def detail(n, klen, vlen): return [{"Key": (str(i) + "k" * klen)[:klen], "Value": (str(i) + "v" * vlen)[:vlen]} for i in range(n)]
        def same(a, b): return sorted((t["Key"], t["Value"]) for t in a) == sorted((t["Key"], t["Value"]) for t in b)
        def put_tags(key, tagset): return s3.put_object_tagging(Bucket=BUCKET, Key=key, Tagging={"TagSet": tagset})
        """;

    [Fact]
    public Task Boto3_object_tagging_put_get_delete_keeps_the_object_and_refuses_bad_tag_sets() => RunBotoAsync(TaggingPrelude + "\n" + """
        body = b"tagged body " * 100
        s3.put_object(Bucket=BUCKET, Key="tag/obj", Body=body, ContentType="text/x-tagged", Metadata={"color": "blue"}, CacheControl="max-age=7")
        before = s3.head_object(Bucket=BUCKET, Key="tag/obj")
        assert tags("tag/obj") == [] and "TagCount" not in before, before
        # test_get_obj_tagging, test_get_obj_head_tagging
        put_tags("tag/obj", simple(2))
        assert same(tags("tag/obj"), simple(2)), tags("tag/obj")
        head = s3.head_object(Bucket=BUCKET, Key="tag/obj")
        assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "2", head
        got = s3.get_object(Bucket=BUCKET, Key="tag/obj")
        assert got["TagCount"] == 2 and got["Body"].read() == body, got
        # Body, ETag, type, user metadata and standard headers unchanged; the tag entry is no user metadata.
        assert head["ETag"] == before["ETag"] == '"' + hashlib.md5(body).hexdigest() + '"', (head["ETag"], before["ETag"])
        assert head["ContentType"] == "text/x-tagged" and head["CacheControl"] == "max-age=7", head
        assert head["Metadata"] == {"color": "blue"}, head["Metadata"]
        # test_put_max_tags, test_put_max_size_tags, test_put_modify_tags
        put_tags("tag/obj", simple(10))
        assert same(tags("tag/obj"), simple(10))
        put_tags("tag/obj", detail(10, 128, 256))
        assert same(tags("tag/obj"), detail(10, 128, 256))
        put_tags("tag/obj", detail(1, 128, 128))
        assert same(tags("tag/obj"), detail(1, 128, 128))
        # Unicode, spaces and S3's punctuation; an empty value.
        uni = [{"Key": "größe / ключ", "Value": "värde+=._:@-"}, {"Key": "empty", "Value": ""}]
        put_tags("tag/obj", uni)
        assert same(tags("tag/obj"), uni), tags("tag/obj")
        # Refusals change nothing: test_put_excess_tags, test_put_excess_key_tags, test_put_excess_val_tags, and S3's other rules.
        for bad in [simple(11), detail(10, 129, 256), detail(10, 128, 259),
                    [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}], [{"Key": "aws:x", "Value": "1"}],
                    [{"Key": "semi;colon", "Value": "1"}], [{"Key": "k", "Value": "tab\tvalue"}]]:
            assert error_of(lambda: put_tags("tag/obj", bad)) == ("InvalidTag", 400), bad
        assert same(tags("tag/obj"), uni)
        # An empty key (botocore refuses to send one itself).
        status, answer = raw("PUT", f"{ENDPOINT}/{BUCKET}/tag/obj?tagging", b"<Tagging><TagSet><Tag><Key></Key><Value>x</Value></Tag></TagSet></Tagging>")
        assert status == 400 and b"<Code>InvalidTag</Code>" in answer, (status, answer)
        for doc in [b"<Tagging><TagSet><Tag><Key>a</Key>", b"<Nope/>", b"<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>", b"<Tagging/>"]:
            status, answer = raw("PUT", f"{ENDPOINT}/{BUCKET}/tag/obj?tagging", doc)
            assert status == 400 and b"<Code>MalformedXML</Code>" in answer, (doc, status, answer)
        status, answer = raw("PUT", f"{ENDPOINT}/{BUCKET}/tag/obj?tagging", b"<Tagging><TagSet/></Tagging>", headers={"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})
        assert status == 400 and b"<Code>BadDigest</Code>" in answer, (status, answer)
        assert same(tags("tag/obj"), uni)
        # test_put_delete_tags; versionId=null addresses the object.
        s3.delete_object_tagging(Bucket=BUCKET, Key="tag/obj", VersionId="null")
        assert tags("tag/obj") == []
        assert "TagCount" not in s3.head_object(Bucket=BUCKET, Key="tag/obj")
        s3.put_object_tagging(Bucket=BUCKET, Key="tag/obj", VersionId="null", Tagging={"TagSet": simple(1)})
        assert same(s3.get_object_tagging(Bucket=BUCKET, Key="tag/obj", VersionId="null")["TagSet"], simple(1))
        assert error_of(lambda: s3.get_object_tagging(Bucket=BUCKET, Key="tag/obj", VersionId="3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrH")) == ("InvalidArgument", 400)
        after = s3.head_object(Bucket=BUCKET, Key="tag/obj")
        assert after["ETag"] == before["ETag"] and after["ContentLength"] == len(body) and after["Metadata"] == {"color": "blue"}, after
        assert s3.get_object(Bucket=BUCKET, Key="tag/obj")["Body"].read() == body
        # A missing key, the reserved name as user metadata, bucket tagging.
        assert error_of(lambda: tags("tag/missing")) == ("NoSuchKey", 404)
        assert error_of(lambda: put_tags("tag/missing", simple(1))) == ("NoSuchKey", 404)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="tag/missing"))[1] == 404
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="tag/meta", Body=b"m", Metadata={"gw_s3_tags": "a=b"})) == ("InvalidArgument", 400)
        # Bucket tagging: an untagged bucket's answer; setting tags has nowhere to keep them (docs/s3.md, Bucket owners).
        assert error_of(lambda: s3.get_bucket_tagging(Bucket=BUCKET)) == ("NoSuchTagSet", 404)
        assert error_of(lambda: s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})) == ("NotImplemented", 501)
        """, "object tagging");

    [Fact]
    public Task Boto3_tags_given_with_put_multipart_copy_and_post_object_are_kept() => RunBotoAsync(TaggingPrelude + "\n" + PostPrelude + "\n" + """
        # test_put_obj_with_tags (both spellings), test_get_obj_non_tagging
        s3.put_object(Bucket=BUCKET, Key="tag/put", Body=b"A" * 100, Tagging="foo=bar&bar=")
        # Answered ordered by key, as RGW answers and test_put_obj_with_tags compares the lists.
        assert tags("tag/put") == [{"Key": "bar", "Value": ""}, {"Key": "foo", "Value": "bar"}], tags("tag/put")
        status, answer = raw("PUT", f"{ENDPOINT}/{BUCKET}/tag/put2", b"B", headers={"x-amz-tagging": "foo=bar&bar&sp%C3%A4ce=a+b"})
        assert status == 200, (status, answer)
        assert same(tags("tag/put2"), [{"Key": "bar", "Value": ""}, {"Key": "foo", "Value": "bar"}, {"Key": "späce", "Value": "a b"}]), tags("tag/put2")
        s3.put_object(Bucket=BUCKET, Key="tag/none", Body=b"", Tagging="")
        assert tags("tag/none") == []
        # A refused tag header stores nothing.
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="tag/bad", Body=b"x", Tagging="&".join(f"k{i}=v" for i in range(11)))) == ("InvalidTag", 400)
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="tag/bad", Body=b"x", Tagging="k=v&k=w")) == ("InvalidTag", 400)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="tag/bad"))[1] == 404
        # CreateMultipartUpload: the tags are the completed object's.
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="tag/mp", Tagging="part=yes")["UploadId"]
        parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=BUCKET, Key="tag/mp", UploadId=up, PartNumber=n, Body=(b"p" * (5 * 1024 * 1024) if n == 1 else b"end"))["ETag"]} for n in (1, 2)]
        s3.complete_multipart_upload(Bucket=BUCKET, Key="tag/mp", UploadId=up, MultipartUpload={"Parts": parts})
        assert same(tags("tag/mp"), [{"Key": "part", "Value": "yes"}])
        mp_etag = s3.head_object(Bucket=BUCKET, Key="tag/mp")["ETag"]
        assert mp_etag.endswith('-2"'), mp_etag
        put_tags("tag/mp", simple(3))
        head = s3.head_object(Bucket=BUCKET, Key="tag/mp")
        assert head["ETag"] == mp_etag and head["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "3", head
        # CopyObject: tags copied by default, replaced with x-amz-tagging-directive REPLACE, with either metadata directive.
        s3.put_object(Bucket=BUCKET, Key="tag/src", Body=b"source", Metadata={"m": "1"}, Tagging="a=1&b=2")
        s3.copy_object(Bucket=BUCKET, Key="tag/copy", CopySource={"Bucket": BUCKET, "Key": "tag/src"}, Tagging="ignored=1")
        assert same(tags("tag/copy"), [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        s3.copy_object(Bucket=BUCKET, Key="tag/copy-r", CopySource={"Bucket": BUCKET, "Key": "tag/src"}, TaggingDirective="REPLACE", Tagging="c=3")
        assert same(tags("tag/copy-r"), [{"Key": "c", "Value": "3"}])
        assert s3.head_object(Bucket=BUCKET, Key="tag/copy-r")["Metadata"] == {"m": "1"}
        s3.copy_object(Bucket=BUCKET, Key="tag/copy-m", CopySource={"Bucket": BUCKET, "Key": "tag/src"}, MetadataDirective="REPLACE", Metadata={"n": "2"})
        assert same(tags("tag/copy-m"), [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        assert s3.head_object(Bucket=BUCKET, Key="tag/copy-m")["Metadata"] == {"n": "2"}
        s3.copy_object(Bucket=BUCKET, Key="tag/copy-e", CopySource={"Bucket": BUCKET, "Key": "tag/src"}, TaggingDirective="REPLACE")
        assert tags("tag/copy-e") == []
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="tag/copy-x", CopySource={"Bucket": BUCKET, "Key": "tag/src"}, TaggingDirective="REPLACE", Tagging="aws:x=1")) == ("InvalidTag", 400)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="tag/copy-x"))[1] == 404
        # POST Object: test_post_object_tags_authenticated_request's tagging field.
        xml = "<Tagging><TagSet><Tag><Key>0</Key><Value>0</Value></Tag><Tag><Key>1</Key><Value>1</Value></Tag></TagSet></Tagging>"
        r = post(form(key="foo-tags.txt", conditions=STD() + [["starts-with", "$tagging", ""]], extra={"tagging": xml}))
        assert r.status_code == 204, (r.status_code, r.content)
        assert stored("foo-tags.txt") == b"bar" and same(tags("foo-tags.txt"), simple(2))
        r = post(form(key="foo-badtags.txt", conditions=STD() + [["starts-with", "$tagging", ""]], extra={"tagging": "<Tagging><TagSet>"}))
        assert error(r) == (400, "MalformedXML"), error(r)
        assert stored("foo-badtags.txt") is None
        """, "tags on writes");
}
