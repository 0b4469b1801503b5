using Gateway.Channel.Identity;
using Gateway.Contracts.Errors;

namespace Gateway.ChannelHosting;

/// <summary>Loads this node's key and the configured peer keys.</summary>
internal static class ChannelKeys
{
    public static string DefaultKeyFile(string dataDirectory) => Path.Combine(dataDirectory, "keys", "node.key");

    /// <summary>Reads the key; in Development a missing default key is generated, anywhere else it is an error.</summary>
    public static HybridSigningKey LoadOrCreate(string keyFile, bool mayGenerate)
    {
        if (File.Exists(keyFile)) return KeyFiles.ReadPrivate(keyFile);
        if (!mayGenerate)
            throw new InvalidOperationException(
                $"Gateway:Channel:KeyFile: no CTP-96 key at '{keyFile}'. Create one with 'dotnet run --project Gateway -- keys generate --out <dir>' and configure it (keys are only generated automatically in Development).");
        var key = HybridSigningKey.Generate();
        KeyFiles.Write(key, Path.GetDirectoryName(Path.GetFullPath(keyFile))!, Path.GetFileNameWithoutExtension(keyFile));
        return key;
    }

    /// <summary>Parses "ctp96-pub:..." text or reads a .pub file.</summary>
    public static HybridPublicKey ParsePublic(string value, string setting)
    {
        try
        {
            var text = value.Trim();
            return text.StartsWith("ctp96-pub:", StringComparison.Ordinal) ? HybridPublicKey.Parse(text) : KeyFiles.ReadPublic(text);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"{setting}: not a CTP-96 public key ('ctp96-pub:...' or a readable .pub file): {e.Message}");
        }
    }

    public static GatewayException Unavailable(string message) => new(ErrorCode.Unavailable, message);
}
