using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// S3's additional checksums (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256) on PutObject and multipart uploads: verified
/// at the front door (BadDigest, nothing stored), echoed, kept per part (ListParts) and composed at completion
/// (COMPOSITE, "checksum-N") for an upload created with x-amz-checksum-algorithm, as boto3's transfer manager sends it.
/// </summary>
public abstract partial class S3ClientSuite
{
    private const string ChecksumPrelude = """
        import base64, hashlib, io, re, zlib
        from boto3.s3.transfer import TransferConfig
        def b64(b): return base64.b64encode(b).decode()
        def crc32(data): return b64(zlib.crc32(data).to_bytes(4, "big"))
        def sha256(data): return b64(hashlib.sha256(data).digest())
        def sha1(data): return b64(hashlib.sha1(data).digest())
        def missing(key): return error_of(lambda: s3.head_object(Bucket=BUCKET, Key=key)) == ("404", 404)
        # CRC-64/NVME by table (botocore needs awscrt for it, not installed here): reflected 0x9A6C9329AC4BC9B5, init and
        # xorout all ones; crc64(b, crc64(a)) continues over a + b.
        CRC64_TABLE = []
        for i in range(256):
            c = i
            for _ in range(8): c = (c >> 1) ^ 0x9A6C9329AC4BC9B5 if c & 1 else c >> 1
            CRC64_TABLE.append(c)
        def crc64(data, crc=0):
            crc ^= 0xFFFFFFFFFFFFFFFF
            for byte in data: crc = CRC64_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
            return crc ^ 0xFFFFFFFFFFFFFFFF
        def crc64nvme(data): return b64(crc64(data).to_bytes(8, "big"))
        assert crc64(b"123456789") == 0xAE8B14860A799888  # the CRC-64/NVME check value
        def send(method, url, body=b"", headers=None, trailer=None):
            # raw() with the answer's headers too; trailer=(name, value) sends body aws-chunked with that checksum trailer
            # (STREAMING-UNSIGNED-PAYLOAD-TRAILER), as newer SDKs send uploads by default.
            headers = dict(headers or {})
            if trailer:
                name, value = trailer
                headers.update({"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(body)), "x-amz-trailer": name})
                body = b"%x\r\n" % len(body) + body + b"\r\n0\r\n" + f"{name}:{value}\r\n\r\n".encode()
            req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers)
            if trailer: req.context["checksum"] = {"request_algorithm": {"in": "trailer", "name": trailer[0]}}
            signer(botocore.auth.S3SigV4Auth, os.environ["KEY_ID"], os.environ["SECRET"], REGION).add_auth(req)
            prepared = req.prepare()
            r = urllib.request.Request(prepared.url, data=body if method in ("PUT", "POST") else None, method=method, headers=dict(prepared.headers))
            try:
                with urllib.request.urlopen(r) as resp: return resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()}
            except urllib.error.HTTPError as e:
                return e.code, e.read(), {k.lower(): v for k, v in e.headers.items()}
        def parts_xml(parts):
            return ("<CompleteMultipartUpload>" + "".join(
                f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in parts) + "</CompleteMultipartUpload>").encode()
        """;

    [Fact]
    public Task Boto3_put_object_checksums_are_verified_and_echoed() => RunBotoAsync(ChecksumPrelude + "\n" + """
        body = b"checksummed body"
        assert s3.put_object(Bucket=BUCKET, Key="ck/sha256", Body=body, ChecksumSHA256=sha256(body))["ChecksumSHA256"] == sha256(body)
        assert s3.put_object(Bucket=BUCKET, Key="ck/crc32", Body=body, ChecksumCRC32=crc32(body))["ChecksumCRC32"] == crc32(body)
        assert s3.put_object(Bucket=BUCKET, Key="ck/sha1", Body=body, ChecksumSHA1=sha1(body))["ChecksumSHA1"] == sha1(body)
        # CRC-32C by hand (botocore needs awscrt for it): the Castagnoli polynomial, reflected.
        def crc32c(data):
            crc = 0xFFFFFFFF
            for byte in data:
                crc ^= byte
                for _ in range(8): crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
            return b64((crc ^ 0xFFFFFFFF).to_bytes(4, "big"))
        assert crc32c(b"123456789") == b64(bytes.fromhex("e3069283"))  # the CRC-32C check value
        assert s3.put_object(Bucket=BUCKET, Key="ck/crc32c", Body=body, ChecksumCRC32C=crc32c(body))["ChecksumCRC32C"] == crc32c(body)
        h = s3.head_object(Bucket=BUCKET, Key="ck/crc32", ChecksumMode="ENABLED")
        assert h["ChecksumCRC32"] == crc32(body) and h["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type") == "FULL_OBJECT", h
        for headers in ({"x-amz-checksum-crc32": crc32(b"other")}, {"x-amz-checksum-sha256": sha256(b"other")}):
            assert code(*raw("PUT", f"{ENDPOINT}/{BUCKET}/ck/bad", body, headers=headers)) == (400, "BadDigest"), headers
        # Asked for and not built (algorithms S3 added after CRC64NVME): refused, never ignored; an algorithm named without
        # its checksum is S3's InvalidRequest.
        assert code(*raw("PUT", f"{ENDPOINT}/{BUCKET}/ck/bad", body, headers={"x-amz-checksum-sha512": b64(hashlib.sha512(body).digest())})) == (501, "NotImplemented")
        assert code(*raw("PUT", f"{ENDPOINT}/{BUCKET}/ck/bad", body, headers={"x-amz-sdk-checksum-algorithm": "SHA256"})) == (400, "InvalidRequest")
        assert code(*raw("PUT", f"{ENDPOINT}/{BUCKET}/ck/bad", body, headers={"x-amz-sdk-checksum-algorithm": "MD5", "x-amz-checksum-crc32": crc32(body)})) == (400, "InvalidRequest")
        assert missing("ck/bad")
        """, "PutObject checksums");

    [Fact]
    public Task Boto3_multipart_checksums_are_kept_per_part_and_composed() => RunBotoAsync(ChecksumPrelude + "\n" + """
        p1, p2 = os.urandom(5 * 1024 * 1024), b"tail"
        key = "ck/multi"
        up = s3.create_multipart_upload(Bucket=BUCKET, Key=key, ChecksumAlgorithm="SHA256")
        assert up.get("ChecksumAlgorithm") == "SHA256", up
        uid = up["UploadId"]
        part_url = f"{ENDPOINT}/{BUCKET}/{key}?uploadId={uid}&partNumber="
        r1 = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid, PartNumber=1, Body=p1, ChecksumSHA256=sha256(p1))
        assert r1["ChecksumSHA256"] == sha256(p1), r1
        # A wrong checksum stores no part; another algorithm than the upload's is refused.
        assert code(*raw("PUT", part_url + "2", p2, headers={"x-amz-checksum-sha256": sha256(b"x")})) == (400, "BadDigest")
        assert code(*raw("PUT", part_url + "2", p2, headers={"x-amz-checksum-crc32": crc32(p2)})) == (400, "InvalidRequest")
        assert [p["PartNumber"] for p in s3.list_parts(Bucket=BUCKET, Key=key, UploadId=uid).get("Parts", [])] == [1]
        # A part sent without a checksum gets the upload's algorithm computed.
        status, _ = raw("PUT", part_url + "2", p2)
        assert status == 200, status
        listed = s3.list_parts(Bucket=BUCKET, Key=key, UploadId=uid)
        assert listed.get("ChecksumAlgorithm") == "SHA256", listed
        assert [(p["PartNumber"], p.get("ChecksumSHA256")) for p in listed["Parts"]] == [(1, sha256(p1)), (2, sha256(p2))], listed["Parts"]
        e1, e2 = (p["ETag"] for p in listed["Parts"])
        wrong = {"Parts": [{"PartNumber": 1, "ETag": e1, "ChecksumSHA256": sha256(b"no")}, {"PartNumber": 2, "ETag": e2}]}
        assert error_of(lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uid, MultipartUpload=wrong)) == ("InvalidPart", 400)
        assert missing(key)
        right = {"Parts": [{"PartNumber": 1, "ETag": e1, "ChecksumSHA256": sha256(p1)}, {"PartNumber": 2, "ETag": e2, "ChecksumSHA256": sha256(p2)}]}
        done = s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uid, MultipartUpload=right)
        composite = b64(hashlib.sha256(hashlib.sha256(p1).digest() + hashlib.sha256(p2).digest()).digest()) + "-2"
        assert done.get("ChecksumSHA256") == composite, done  # (this botocore leaves the body's ChecksumType out; HEAD answers it)
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == p1 + p2
        # Every store kind keeps it: the s3 store over s3rver completes on the parts area (see the multipart section of docs/s3.md).
        h = s3.head_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
        assert h.get("ChecksumSHA256") == composite and h["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type") == "COMPOSITE", h
        # The parts' checksums are kept past completion, as S3 keeps them: a part read by number answers its own...
        for number, part in ((1, p1), (2, p2)):
            h = s3.head_object(Bucket=BUCKET, Key=key, PartNumber=number, ChecksumMode="ENABLED")
            assert h.get("ChecksumSHA256") == sha256(part) and h["PartsCount"] == 2, h
            g = s3.get_object(Bucket=BUCKET, Key=key, PartNumber=number, ChecksumMode="ENABLED")
            assert g.get("ChecksumSHA256") == sha256(part) and g["Body"].read() == part, g
        # ...GetObjectAttributes lists them (and the object's without its "-N", as S3 writes it there)...
        a = s3.get_object_attributes(Bucket=BUCKET, Key=key, ObjectAttributes=["Checksum", "ObjectParts"])
        assert a["Checksum"].get("ChecksumSHA256") == composite[:-2], a
        assert [(p["PartNumber"], p.get("ChecksumSHA256")) for p in a["ObjectParts"]["Parts"]] == [(1, sha256(p1)), (2, sha256(p2))], a
        # ...and a repeated CompleteMultipartUpload answers the checksum with the object it made.
        again = s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uid, MultipartUpload=right)
        assert again.get("ChecksumSHA256") == composite and again["ETag"] == done["ETag"], again

        # boto3's transfer manager with a CRC32 upload: every part checked, the object's composite answered.
        s3.upload_fileobj(io.BytesIO(p1 + p2), BUCKET, "ck/transfer", ExtraArgs={"ChecksumAlgorithm": "CRC32"},
                          Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
        crcs = zlib.crc32(p1).to_bytes(4, "big") + zlib.crc32(p2).to_bytes(4, "big")
        h = s3.head_object(Bucket=BUCKET, Key="ck/transfer", ChecksumMode="ENABLED")
        assert h.get("ChecksumCRC32") == b64(zlib.crc32(crcs).to_bytes(4, "big")) + "-2", h

        # Not S3's, or not built: refused and no upload started.
        assert code(*raw("POST", f"{ENDPOINT}/{BUCKET}/ck/none?uploads", headers={"x-amz-checksum-algorithm": "CRC33"})) == (400, "InvalidRequest")
        assert code(*raw("POST", f"{ENDPOINT}/{BUCKET}/ck/none?uploads", headers={"x-amz-checksum-algorithm": "MD5"})) == (400, "InvalidRequest")
        assert not s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads"), "an upload is left"
        """, "multipart checksums");
}
