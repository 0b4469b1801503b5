using Xunit;

namespace Gateway.Testing.S3;

/// <summary>ACLs, as S3 answers on a bucket whose Object Ownership is "bucket owner enforced": private taken, more refused.</summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_private_acls_are_taken_and_public_ones_refused_with_nothing_stored() => RunBotoAsync("""
        # What every client sends by default, or nothing: taken.
        s3.put_object(Bucket=BUCKET, Key="acl/private", Body=b"p", ACL="private")
        s3.put_object(Bucket=BUCKET, Key="acl/owner", Body=b"o", ACL="bucket-owner-full-control")
        # Anything that would share the object: refused, and not stored as a private object the client thinks is public.
        for acl in ["public-read", "public-read-write", "authenticated-read"]:
            assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="acl/public", Body=b"x", ACL=acl)) == ("AccessControlListNotSupported", 400), acl
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="acl/public", Body=b"x", GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"')) == ("AccessControlListNotSupported", 400)
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="acl/public", CopySource={"Bucket": BUCKET, "Key": "acl/private"}, ACL="public-read")) == ("AccessControlListNotSupported", 400)
        assert error_of(lambda: s3.create_multipart_upload(Bucket=BUCKET, Key="acl/public", ACL="public-read")) == ("AccessControlListNotSupported", 400)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="acl/public"))[1] == 404
        assert "Uploads" not in s3.list_multipart_uploads(Bucket=BUCKET, Prefix="acl/")
        # A canned ACL S3 does not have is a bad argument, whatever it would mean.
        status, body = raw("PUT", f"{ENDPOINT}/{BUCKET}/acl/bad", b"x", headers={"x-amz-acl": "public-ready"})
        assert status == 400 and b"<Code>InvalidArgument</Code>" in body, (status, body)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="acl/bad"))[1] == 404

        other = BUCKET + "-acl"
        assert error_of(lambda: s3.create_bucket(Bucket=other, ACL="public-read")) == ("InvalidBucketAclWithObjectOwnership", 400)
        assert other not in [b["Name"] for b in s3.list_buckets()["Buckets"]]

        # GET ?acl says what is true: the owner has full control, nobody else anything.
        for acl in [s3.get_bucket_acl(Bucket=BUCKET), s3.get_object_acl(Bucket=BUCKET, Key="acl/private")]:
            assert [(g["Grantee"]["Type"], g["Permission"]) for g in acl["Grants"]] == [("CanonicalUser", "FULL_CONTROL")], acl
            assert acl["Grants"][0]["Grantee"]["ID"] == acl["Owner"]["ID"], acl
        assert error_of(lambda: s3.get_object_acl(Bucket=BUCKET, Key="acl/missing"))[1] == 404
        # PUT ?acl: a canned ACL that changes nothing is taken; one that shares, or a grant document, is refused.
        s3.put_object_acl(Bucket=BUCKET, Key="acl/private", ACL="private")
        s3.put_bucket_acl(Bucket=BUCKET, ACL="private")
        assert error_of(lambda: s3.put_object_acl(Bucket=BUCKET, Key="acl/private", ACL="public-read")) == ("AccessControlListNotSupported", 400)
        owner = s3.get_bucket_acl(Bucket=BUCKET)["Owner"]
        policy = {"Owner": owner, "Grants": [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}
        assert error_of(lambda: s3.put_bucket_acl(Bucket=BUCKET, AccessControlPolicy=policy)) == ("AccessControlListNotSupported", 400)
        assert [g["Permission"] for g in s3.get_bucket_acl(Bucket=BUCKET)["Grants"]] == ["FULL_CONTROL"]
        # The owner's full control alone, as a document (what GET ?acl answered): taken, as S3 takes it on such a bucket.
        mine = s3.get_object_acl(Bucket=BUCKET, Key="acl/private")
        s3.put_object_acl(Bucket=BUCKET, Key="acl/private", AccessControlPolicy={"Owner": mine["Owner"], "Grants": mine["Grants"]})
        s3.put_bucket_acl(Bucket=BUCKET, AccessControlPolicy={"Owner": owner, "Grants": s3.get_bucket_acl(Bucket=BUCKET)["Grants"]})
        # Full control to someone else, or the owner's plus anyone's: refused.
        someone = {"Grantee": {"Type": "CanonicalUser", "ID": "someone-else"}, "Permission": "FULL_CONTROL"}
        for grants in ([someone], mine["Grants"] + [someone], [{**mine["Grants"][0], "Permission": "READ"}, someone]):
            assert error_of(lambda: s3.put_object_acl(Bucket=BUCKET, Key="acl/private", AccessControlPolicy={"Owner": mine["Owner"], "Grants": grants})) == ("AccessControlListNotSupported", 400), grants
        assert error_of(lambda: s3.put_object_acl(Bucket=BUCKET, Key="acl/missing", AccessControlPolicy={"Owner": mine["Owner"], "Grants": mine["Grants"]}))[1] == 404
        """, "ACLs");
}
