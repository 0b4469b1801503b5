using System.Net;

namespace Gateway.Security;

internal static class LoopbackConnection
{
    /// <summary>
    /// The caller is on this machine. A dual-stack listener (<c>[::]</c>) sees an IPv4 loopback caller as
    /// <c>::ffff:127.0.0.1</c>, which <see cref="IPAddress.IsLoopback"/> alone does not count.
    /// </summary>
    public static bool IsFromLoopback(this ConnectionInfo connection) =>
        connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
}
