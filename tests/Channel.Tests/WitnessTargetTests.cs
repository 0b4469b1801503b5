using System.Security.Cryptography;
using System.Text;
using Gateway.Channel.Witnesses;

namespace Gateway.Channel.Tests;

/// <summary>
/// <see cref="Witness.FitTarget"/>: what the gateway sends as a call's target always fits the witness's 4096-byte field, so the
/// host can always witness the call (a longer one made its witness encoding throw, and the call went unanswered).
/// </summary>
public class WitnessTargetTests
{
    private static Witness With(string target) => new()
    {
        RequestId = "r", Operation = "rest.forward", Target = target, Status = "ok",
        RequestBodySha256 = new byte[32], ResponseBodySha256 = new byte[32], HeadersSha256 = new byte[32],
        StartedAt = DateTimeOffset.UnixEpoch, CompletedAt = DateTimeOffset.UnixEpoch, TranscriptHash = new byte[32],
    };

    [Fact]
    public void A_target_that_fits_is_unchanged()
    {
        var target = "GET /" + new string('a', 4096 - "legacy/GET /".Length);
        Assert.Equal(4096, Encoding.UTF8.GetByteCount("legacy/" + target));
        Assert.Same(target, Witness.FitTarget("legacy", target));
    }

    [Theory]
    [InlineData("a", 4090)]
    [InlineData("é", 3000)]   // two bytes each: the cut must not split one
    [InlineData("😀", 2000)]  // a surrogate pair, four bytes
    public void A_longer_target_is_cut_to_fit_and_names_the_whole_by_its_hash(string unit, int count)
    {
        var target = "GET /" + string.Concat(Enumerable.Repeat(unit, count));
        var fitted = Witness.FitTarget("legacy", target);

        var encoded = With("legacy/" + fitted).Encode(); // throws when the field is too long
        Assert.Equal("legacy/" + fitted, Witness.Decode(encoded).Target);
        Assert.True(Encoding.UTF8.GetByteCount("legacy/" + fitted) <= Witness.MaxStringBytes);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("legacy/" + target)));
        Assert.EndsWith("...[sha256:" + hash + "]", fitted);
        var kept = fitted[..^("...[sha256:".Length + 64 + 1)];
        Assert.StartsWith(kept, target);
        Assert.True(kept.Length > 1000, $"only {kept.Length} characters of the target kept");
        Assert.Equal(fitted, Witness.FitTarget("legacy", target));
        Assert.NotEqual(fitted, Witness.FitTarget("legacy", target + unit));
    }

    [Fact]
    public void Before_fitting_such_a_target_cannot_be_witnessed()
    {
        Assert.Throws<InvalidOperationException>(() => With("legacy/GET /" + new string('a', 5000)).Encode());
    }
}
