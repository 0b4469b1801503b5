namespace Gateway.ChannelHosting;

/// <summary>
/// A path with every symbolic link in it followed, as realpath(3) gives it: what decides where a file really lies.
/// Path.GetFullPath only removes "." and ".." as text, so a link outside the data folder that points into it passed
/// the trusted-keys rule (session-43 probe), and "link/.." named another folder than the one the kernel opens.
/// </summary>
internal static class RealPath
{
    private const int MaxLinks = 40; // as Linux's MAXSYMLINKS: a loop of links ends here instead of forever

    public static string Of(string path)
    {
        var links = 0;
        return Resolve(Path.IsPathRooted(path) ? path : Path.Combine(Environment.CurrentDirectory, path), ref links);
    }

    private static string Resolve(string path, ref int links)
    {
        var root = Path.GetPathRoot(path)!;
        var current = root;
        foreach (var part in path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            // ".." is taken after the links before it are followed, as the kernel does.
            if (part == "..") { current = Path.GetDirectoryName(current) ?? root; continue; }
            var next = Path.Combine(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) throw new IOException($"Too many levels of symbolic links at {next}.");
            // A relative target is relative to the folder holding the link; it may hold links of its own.
            current = Resolve(Path.IsPathRooted(target) ? target : Path.Combine(current, target), ref links);
        }
        return current;
    }
}
