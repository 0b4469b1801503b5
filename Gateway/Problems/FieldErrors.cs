using Gateway.Contracts.Errors;

namespace Gateway.Problems;

/// <summary>
/// The shared name rules speak of "the object key" or "bucket names"; a body (or query) with several names says which
/// one broke them, e.g. "target.key: The object key is empty.".
/// </summary>
internal static class FieldErrors
{
    public static void Named(string field, Action validate)
    {
        try { validate(); }
        catch (GatewayException e) when (e.Code == ErrorCode.BadRequest)
        {
            throw new GatewayException(ErrorCode.BadRequest, $"{field}: {e.Message}");
        }
    }
}
