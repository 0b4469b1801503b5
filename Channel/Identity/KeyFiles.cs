using System.Text;

namespace Gateway.Channel.Identity;

/// <summary>
/// Key files. Private: a text file (mode 0600) with lines "ctp96-private-key v1", "ed25519-seed: &lt;base64&gt;",
/// "ml-dsa-65-seed: &lt;base64&gt;". Public: one line "ctp96-pub:&lt;base64 of the 1984-byte key&gt;".
/// </summary>
public static class KeyFiles
{
    private const string Header = "ctp96-private-key v1";

    /// <summary>Writes &lt;dir&gt;/&lt;name&gt;.key (0600) and &lt;dir&gt;/&lt;name&gt;.pub; refuses to overwrite either (<see cref="KeyFileExistsException"/>).</summary>
    public static (string PrivatePath, string PublicPath) Write(HybridSigningKey key, string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var privatePath = Path.Combine(directory, name + ".key");
        var publicPath = Path.Combine(directory, name + ".pub");
        // A .pub alone is often a peer's pinned key (a host's, a client's): it is never replaced either.
        if (File.Exists(publicPath)) throw new KeyFileExistsException(publicPath);
        if (File.Exists(privatePath)) throw new KeyFileExistsException(privatePath);
        var text = new StringBuilder()
            .Append(Header).Append('\n')
            .Append("ed25519-seed: ").Append(Convert.ToBase64String(key.Ed25519Seed)).Append('\n')
            .Append("ml-dsa-65-seed: ").Append(Convert.ToBase64String(key.MLDsaSeed)).Append('\n')
            .ToString();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(privatePath, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            writer.Write(text);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(privatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            using var pub = new FileStream(publicPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            pub.Write(Encoding.ASCII.GetBytes(key.PublicKey.ToText() + "\n"));
        }
        catch (IOException) when (File.Exists(publicPath))
        {
            File.Delete(privatePath);
            throw new KeyFileExistsException(publicPath);
        }
        return (privatePath, publicPath);
    }

    public static HybridSigningKey ReadPrivate(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
                throw new InvalidOperationException($"The private key file {path} is readable by group or others; chmod 600 it.");
        }
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (lines.Length != 3 || lines[0] != Header)
            throw new FormatException($"{path} is not a CTP-96 private key file (expected '{Header}').");
        return HybridSigningKey.FromSeeds(Field(lines[1], "ed25519-seed:", path), Field(lines[2], "ml-dsa-65-seed:", path));
    }

    public static HybridPublicKey ReadPublic(string path) => HybridPublicKey.Parse(File.ReadAllText(path));

    private static byte[] Field(string line, string name, string path)
    {
        if (!line.StartsWith(name, StringComparison.Ordinal)) throw new FormatException($"{path}: expected '{name}'.");
        try { return Convert.FromBase64String(line[name.Length..].Trim()); }
        catch (FormatException) { throw new FormatException($"{path}: '{name}' is not valid base64."); }
    }
}

/// <summary>A key file of that name exists already: an existing key, private or public, is never overwritten.</summary>
public sealed class KeyFileExistsException(string path) : IOException($"The file '{path}' already exists (an existing key is never overwritten).");
