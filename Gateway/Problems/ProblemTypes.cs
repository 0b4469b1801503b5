using Gateway.Contracts.Errors;

namespace Gateway.Problems;

/// <summary>Stable problem type URIs: one per error code, documented in docs/errors.md.</summary>
public static class ProblemTypes
{
    public const string Base = "https://gateway.dev/problems/";
    public static string For(ErrorCode code) => Base + code.Slug();
}
