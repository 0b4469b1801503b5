using Gateway.Channel.Identity;

namespace Gateway.Channel.Tests;

public class IdentityTests
{
    [Fact]
    public void A_hybrid_signature_verifies_only_when_both_halves_do()
    {
        var message = "attested"u8.ToArray();
        var good = TestKeys.Host.Sign(message);
        Assert.True(TestKeys.Host.PublicKey.Verify(message, good));

        var other = TestKeys.Stranger.Sign(message);
        var edSwapped = good.ToArray();
        other.AsSpan(0, HybridSignature.Ed25519Length).CopyTo(edSwapped);
        Assert.False(TestKeys.Host.PublicKey.Verify(message, edSwapped));

        var mlSwapped = good.ToArray();
        other.AsSpan(HybridSignature.Ed25519Length).CopyTo(mlSwapped.AsSpan(HybridSignature.Ed25519Length));
        Assert.False(TestKeys.Host.PublicKey.Verify(message, mlSwapped));

        Assert.False(TestKeys.Host.PublicKey.Verify("other"u8, good));
        Assert.False(TestKeys.Host.PublicKey.Verify(message, good.AsSpan(1)));
    }

    [Fact]
    public void Key_files_round_trip_with_a_private_file_only_the_owner_can_read()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ctp96-keys", Guid.NewGuid().ToString("N"));
        try
        {
            using var key = HybridSigningKey.Generate();
            var (privatePath, publicPath) = KeyFiles.Write(key, dir, "node");
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privatePath));
            using var read = KeyFiles.ReadPrivate(privatePath);
            Assert.Equal(key.PublicKey, read.PublicKey);
            Assert.Equal(key.PublicKey, KeyFiles.ReadPublic(publicPath));
            Assert.ThrowsAny<IOException>(() => KeyFiles.Write(key, dir, "node"));
            Assert.Equal(key.PublicKey.Fingerprint, KeyFingerprint.Parse(key.PublicKey.Fingerprint.ToString()));

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(privatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
                Assert.Throws<InvalidOperationException>(() => KeyFiles.ReadPrivate(privatePath));
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// A .pub alone in the keys folder is often a peer's pinned key (session-43 probe: `keys generate --name bridge` next
    /// to a copied bridge.pub replaced it without a word): it is never overwritten, and no private key is left behind.
    /// </summary>
    [Fact]
    public void A_public_key_file_alone_is_never_overwritten()
    {
        var dir = Directory.CreateTempSubdirectory("ctp96-pinned-").FullName;
        try
        {
            using var peer = HybridSigningKey.Generate();
            var pinned = Path.Combine(dir, "bridge.pub");
            File.WriteAllText(pinned, peer.PublicKey.ToText() + "\n");
            using var mine = HybridSigningKey.Generate();
            var refused = Assert.Throws<KeyFileExistsException>(() => KeyFiles.Write(mine, dir, "bridge"));
            Assert.Contains("bridge.pub", refused.Message, StringComparison.Ordinal);
            Assert.Equal(peer.PublicKey, KeyFiles.ReadPublic(pinned));
            Assert.False(File.Exists(Path.Combine(dir, "bridge.key")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Malformed_public_keys_are_refused()
    {
        Assert.Throws<FormatException>(() => HybridPublicKey.Parse("ctp96-pub:AAAA"));
        Assert.Throws<FormatException>(() => HybridPublicKey.Parse("nope"));
        Assert.Throws<FormatException>(() => KeyFingerprint.Parse("sha256:zz"));
    }
}
