using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// Server-side encryption and object lock headers (ceph/s3-tests' encryption-conflict and object-lock "invalid bucket"
/// assertions): refused as S3 refuses them, or NotImplemented, each storing nothing; SSE-S3 taken only where the store
/// encrypts at rest.
/// </summary>
public abstract partial class S3ClientSuite
{
    /// <summary>True when the store encrypts every object at rest under the platform's keys (the cloud store kinds).</summary>
    protected bool StoreEncryptsAtRest => StoreSettings["Kind"] is "azure-blob" or "gcs" or "s3";

    [Fact]
    public Task Boto3_object_lock_on_a_bucket_without_it_is_refused_and_stores_nothing() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="file1", Body=b"abc")
        until = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
        missing = ("InvalidRequest", 400)
        assert error_of(lambda: s3.put_object_retention(Bucket=BUCKET, Key="file1", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})) == missing
        assert error_of(lambda: s3.get_object_retention(Bucket=BUCKET, Key="file1")) == missing
        assert error_of(lambda: s3.put_object_legal_hold(Bucket=BUCKET, Key="file1", LegalHold={"Status": "ON"})) == missing
        assert error_of(lambda: s3.get_object_legal_hold(Bucket=BUCKET, Key="file1")) == missing
        assert error_of(lambda: s3.get_object_retention(Bucket=BUCKET + "-gone", Key="file1")) == ("NoSuchBucket", 404)
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="locked", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until)) == missing
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="locked", Body=b"x", ObjectLockLegalHoldStatus="ON")) == missing
        assert error_of(lambda: s3.create_multipart_upload(Bucket=BUCKET, Key="locked", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)) == missing
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="locked", CopySource={"Bucket": BUCKET, "Key": "file1"}, ObjectLockLegalHoldStatus="ON")) == missing
        status, body = raw("PUT", f"{ENDPOINT}/{BUCKET}/locked", b"x", headers={"x-amz-object-lock-mode": "GOVERNANCE"})
        assert status == 400 and b"Bucket is missing Object Lock Configuration" in body, (status, body)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="locked")) == ("404", 404)
        assert not s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads"), "an upload was started"
        assert s3.get_object(Bucket=BUCKET, Key="file1")["Body"].read() == b"abc"
        """, "object lock on a bucket without it");

    [Fact]
    public Task Boto3_server_side_encryption_headers_are_honoured_or_refused() => RunBotoAsync($$"""
        import base64, hashlib
        ENCRYPTS = {{(StoreEncryptsAtRest ? "True" : "False")}}
        key = os.urandom(32)
        sse_c = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": base64.b64encode(key).decode()}
        bad = ("InvalidArgument", 400)
        # The s3-tests conflict cases: each 400 InvalidArgument.
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="e", Body=b"x", ServerSideEncryption="AES256", **sse_c)) == bad
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="e", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="k1", **sse_c)) == bad
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="e", Body=b"x", ServerSideEncryption="AES256", SSEKMSKeyId="k1")) == bad
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="e", Body=b"x", SSEKMSKeyId="k1")) == bad
        for value in ("aes:kms", ""):
            status, body = raw("PUT", f"{ENDPOINT}/{BUCKET}/e", b"x", headers={"x-amz-server-side-encryption": value})
            assert status == 400 and b"<Code>InvalidArgument</Code>" in body, (value, status, body)
        # Keys this gateway does not hold: NotImplemented, never stored unencrypted.
        kms = ("NotImplemented", 501)
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="e", Body=b"x", ServerSideEncryption="aws:kms")) == kms
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="e", Body=b"x", **sse_c)) == kms
        assert error_of(lambda: s3.create_multipart_upload(Bucket=BUCKET, Key="e", ServerSideEncryption="aws:kms")) == kms
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="e")) == ("404", 404)
        assert not s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads"), "an upload was started"
        # Reads take no SSE-S3/KMS header, and no object here is SSE-C encrypted.
        s3.put_object(Bucket=BUCKET, Key="plain", Body=b"plain")
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="plain", **sse_c)) == ("InvalidRequest", 400)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="plain", **sse_c)) == ("400", 400)
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}/plain", headers={"x-amz-server-side-encryption": "aws:kms"})
        assert status == 400 and b"<Code>InvalidArgument</Code>" in body, (status, body)
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="copy", CopySource={"Bucket": BUCKET, "Key": "plain"},
                                               CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=sse_c["SSECustomerKey"])) == ("InvalidRequest", 400)
        # SSE-S3: taken and echoed where the store encrypts at rest; elsewhere NotImplemented and nothing stored.
        if ENCRYPTS:
            assert s3.put_object(Bucket=BUCKET, Key="s3enc", Body=b"x", ServerSideEncryption="AES256")["ServerSideEncryption"] == "AES256"
            assert s3.copy_object(Bucket=BUCKET, Key="s3copy", CopySource={"Bucket": BUCKET, "Key": "plain"}, ServerSideEncryption="AES256")["ServerSideEncryption"] == "AES256"
            up = s3.create_multipart_upload(Bucket=BUCKET, Key="s3multi", ServerSideEncryption="AES256")
            assert up["ServerSideEncryption"] == "AES256", up
            s3.abort_multipart_upload(Bucket=BUCKET, Key="s3multi", UploadId=up["UploadId"])
            assert s3.get_object(Bucket=BUCKET, Key="s3enc")["Body"].read() == b"x"
        else:
            assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="s3enc", Body=b"x", ServerSideEncryption="AES256")) == kms
            assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="s3copy", CopySource={"Bucket": BUCKET, "Key": "plain"}, ServerSideEncryption="AES256")) == kms
            assert error_of(lambda: s3.create_multipart_upload(Bucket=BUCKET, Key="s3multi", ServerSideEncryption="AES256")) == kms
            assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="s3enc")) == ("404", 404)
            assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="s3copy")) == ("404", 404)
        """, "server-side encryption");
    [Fact]
    public Task Post_object_server_side_encryption_and_object_lock_fields_follow_put_objects_rule() => RunBotoAsync(PostPrelude + "\n" + $$"""
        ENCRYPTS = {{(StoreEncryptsAtRest ? "True" : "False")}}
        SSE = "x-amz-server-side-encryption"
        def sse_form(key, fields):
            conditions = STD() + [["starts-with", "$" + name, ""] for name in fields]
            return form(key=key, conditions=conditions, extra=fields)
        def refused(key, fields, expected):
            r = post(sse_form(key, fields))
            assert error(r) == expected, (fields, r.status_code, r.content)
            assert stored(key) is None, f"{key} was stored"
        r = post(sse_form("foo-sse.txt", {SSE: "AES256"}))
        if ENCRYPTS:
            assert r.status_code == 204 and r.headers.get(SSE) == "AES256", (r.status_code, r.headers, r.content)
            assert stored("foo-sse.txt") == b"bar"
        else:
            assert error(r) == (501, "NotImplemented"), (r.status_code, r.content)
            assert stored("foo-sse.txt") is None
        customer = {SSE + "-customer-algorithm": "AES256", SSE + "-customer-key": "a2V5", SSE + "-customer-key-MD5": "bWQ1"}
        refused("foo-kms.txt", {SSE: "aws:kms"}, (501, "NotImplemented"))
        refused("foo-ssec.txt", customer, (501, "NotImplemented"))
        refused("foo-both.txt", {SSE: "AES256", **customer}, (400, "InvalidArgument"))
        refused("foo-keyid.txt", {SSE + "-aws-kms-key-id": "k1"}, (400, "InvalidArgument"))
        refused("foo-unknown.txt", {SSE: "aes:kms"}, (400, "InvalidArgument"))
        # Object lock fields: PutObject's refusal for its headers (the bucket has no object lock), not NotImplemented.
        refused("foo-locked.txt", {"x-amz-object-lock-legal-hold": "ON"}, (400, "InvalidRequest"))
        # The policy still names every field: an unnamed encryption field is the policy's refusal, before any other.
        r = post(form(key="foo-unnamed.txt", extra={SSE: "AES256"}))
        assert error(r) == (403, "AccessDenied"), (r.status_code, r.content)
        assert stored("foo-unnamed.txt") is None
        """, "POST Object server-side encryption and object lock");
}
