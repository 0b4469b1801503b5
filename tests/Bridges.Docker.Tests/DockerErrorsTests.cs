using System.Net;
using Docker.DotNet;
using Gateway.Contracts.Errors;
using Xunit;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>Engine answers whose status says less than their message: what the gateway makes of them.</summary>
public sealed class DockerErrorsTests
{
    [Fact]
    public void A_container_marked_for_removal_is_a_conflict_not_an_unavailable_engine()
    {
        // What dockerd 26 answers a restart (or start) racing a forced remove (seventh probe): a 500, passed on as 503.
        var e = new DockerApiException(HttpStatusCode.InternalServerError,
            "{\"message\":\"Cannot restart container web: container is marked for removal and cannot be started\"}");
        var translated = DockerErrors.Translate(e, "local");
        Assert.Equal(ErrorCode.Conflict, translated.Code);
        Assert.Contains("marked for removal", translated.Message);
    }

    [Fact]
    public void Another_engine_500_stays_unavailable() =>
        Assert.Equal(ErrorCode.Unavailable, DockerErrors.Translate(
            new DockerApiException(HttpStatusCode.InternalServerError, "{\"message\":\"containerd: connection refused\"}"), "local").Code);
}
