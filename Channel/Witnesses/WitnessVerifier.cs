using System.Security.Cryptography;
using Gateway.Channel.Identity;

namespace Gateway.Channel.Witnesses;

/// <summary>What the client itself saw of a call, to hold the host's witness against.</summary>
public sealed record WitnessExpectation(
    string RequestId, string Operation, string Target, string Status,
    byte[] RequestBodySha256, byte[] ResponseBodySha256, byte[] HeadersSha256, byte[] TranscriptHash);

public static class WitnessVerifier
{
    /// <summary>Decodes and checks a witness; throws <see cref="WitnessFailedException"/> naming the first failed check.</summary>
    public static Witness Verify(ReadOnlySpan<byte> encoded, WitnessExpectation expected, HybridPublicKey hostKey)
    {
        Witness witness;
        try { witness = Witness.Decode(encoded); }
        catch (FormatException) { throw new WitnessFailedException(WitnessFailure.Malformed, expected.RequestId); }
        // Signature first: nothing inside an unsigned witness is worth comparing.
        if (!witness.VerifySignature(hostKey)) throw new WitnessFailedException(WitnessFailure.BadSignature, expected.RequestId);
        if (witness.RequestId != expected.RequestId || witness.Operation != expected.Operation || witness.Target != expected.Target)
            throw new WitnessFailedException(WitnessFailure.ForeignRequest, expected.RequestId);
        if (!CryptographicOperations.FixedTimeEquals(witness.TranscriptHash, expected.TranscriptHash))
            throw new WitnessFailedException(WitnessFailure.WrongSession, expected.RequestId);
        if (witness.Status != expected.Status) throw new WitnessFailedException(WitnessFailure.StatusMismatch, expected.RequestId);
        if (!CryptographicOperations.FixedTimeEquals(witness.RequestBodySha256, expected.RequestBodySha256)
            || !CryptographicOperations.FixedTimeEquals(witness.ResponseBodySha256, expected.ResponseBodySha256)
            || !CryptographicOperations.FixedTimeEquals(witness.HeadersSha256, expected.HeadersSha256))
            throw new WitnessFailedException(WitnessFailure.DigestMismatch, expected.RequestId);
        return witness;
    }
}
