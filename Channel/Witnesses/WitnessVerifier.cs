using System.Security.Cryptography;

namespace Gateway.Channel.Witnesses;

/// <summary>What the client itself saw of a call, to hold the host's witness against.</summary>
public sealed record WitnessExpectation(
    string RequestId, string Operation, string Target, string Status,
    byte[] RequestBodySha256, byte[] ResponseBodySha256, byte[] HeadersSha256, byte[] TranscriptHash);

public static class WitnessVerifier
{
    /// <summary>
    /// Compares a witness with what this side saw; returns the first failed check, or null. Whether the host stands
    /// behind the witness (its inclusion under a signed head) is <see cref="SessionLog"/>'s part.
    /// </summary>
    public static WitnessFailure? Check(Witness witness, WitnessExpectation expected)
    {
        if (witness.RequestId != expected.RequestId || witness.Operation != expected.Operation || witness.Target != expected.Target)
            return WitnessFailure.ForeignRequest;
        if (!CryptographicOperations.FixedTimeEquals(witness.TranscriptHash, expected.TranscriptHash)) return WitnessFailure.WrongSession;
        if (witness.Status != expected.Status) return WitnessFailure.StatusMismatch;
        if (!CryptographicOperations.FixedTimeEquals(witness.RequestBodySha256, expected.RequestBodySha256)
            || !CryptographicOperations.FixedTimeEquals(witness.ResponseBodySha256, expected.ResponseBodySha256)
            || !CryptographicOperations.FixedTimeEquals(witness.HeadersSha256, expected.HeadersSha256))
            return WitnessFailure.DigestMismatch;
        return null;
    }
}
