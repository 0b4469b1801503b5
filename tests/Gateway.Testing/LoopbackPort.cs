using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

public static class LoopbackPort
{
    /// <summary>A loopback TCP port that was free a moment ago (for a server the test starts on a port of its choosing).</summary>
    public static int Free()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
