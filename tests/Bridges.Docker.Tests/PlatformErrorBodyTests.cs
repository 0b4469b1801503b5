using Gateway.Contracts.Errors;
using Xunit;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>The message Docker's engine and Kubernetes' API server put in their JSON error answers.</summary>
public sealed class PlatformErrorBodyTests
{
    [Theory]
    [InlineData("{\"message\":\"No such container: abc\"}", "No such container: abc")]
    [InlineData("{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"pods \\\"x\\\" not found\",\"code\":404}", "pods \"x\" not found")]
    [InlineData("{\"message\":42}", null)]
    [InlineData("[\"message\"]", null)]
    [InlineData("not json", null)]
    [InlineData("{\"message\":\"\\udc00\"}", null)] // an escaped lone surrogate: no text (GetString threw)
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void Finds_the_message_of_a_json_error_body_or_none(string? body, string? expected) =>
        Assert.Equal(expected, PlatformErrorBody.Message(body));
}
