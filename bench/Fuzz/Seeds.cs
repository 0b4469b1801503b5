using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Gateway.Channel.Witnesses;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Fuzz;

/// <summary>The seed corpus: valid inputs per target, made with the product's own encoders (<c>Gateway.Fuzz --seeds DIR</c>).</summary>
public static class Seeds
{
    public static void Write(string directory)
    {
        foreach (var (target, inputs) in All())
        {
            var dir = Path.Combine(directory, target);
            Directory.CreateDirectory(dir);
            for (var i = 0; i < inputs.Count; i++) File.WriteAllBytes(Path.Combine(dir, $"seed-{i:D2}"), inputs[i]);
        }
    }

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);
    private static byte[] With(byte first, byte[] rest) => [first, .. rest];

    private static IEnumerable<(string Target, List<byte[]> Inputs)> All()
    {
        var key = HybridSigningKey.FromSeeds(new byte[32], new byte[32]);
        var witness = new Witness
        {
            RequestId = "req-1", Operation = "object-storage.get-object", Target = "local/bucket/a.txt", Status = "ok",
            RequestBodySha256 = SHA256.HashData([]), ResponseBodySha256 = SHA256.HashData("hello"u8), HeadersSha256 = new byte[32],
            StartedAt = DateTimeOffset.UnixEpoch, CompletedAt = DateTimeOffset.UnixEpoch.AddSeconds(1), TranscriptHash = new byte[32],
        };
        var witnessFrame = Witness.EncodeFrame(0, witness.Encode());
        var frontier = new MerkleFrontier();
        frontier.Append(witness.LeafHash());
        var head = new SignedTreeHead
        {
            TreeSize = 1, RootHash = frontier.Root(), Timestamp = DateTimeOffset.UnixEpoch, HostKeyFingerprint = new byte[32], PreviousHeadHash = new byte[32],
        }.SignWith(key);
        var batch = new HeadBatch(head, 0, [witness.LeafHash()]).Encode();
        var response = Text("""{"ok":true,"hasBody":true,"result":{"info":{"key":"a","size":5,"etag":"\"e\""},"offset":0,"length":5}}""");
        var error = Text("""{"ok":false,"hasBody":false,"error":{"code":"not-found","message":"m","retryAfterSeconds":5,"extensions":{"etag":"x"}}}""");
        var request = Text("""{"id":"r1","family":"object-storage","instance":"local","operation":"put-object","target":"b/k","args":{"bucket":"b","key":"k"},"hasBody":true}""");

        yield return ("frame", [
            With(1, [.. Record(1, 2, 1, response), .. Record(0, 1, 1, Text("body")), .. Record(4, 0, 1, witnessFrame), .. Record(8, 0, 0, batch)]),
            With(1, [.. Record(2, 0, 1, [0, 0, 0, 32]), .. Record(3, 0, 1, Text("not-found\nmessage")), .. Record(6, 0, 0, []), .. Record(5, 0, 0, new byte[8])]),
            With(0, new byte[17 + 16]),
            With(0, [0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
        ]);
        var ek = MLKemPrivateKeyParameters.FromSeed(MLKemParameters.ml_kem_768, new byte[64]).GetPublicKeyEncoded();
        var hello = ClientHello.Create(new byte[32], new byte[32], ek, key, DateTimeOffset.UnixEpoch);
        var serverHello = ServerHello.EncodeUnsigned(new byte[32], new byte[32], new byte[HandshakeMessages.MLKemCiphertextLength], key.PublicKey);
        yield return ("handshake", [
            With(0, hello[HandshakeMessages.HeaderLength..]), With(1, serverHello[HandshakeMessages.HeaderLength..]), With(2, hello), With(4, hello),
            With(4, HandshakeMessages.Build(HandshakeMessages.AlertType, [3])), With(5, Text(key.PublicKey.ToText())),
            With(6, Text(key.PublicKey.Fingerprint.ToString())), With(7, key.PublicKey.Encoded.ToArray()),
        ]);
        yield return ("witness", [With(0, witnessFrame), With(1, head.Encode()), With(2, batch), With(3, response), With(3, error), With(4, request)]);
        yield return ("sigv4", [
            Text("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\n/test.txt?tagging&a=%2Fb\n20130524T000000Z\n\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            Text("\n/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404\n\n\n"),
            Text("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=\n/b/k?acl\n\nTue, 27 Mar 2007 19:36:42 +0000\n"),
        ]);
        yield return ("awschunked", [
            [0, 0, .. Text("5\r\nhello\r\n0\r\n\r\n")],
            [2, 0, .. Text("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n")],
            [4, 5, .. Text("5;chunk-signature=" + new string('a', 64) + "\r\nhello\r\n0;chunk-signature=" + new string('b', 64) + "\r\n\r\n")],
            [1, 0, .. Text("400;chunk-signature=" + new string('0', 64) + "\r\n")],
        ]);
        yield return ("s3xml", [
            With(0, Text("<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b c</Key><Value></Value></Tag></TagSet></Tagging>")),
            With(1, Text("<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>")),
            With(1, Text("<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>")),
            With(1, Text("<RequestPaymentConfiguration><Payer>BucketOwner</Payer></RequestPaymentConfiguration>")),
            With(2, Text("a=1&b%20c=&d=%E2%82%AC")),
            With(0, Text("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"e\">]><Tagging>&e;</Tagging>")),
        ]);
        var policy = Convert.ToBase64String(Text("""{"expiration":"2030-01-01T12:00:00.000Z","conditions":[{"bucket":"b"},["starts-with","$key","user/"],{"acl":"private"},["content-length-range",0,1048576],["eq","$Content-Type","text/plain"]]}"""));
        yield return ("postpolicy", [Text($"{policy}\nb\nuser/a.txt\nacl=private\nContent-Type=text/plain\nx-ignore-me=1"), Text("e30=\nb\nk\n")]);
        yield return ("headers", [
            Text("bytes=0-4\n\"9a0364b9e99bb480dd25e1f0284c8555\"\n\"a\", W/\"b\"\n*\nSun, 06 Nov 1994 08:49:37 GMT\nXrY7u+Ae7tCTyyK7j1rNww==\ntext/plain; charset=utf-8\nowner=me\ngreetings/hello%20world.txt"),
            Text("bytes=-5\nSun, 06 Nov 1994 08:49:37 GMT\n\n\"x\"\n\n\napplication/json\n\na%2Fb%25c"),
            Text("bytes=99999999999999999999999-\n\n\n\n\n\n\n\n../x"),
        ]);
        yield return ("postform", [
            Text("multipart/form-data; boundary=B\n--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuser/a.txt\r\n--B\r\nContent-Disposition: form-data; name=\"policy\"\r\n\r\ne30=\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B--\r\n"),
            Text("multipart/form-data; boundary=\"a b\"\n--a b\r\nContent-Disposition: form-data; name*=UTF-8''%C3%A9\r\n\r\nx\r\n--a b--\r\n"),
        ]);
        yield return ("sfv", [
            Text("sig1=(\"@method\" \"@target-uri\" \"content-digest\" \"content-type\");created=1618884473;keyid=\"test-key\";nonce=\"b3k2pp5k7z\";alg=\"ed25519\"\nsig1=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:\nsha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"),
            Text("a=1, b=?0, c=\"s\\\"x\";p=tok, d=(1 2.5 \"x\" :AA==:);q, e=@1618884473\nsig1=:AA==:\nsha-512=:YQ==:, sha-256=tok"),
        ]);
        yield return ("tokens", [
            With(0, Text("v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")),
            With(1, Text(Contracts.ObjectStorage.PageTokens.Wrap("s3", "token-1"))),
            With(2, Text(Convert.ToBase64String(Text("k:some/key")).TrimEnd('='))),
            With(2, Text(Convert.ToBase64String(Text("t:store-token")).TrimEnd('='))),
        ]);
    }

    private static byte[] Record(byte type, byte flags, uint stream, byte[] payload)
    {
        var record = new byte[8 + payload.Length];
        record[0] = type;
        record[1] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(2), stream);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(6), (ushort)payload.Length);
        payload.CopyTo(record, 8);
        return record;
    }
}
