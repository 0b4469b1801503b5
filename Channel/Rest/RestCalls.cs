using Gateway.Contracts.Rest;

namespace Gateway.Channel.Rest;

/// <summary>Operation names and JSON shapes of the "rest" bridge family: one call forwards one HTTP request.</summary>
internal static class RestCalls
{
    public const string Family = "rest";
    public const string Forward = "forward";

    public sealed record ForwardArgs(string Method, string Path, string Query, List<HeaderField> Headers, long? ContentLength, RestCaller Caller);

    public sealed record ForwardResult(int Status, List<HeaderField> Headers, long? ContentLength);

    public sealed record HeaderField(string Name, string[] Values);
}
