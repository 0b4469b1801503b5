using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// Bucket configuration sub-resources (?policy, ?cors, ?lifecycle, ...) answered as S3 answers them for a bucket that
/// has none: what aws s3api, terraform-style probes, s3cmd info, rclone and mc read on an ordinary bucket.
/// </summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_reads_bucket_configurations_as_s3_answers_them_for_a_bucket_without_them() => RunBotoAsync("""
        import re
        # 404s with S3's own codes, each an S3 error document carrying the request id.
        for call, code in [
            (lambda: s3.get_bucket_policy(Bucket=BUCKET), "NoSuchBucketPolicy"),
            (lambda: s3.get_bucket_cors(Bucket=BUCKET), "NoSuchCORSConfiguration"),
            (lambda: s3.get_bucket_lifecycle_configuration(Bucket=BUCKET), "NoSuchLifecycleConfiguration"),
            (lambda: s3.get_bucket_encryption(Bucket=BUCKET), "ServerSideEncryptionConfigurationNotFoundError"),
            (lambda: s3.get_bucket_website(Bucket=BUCKET), "NoSuchWebsiteConfiguration"),
            (lambda: s3.get_bucket_tagging(Bucket=BUCKET), "NoSuchTagSet"),
            (lambda: s3.get_bucket_replication(Bucket=BUCKET), "ReplicationConfigurationNotFoundError"),
            (lambda: s3.get_object_lock_configuration(Bucket=BUCKET), "ObjectLockConfigurationNotFoundError"),
        ]:
            assert error_of(call) == (code, 404), (code, error_of(call))
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}?policy")
        assert status == 404 and b"<Code>NoSuchBucketPolicy</Code>" in body and re.search(rb"<RequestId>[0-9a-f]{32}</RequestId>", body), body
        # Documents for what is simply off.
        versioning = s3.get_bucket_versioning(Bucket=BUCKET)
        assert "Status" not in versioning and "MFADelete" not in versioning, versioning
        assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=BUCKET)
        notification = s3.get_bucket_notification_configuration(Bucket=BUCKET)
        assert not any(k.endswith("Configurations") or k == "EventBridgeConfiguration" for k in notification), notification
        assert s3.get_bucket_request_payment(Bucket=BUCKET)["Payer"] == "BucketOwner"
        assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=BUCKET)
        rules = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
        assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}], rules
        block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
        assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}, block
        acl = s3.get_bucket_acl(Bucket=BUCKET)
        assert [(g["Grantee"]["ID"], g["Permission"]) for g in acl["Grants"]] == [(acl["Owner"]["ID"], "FULL_CONTROL")], acl
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}?requestPayment")
        assert status == 200 and b'<RequestPaymentConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Payer>BucketOwner</Payer>' in body, body
        # An object addressed with a bucket sub-resource is still not a bucket configuration.
        s3.put_object(Bucket=BUCKET, Key="cfg/obj", Body=b"x")
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}/cfg/obj?cors")
        assert status == 501 and b"<Code>NotImplemented</Code>" in body, (status, body)
        """, "bucket configuration reads");

    [Fact]
    public Task Boto3_bucket_configuration_writes_take_only_what_the_bucket_already_is() => RunBotoAsync("""
        # Deleting a configuration the bucket does not have: S3's 204.
        for call in [s3.delete_bucket_policy, s3.delete_bucket_cors, s3.delete_bucket_lifecycle, s3.delete_bucket_encryption,
                     s3.delete_bucket_website, s3.delete_bucket_tagging, s3.delete_bucket_replication]:
            assert call(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"] == 204, call
        # Asking for what the bucket already is: taken.
        s3.put_bucket_logging(Bucket=BUCKET, BucketLoggingStatus={})
        s3.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={})
        s3.put_bucket_request_payment(Bucket=BUCKET, RequestPaymentConfiguration={"Payer": "BucketOwner"})
        s3.put_bucket_ownership_controls(Bucket=BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
        s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        # Enabling what the gateway cannot honour: a clean S3 error, nothing changed.
        policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}' % BUCKET
        for call in [
            lambda: s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"}),
            lambda: s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"}),
            lambda: s3.put_bucket_policy(Bucket=BUCKET, Policy=policy),
            lambda: s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}),
            lambda: s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": [
                {"ID": "x", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}]}),
            lambda: s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}),
            lambda: s3.put_bucket_website(Bucket=BUCKET, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}),
            lambda: s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]}),
            lambda: s3.put_bucket_accelerate_configuration(Bucket=BUCKET, AccelerateConfiguration={"Status": "Enabled"}),
            lambda: s3.put_bucket_logging(Bucket=BUCKET, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": BUCKET, "TargetPrefix": "log/"}}),
            lambda: s3.put_bucket_request_payment(Bucket=BUCKET, RequestPaymentConfiguration={"Payer": "Requester"}),
            lambda: s3.put_bucket_ownership_controls(Bucket=BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}),
            lambda: s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
                "BlockPublicAcls": False, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}),
            lambda: s3.delete_public_access_block(Bucket=BUCKET),
            lambda: s3.delete_bucket_ownership_controls(Bucket=BUCKET),
        ]:
            assert error_of(call) == ("NotImplemented", 501), error_of(call)
        # Object lock needs versioning enabled, which no bucket here has: S3's answer for that state.
        assert error_of(lambda: s3.put_object_lock_configuration(Bucket=BUCKET, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})) == ("InvalidBucketState", 409)
        other = BUCKET + "-lock"
        assert error_of(lambda: s3.create_bucket(Bucket=other, ObjectLockEnabledForBucket=True)) == ("NotImplemented", 501)
        assert other not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
        # A document that is not the configuration's: MalformedXML.
        status, body = raw("PUT", f"{ENDPOINT}/{BUCKET}?logging", b"<NotLogging/>")
        assert status == 400 and b"<Code>MalformedXML</Code>" in body, (status, body)
        status, body = raw("PUT", f"{ENDPOINT}/{BUCKET}?requestPayment", b"<RequestPaymentConfiguration><Payer>Nobody")
        assert status == 400 and b"<Code>MalformedXML</Code>" in body, (status, body)
        # S3 has no DELETE for these.
        for sub in ["versioning", "logging", "object-lock"]:
            status, body = raw("DELETE", f"{ENDPOINT}/{BUCKET}?{sub}")
            assert status == 405 and b"<Code>MethodNotAllowed</Code>" in body, (sub, status, body)
        # Nothing changed.
        assert "Status" not in s3.get_bucket_versioning(Bucket=BUCKET)
        assert error_of(lambda: s3.get_bucket_policy(Bucket=BUCKET)) == ("NoSuchBucketPolicy", 404)
        assert error_of(lambda: s3.get_bucket_tagging(Bucket=BUCKET)) == ("NoSuchTagSet", 404)
        assert s3.get_bucket_request_payment(Bucket=BUCKET)["Payer"] == "BucketOwner"
        assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
        assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=BUCKET)
        """, "bucket configuration writes");

    [Fact]
    public async Task Boto3_bucket_configurations_need_a_grant_and_an_existing_bucket()
    {
        await CreateBucketAsync(S3FrontDoor.ReadOnlyBucket);
        await RunBotoAsync("""
            reader = client(os.environ["READER_KEY_ID"], os.environ["READER_SECRET"])
            READABLE = "s3t-readable"
            # No grant on the bucket: AccessDenied, before anything else is said about it.
            for call in [lambda: reader.get_bucket_policy(Bucket=BUCKET), lambda: reader.get_bucket_logging(Bucket=BUCKET),
                         lambda: reader.get_public_access_block(Bucket=BUCKET), lambda: reader.get_bucket_versioning(Bucket=BUCKET)]:
                assert error_of(call) == ("AccessDenied", 403), error_of(call)
            # Read grant: the reads answer, the writes are refused.
            assert error_of(lambda: reader.get_bucket_cors(Bucket=READABLE)) == ("NoSuchCORSConfiguration", 404)
            assert reader.get_bucket_request_payment(Bucket=READABLE)["Payer"] == "BucketOwner"
            assert error_of(lambda: reader.delete_bucket_cors(Bucket=READABLE)) == ("AccessDenied", 403)
            assert error_of(lambda: reader.put_bucket_logging(Bucket=READABLE, BucketLoggingStatus={})) == ("AccessDenied", 403)
            # A missing bucket is NoSuchBucket, whatever the sub-resource (the GCS emulator lists any bucket name).
            missing = "s3t-no-such-bucket"
            for call in [lambda: s3.get_bucket_policy(Bucket=missing), lambda: s3.get_bucket_logging(Bucket=missing),
                         lambda: s3.get_bucket_ownership_controls(Bucket=missing), lambda: s3.delete_bucket_cors(Bucket=missing),
                         lambda: s3.put_bucket_versioning(Bucket=missing, VersioningConfiguration={"Status": "Enabled"})]:
                got = error_of(call)
                assert got == ("NoSuchBucket", 404) or os.environ["MISSING_BUCKETS_VISIBLE"] == "0", got
            """, "bucket configuration access");
    }

    [Fact]
    public async Task Aws_cli_reads_bucket_configurations_as_s3_answers_them()
    {
        var versioning = await Clients.AwsAsync("s3api", "get-bucket-versioning", "--bucket", Bucket);
        AssertOk(versioning, "get-bucket-versioning");
        Assert.DoesNotContain("Status", versioning.Stdout, StringComparison.Ordinal);
        var ownership = await Clients.AwsAsync("s3api", "get-bucket-ownership-controls", "--bucket", Bucket);
        AssertOk(ownership, "get-bucket-ownership-controls");
        Assert.Contains("BucketOwnerEnforced", ownership.Stdout, StringComparison.Ordinal);
        var payment = await Clients.AwsAsync("s3api", "get-bucket-request-payment", "--bucket", Bucket);
        AssertOk(payment, "get-bucket-request-payment");
        Assert.Contains("BucketOwner", payment.Stdout, StringComparison.Ordinal);
        foreach (var (command, code) in new[]
        {
            ("get-bucket-policy", "NoSuchBucketPolicy"), ("get-bucket-cors", "NoSuchCORSConfiguration"),
            ("get-bucket-lifecycle-configuration", "NoSuchLifecycleConfiguration"), ("get-bucket-tagging", "NoSuchTagSet"),
            ("get-bucket-encryption", "ServerSideEncryptionConfigurationNotFoundError"), ("get-bucket-website", "NoSuchWebsiteConfiguration"),
        })
        {
            var run = await Clients.AwsAsync("s3api", command, "--bucket", Bucket);
            Assert.True(run.ExitCode != 0 && run.Stderr.Contains($"({code})", StringComparison.Ordinal), $"{command}: {run}");
        }
        AssertOk(await Clients.AwsAsync("s3api", "delete-bucket-policy", "--bucket", Bucket), "delete-bucket-policy");
        AssertOk(await Clients.AwsAsync("s3api", "get-public-access-block", "--bucket", Bucket), "get-public-access-block");
        var put = await Clients.AwsAsync("s3api", "put-bucket-versioning", "--bucket", Bucket, "--versioning-configuration", "Status=Enabled");
        Assert.True(put.ExitCode != 0 && put.Stderr.Contains("(NotImplemented)", StringComparison.Ordinal), $"put-bucket-versioning: {put}");
    }

    [Fact]
    public async Task S3cmd_info_reads_a_bucket()
    {
        // s3cmd info reads the location, request payment, lifecycle, policy, CORS and ACL of the bucket.
        var info = await Clients.S3cmdAsync("info", $"s3://{Bucket}");
        AssertOk(info, "s3cmd info");
        Assert.Contains("Payer:", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("BucketOwner", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("FULL_CONTROL", info.Stdout, StringComparison.Ordinal);
    }
}
