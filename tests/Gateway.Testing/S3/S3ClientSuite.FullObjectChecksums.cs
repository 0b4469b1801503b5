using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// CRC64NVME (header and aws-chunked trailer, PutObject and UploadPart) and FULL_OBJECT multipart checksums: the CRC of
/// the whole object combined from the parts' CRCs, verified against the one CompleteMultipartUpload names (BadDigest,
/// nothing completed) and answered as S3 answers it. Debian's botocore (1.29) predates CRC64NVME and x-amz-checksum-type,
/// so those requests are botocore-signed raw ones.
/// </summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_crc64nvme_checksums_are_verified_echoed_and_kept() => RunBotoAsync(ChecksumPrelude + "\n" + """
        body = b"checksummed body"
        crc = crc64nvme(body)
        assert crc == "x9P/nHUVchk=", crc  # what AWS's own @aws-sdk/crc64-nvme answers for this body
        status, _, answered = send("PUT", f"{ENDPOINT}/{BUCKET}/nv/header", body, headers={"x-amz-checksum-crc64nvme": crc})
        assert status == 200 and answered.get("x-amz-checksum-crc64nvme") == crc, (status, answered)
        for method in ("HEAD", "GET"):
            status, got, answered = send(method, f"{ENDPOINT}/{BUCKET}/nv/header", headers={"x-amz-checksum-mode": "ENABLED"})
            assert (answered.get("x-amz-checksum-crc64nvme"), answered.get("x-amz-checksum-type")) == (crc, "FULL_OBJECT"), (method, answered)
        assert got == body
        # In an aws-chunked trailer: checked and echoed (a trailer is known only after the write started, so not kept).
        status, _, answered = send("PUT", f"{ENDPOINT}/{BUCKET}/nv/trailer", body, trailer=("x-amz-checksum-crc64nvme", crc))
        assert status == 200 and answered.get("x-amz-checksum-crc64nvme") == crc, (status, answered)
        assert s3.get_object(Bucket=BUCKET, Key="nv/trailer")["Body"].read() == body
        status, _, answered = send("PUT", f"{ENDPOINT}/{BUCKET}/nv/sdk", body, headers={"x-amz-sdk-checksum-algorithm": "CRC64NVME", "x-amz-checksum-crc64nvme": crc})
        assert status == 200 and answered.get("x-amz-checksum-crc64nvme") == crc, (status, answered)
        # A wrong one, in a header or a trailer: BadDigest, nothing stored; the algorithm named without its checksum: InvalidRequest.
        assert code(*raw("PUT", f"{ENDPOINT}/{BUCKET}/nv/bad", body, headers={"x-amz-checksum-crc64nvme": crc64nvme(b"other")})) == (400, "BadDigest")
        status, answer, _ = send("PUT", f"{ENDPOINT}/{BUCKET}/nv/bad", body, trailer=("x-amz-checksum-crc64nvme", crc64nvme(b"other")))
        assert code(status, answer) == (400, "BadDigest"), answer
        assert code(*raw("PUT", f"{ENDPOINT}/{BUCKET}/nv/bad", body, headers={"x-amz-sdk-checksum-algorithm": "CRC64NVME"})) == (400, "InvalidRequest")
        assert missing("nv/bad")

        # An upload created with CRC64NVME is FULL_OBJECT (S3 has no other type for it); each part checked and echoed.
        status, answer, answered = send("POST", f"{ENDPOINT}/{BUCKET}/nv/multi?uploads", headers={"x-amz-checksum-algorithm": "CRC64NVME"})
        assert status == 200 and (answered.get("x-amz-checksum-algorithm"), answered.get("x-amz-checksum-type")) == ("CRC64NVME", "FULL_OBJECT"), answered
        uid = field(answer, "UploadId")
        part_url = f"{ENDPOINT}/{BUCKET}/nv/multi?uploadId={uid}&partNumber="
        p1, p2 = os.urandom(5 * 1024 * 1024), b"the last part"
        c1 = crc64(p1)
        status, answer, answered = send("PUT", part_url + "1", p1, trailer=("x-amz-checksum-crc64nvme", b64(c1.to_bytes(8, "big"))))
        assert status == 200 and answered.get("x-amz-checksum-crc64nvme") == b64(c1.to_bytes(8, "big")), (status, answer)
        e1 = answered["etag"]
        assert code(*raw("PUT", part_url + "2", p2, headers={"x-amz-checksum-crc64nvme": crc64nvme(b"x")})) == (400, "BadDigest")
        status, _, answered = send("PUT", part_url + "2", p2, headers={"x-amz-checksum-crc64nvme": crc64nvme(p2)})
        assert status == 200, status
        e2 = answered["etag"]
        status, listed, _ = send("GET", f"{ENDPOINT}/{BUCKET}/nv/multi?uploadId={uid}")
        assert (field(listed, "ChecksumAlgorithm"), field(listed, "ChecksumType")) == ("CRC64NVME", "FULL_OBJECT"), listed
        assert re.findall(rb"<ChecksumCRC64NVME>(.*?)</ChecksumCRC64NVME>", listed) == [b64(c1.to_bytes(8, "big")).encode(), crc64nvme(p2).encode()], listed
        whole = b64(crc64(p2, c1).to_bytes(8, "big"))  # the CRC of p1 + p2, continued over p2
        complete_url = f"{ENDPOINT}/{BUCKET}/nv/multi?uploadId={uid}"
        status, answer, _ = send("POST", complete_url, parts_xml([(1, e1), (2, e2)]), headers={"x-amz-checksum-crc64nvme": crc64nvme(b"no")})
        assert code(status, answer) == (400, "BadDigest") and missing("nv/multi"), answer
        status, done, _ = send("POST", complete_url, parts_xml([(1, e1), (2, e2)]), headers={"x-amz-checksum-crc64nvme": whole})
        assert status == 200 and (field(done, "ChecksumCRC64NVME"), field(done, "ChecksumType")) == (whole, "FULL_OBJECT"), done
        assert s3.get_object(Bucket=BUCKET, Key="nv/multi")["Body"].read() == p1 + p2
        """, "CRC64NVME checksums");

    [Fact]
    public Task Boto3_full_object_multipart_checksums_combine_the_parts_crcs() => RunBotoAsync(ChecksumPrelude + "\n" + """
        p1, p2, p3 = os.urandom(5 * 1024 * 1024), os.urandom(5 * 1024 * 1024 + 7), b"tail"
        key = "fo/crc32"
        status, answer, answered = send("POST", f"{ENDPOINT}/{BUCKET}/{key}?uploads", headers={"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "FULL_OBJECT"})
        assert status == 200 and (answered.get("x-amz-checksum-algorithm"), answered.get("x-amz-checksum-type")) == ("CRC32", "FULL_OBJECT"), answered
        uid = field(answer, "UploadId")
        etags = []
        for number, part in ((1, p1), (2, p2)):
            r = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid, PartNumber=number, Body=part, ChecksumCRC32=crc32(part))
            assert r.get("ChecksumCRC32") == crc32(part), r
            etags.append(r["ETag"])
        status, _ = raw("PUT", f"{ENDPOINT}/{BUCKET}/{key}?uploadId={uid}&partNumber=3", p3)  # no checksum: computed
        assert status == 200, status
        etags.append(s3.list_parts(Bucket=BUCKET, Key=key, UploadId=uid)["Parts"][2]["ETag"])
        parts = {"Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]}
        whole = crc32(p1 + p2 + p3)
        # A full-object checksum that is not the object's: BadDigest, nothing completed, the upload still there.
        assert error_of(lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uid, MultipartUpload=parts, ChecksumCRC32=crc32(b"no"))) == ("BadDigest", 400)
        # One of another algorithm: InvalidRequest; another checksum type than the upload's: BadDigest (as S3 documents it).
        assert error_of(lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uid, MultipartUpload=parts, ChecksumSHA256=sha256(p1 + p2 + p3))) == ("InvalidRequest", 400)
        complete_url = f"{ENDPOINT}/{BUCKET}/{key}?uploadId={uid}"
        assert code(*raw("POST", complete_url, parts_xml(enumerate(etags, 1)), headers={"x-amz-checksum-type": "COMPOSITE"})) == (400, "BadDigest")
        assert missing(key) and len(s3.list_parts(Bucket=BUCKET, Key=key, UploadId=uid)["Parts"]) == 3
        status, done, _ = send("POST", complete_url, parts_xml(enumerate(etags, 1)), headers={"x-amz-checksum-crc32": whole, "x-amz-checksum-type": "FULL_OBJECT"})
        assert status == 200 and (field(done, "ChecksumCRC32"), field(done, "ChecksumType")) == (whole, "FULL_OBJECT"), done
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == p1 + p2 + p3
        # Every store kind keeps it: the s3 store over s3rver completes on the parts area (see the multipart section of docs/s3.md).
        h = s3.head_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
        assert h.get("ChecksumCRC32") == whole and h["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type") == "FULL_OBJECT", h
        g = s3.get_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")  # botocore checks the body against it
        assert g.get("ChecksumCRC32") == whole and g["Body"].read() == p1 + p2 + p3, g
        # A part of a FULL_OBJECT object answers no checksum, as S3; GetObjectAttributes lists the parts' own.
        h = s3.head_object(Bucket=BUCKET, Key=key, PartNumber=2, ChecksumMode="ENABLED")
        assert "ChecksumCRC32" not in h and h["PartsCount"] == 3, h
        a = s3.get_object_attributes(Bucket=BUCKET, Key=key, ObjectAttributes=["Checksum", "ObjectParts"])
        assert a["Checksum"].get("ChecksumCRC32") == whole, a
        assert [p.get("ChecksumCRC32") for p in a["ObjectParts"]["Parts"]] == [crc32(p1), crc32(p2), crc32(p3)], a
        status, again, _ = send("POST", complete_url, parts_xml(enumerate(etags, 1)))
        assert status == 200 and (field(again, "ChecksumCRC32"), field(again, "ChecksumType")) == (whole, "FULL_OBJECT"), again

        # CRC32C, completed without naming the object's checksum: computed all the same.
        def crc32c(data):
            table = [0] * 256
            for i in range(256):
                c = i
                for _ in range(8): c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
                table[i] = c
            crc = 0xFFFFFFFF
            for byte in data: crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
            return b64((crc ^ 0xFFFFFFFF).to_bytes(4, "big"))
        small = os.urandom(100)
        status, answer, _ = send("POST", f"{ENDPOINT}/{BUCKET}/fo/crc32c?uploads", headers={"x-amz-checksum-algorithm": "CRC32C", "x-amz-checksum-type": "FULL_OBJECT"})
        up = field(answer, "UploadId")
        status, _, answered = send("PUT", f"{ENDPOINT}/{BUCKET}/fo/crc32c?uploadId={up}&partNumber=1", small, headers={"x-amz-checksum-crc32c": crc32c(small)})
        assert status == 200, status
        status, done, _ = send("POST", f"{ENDPOINT}/{BUCKET}/fo/crc32c?uploadId={up}", parts_xml([(1, answered["etag"])]))
        assert (field(done, "ChecksumCRC32C"), field(done, "ChecksumType")) == (crc32c(small), "FULL_OBJECT"), done

        # What S3 refuses: SHA with FULL_OBJECT, CRC64NVME with COMPOSITE, a type without an algorithm or not S3's; no upload started.
        for headers in ({"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "FULL_OBJECT"},
                        {"x-amz-checksum-algorithm": "SHA1", "x-amz-checksum-type": "FULL_OBJECT"},
                        {"x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "COMPOSITE"},
                        {"x-amz-checksum-type": "FULL_OBJECT"},
                        {"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "WHOLE"}):
            assert code(*raw("POST", f"{ENDPOINT}/{BUCKET}/fo/none?uploads", headers=headers)) == (400, "InvalidRequest"), headers
        # An upload without a checksum: completing it with one named is InvalidRequest, nothing completed.
        plain = s3.create_multipart_upload(Bucket=BUCKET, Key="fo/plain")["UploadId"]
        e = s3.upload_part(Bucket=BUCKET, Key="fo/plain", UploadId=plain, PartNumber=1, Body=small)["ETag"]
        assert "ChecksumAlgorithm" not in s3.list_parts(Bucket=BUCKET, Key="fo/plain", UploadId=plain)
        assert error_of(lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key="fo/plain", UploadId=plain,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]}, ChecksumCRC32=crc32(small))) == ("InvalidRequest", 400)
        assert missing("fo/plain")
        s3.abort_multipart_upload(Bucket=BUCKET, Key="fo/plain", UploadId=plain)
        assert not s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads"), "an upload is left"
        """, "FULL_OBJECT multipart checksums");

    [Fact]
    public Task Post_object_checksum_fields_are_verified_kept_and_echoed() => RunBotoAsync(ChecksumPrelude + "\n" + PostPrelude + "\n" + """
        body = b"posted body"
        def with_sum(key, fields, file=("f", body)):
            conditions = STD() + [["starts-with", "$" + name, ""] for name in fields]
            return post(form(key=key, conditions=conditions, extra=fields), file=file)
        for name, value in (("x-amz-checksum-crc64nvme", crc64nvme(body)), ("x-amz-checksum-crc32", crc32(body)), ("x-amz-checksum-sha256", sha256(body))):
            key = "foo-" + name
            r = with_sum(key, {name: value, "x-amz-checksum-algorithm": name[len("x-amz-checksum-"):].upper()})
            assert r.status_code == 204 and r.headers.get(name) == value, (r.status_code, r.content, r.headers)
            assert stored(key) == body
            status, _, answered = send("HEAD", f"{ENDPOINT}/{BUCKET}/{key}", headers={"x-amz-checksum-mode": "ENABLED"})
            assert (answered.get(name), answered.get("x-amz-checksum-type")) == (value, "FULL_OBJECT"), answered
        # A wrong checksum: BadDigest, nothing stored. Two, or the algorithm without its checksum: InvalidRequest.
        r = with_sum("foo-bad.txt", {"x-amz-checksum-crc64nvme": crc64nvme(b"other")})
        assert error(r) == (400, "BadDigest"), r.content
        r = with_sum("foo-bad.txt", {"x-amz-checksum-crc32": crc32(body), "x-amz-checksum-sha256": sha256(body)})
        assert error(r) == (400, "InvalidRequest"), r.content
        r = with_sum("foo-bad.txt", {"x-amz-checksum-algorithm": "CRC32"})
        assert error(r) == (400, "InvalidRequest"), r.content
        # An algorithm S3 added later is not built: refused, never ignored.
        r = with_sum("foo-bad.txt", {"x-amz-checksum-sha512": b64(hashlib.sha512(body).digest())})
        assert error(r) == (501, "NotImplemented"), r.content
        assert stored("foo-bad.txt") is None
        """, "POST Object checksums");
}
