using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// What CompleteMultipartUpload checks before it completes anything: every part's checksum for a COMPOSITE upload, part
/// numbers 1..N for an upload with a checksum, and x-amz-mp-object-size against the parts' sizes. Each refusal leaves the
/// upload as it was, so the same upload then completes. Raw botocore-signed requests (the completion headers are newer
/// than Debian's botocore).
/// </summary>
public abstract partial class S3ClientSuite
{
    private const string CompletePrelude = """
        def complete_xml(parts):
            # parts: (number, etag, checksum element or None)
            return ("<CompleteMultipartUpload>" + "".join(
                f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag>{c or ''}</Part>" for n, e, c in parts) + "</CompleteMultipartUpload>").encode()
        def message(body):
            m = re.search(rb"<Message>(.*?)</Message>", body)
            return m.group(1).decode() if m else None
        """;

    [Fact]
    public Task Boto3_composite_completion_needs_every_parts_checksum() => RunBotoAsync(ChecksumPrelude + "\n" + CompletePrelude + "\n" + """
        p1, p2, p3 = os.urandom(5 * 1024 * 1024), os.urandom(5 * 1024 * 1024), b"tail"
        key = "cc/composite"
        up = s3.create_multipart_upload(Bucket=BUCKET, Key=key, ChecksumAlgorithm="CRC32")
        uid = up["UploadId"]
        etags = {}
        for number, part in ((1, p1), (2, p2), (3, p3)):
            etags[number] = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid, PartNumber=number, Body=part, ChecksumCRC32=crc32(part))["ETag"]
        url = f"{ENDPOINT}/{BUCKET}/{key}?uploadId={uid}"
        el = lambda part: f"<ChecksumCRC32>{crc32(part)}</ChecksumCRC32>"
        # No part checksum at all, then one missing for part 2: S3's InvalidRequest naming the first part without one.
        status, body, _ = send("POST", url, complete_xml([(1, etags[1], None), (2, etags[2], None), (3, etags[3], None)]))
        assert code(status, body) == (400, "InvalidRequest"), body
        assert message(body) == "The upload was created using a crc32 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.", body
        status, body, _ = send("POST", url, complete_xml([(1, etags[1], el(p1)), (2, etags[2], None), (3, etags[3], el(p3))]))
        assert code(status, body) == (400, "InvalidRequest") and "missing for part 2" in message(body), body
        # With a checksum on each part, the part numbers start at 1 and have no gaps.
        status, body, _ = send("POST", url, complete_xml([(1, etags[1], el(p1)), (3, etags[3], el(p3))]))
        assert code(status, body) == (400, "InvalidPartOrder"), body
        status, body, _ = send("POST", url, complete_xml([(2, etags[2], el(p2)), (3, etags[3], el(p3))]))
        assert code(status, body) == (400, "InvalidPartOrder"), body
        # An x-amz-checksum-type other than the upload's is BadDigest, as S3 documents it.
        every = complete_xml([(1, etags[1], el(p1)), (2, etags[2], el(p2)), (3, etags[3], el(p3))])
        status, body, _ = send("POST", url, every, headers={"x-amz-checksum-type": "FULL_OBJECT"})
        assert code(status, body) == (400, "BadDigest"), body
        # Nothing was completed and the upload keeps its parts.
        assert missing(key)
        assert len(s3.list_parts(Bucket=BUCKET, Key=key, UploadId=uid)["Parts"]) == 3
        status, body, _ = send("POST", url, every)
        composite = b64(zlib.crc32(b"".join(zlib.crc32(p).to_bytes(4, "big") for p in (p1, p2, p3))).to_bytes(4, "big")) + "-3"
        assert status == 200 and field(body, "ChecksumCRC32") == composite, body
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == p1 + p2 + p3

        # A FULL_OBJECT upload takes a completion without part checksums (S3 combines the kept ones), and checks those given.
        key = "cc/full"
        status, answer, _ = send("POST", f"{ENDPOINT}/{BUCKET}/{key}?uploads", headers={"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "FULL_OBJECT"})
        uid = field(answer, "UploadId")
        e1 = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid, PartNumber=1, Body=p1, ChecksumCRC32=crc32(p1))["ETag"]
        e2 = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid, PartNumber=2, Body=p3, ChecksumCRC32=crc32(p3))["ETag"]
        url = f"{ENDPOINT}/{BUCKET}/{key}?uploadId={uid}"
        status, body, _ = send("POST", url, complete_xml([(1, e1, el(p2)), (2, e2, None)]))
        assert code(status, body) == (400, "InvalidPart") and missing(key), body
        status, body, _ = send("POST", url, complete_xml([(1, e1, None), (2, e2, el(p3))]))
        assert status == 200 and field(body, "ChecksumCRC32") == crc32(p1 + p3), body
        """, "composite completion checks");

    [Fact]
    public Task Boto3_completion_checks_x_amz_mp_object_size() => RunBotoAsync(ChecksumPrelude + "\n" + CompletePrelude + "\n" + """
        p1, p2 = os.urandom(5 * 1024 * 1024), b"the last part"
        key = "cc/sized"
        uid = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
        e1 = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid, PartNumber=1, Body=p1)["ETag"]
        e2 = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid, PartNumber=2, Body=p2)["ETag"]
        url = f"{ENDPOINT}/{BUCKET}/{key}?uploadId={uid}"
        parts = complete_xml([(1, e1, None), (2, e2, None)])
        size = len(p1) + len(p2)
        for wrong in (size + 1, size - 1, 0):
            status, body, _ = send("POST", url, parts, headers={"x-amz-mp-object-size": str(wrong)})
            assert code(status, body) == (400, "InvalidRequest") and "x-amz-mp-object-size" in message(body), (wrong, body)
        for malformed in ("ten", "-1", "1.5", "99999999999999999999"):
            status, body, _ = send("POST", url, parts, headers={"x-amz-mp-object-size": malformed})
            assert status == 400 and code(status, body)[1] in ("InvalidArgument", "InvalidRequest"), (malformed, body)
        assert missing(key) and len(s3.list_parts(Bucket=BUCKET, Key=key, UploadId=uid)["Parts"]) == 2
        status, body, _ = send("POST", url, parts, headers={"x-amz-mp-object-size": str(size)})
        assert status == 200 and field(body, "ETag"), body
        assert s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] == size
        """, "x-amz-mp-object-size");
}
