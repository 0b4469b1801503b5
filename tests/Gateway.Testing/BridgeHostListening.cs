using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Testing;

/// <summary>A bridge host told to listen on port 0 names the port it got in its start-up log line.</summary>
public static partial class BridgeHostListening
{
    [GeneratedRegex(@"CTP-96 bridge host listening on \S+:(?<port>\d+) with key")]
    private static partial Regex Line();

    /// <summary>The port in a bridge host's "listening on" log line, or null for any other line.</summary>
    public static int? Port(string line) =>
        Line().Match(line) is { Success: true } m ? int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture) : null;
}
