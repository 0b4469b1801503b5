namespace Gateway.Channel.Tests.KnownAnswers;

/// <summary>
/// Reads the published vectors shipped next to the tests: "# comment", "[section]" and "name = hex" lines.
/// Each file names the document or NIST file its values were copied from.
/// </summary>
internal sealed class KnownAnswerFile
{
    private readonly Dictionary<string, Dictionary<string, byte[]>> _sections = new(StringComparer.Ordinal);

    private KnownAnswerFile() { }

    public static KnownAnswerFile Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "KnownAnswers", name);
        Assert.True(File.Exists(path), $"{path} was not copied next to the tests.");
        var file = new KnownAnswerFile();
        var current = file.Section("");
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith('['))
            {
                current = file.Section(line.Trim('[', ']'));
                continue;
            }
            var eq = line.IndexOf('=');
            Assert.True(eq > 0, $"{name}: '{line}' is not 'name = hex'.");
            current[line[..eq].Trim()] = Convert.FromHexString(line[(eq + 1)..].Trim());
        }
        return file;
    }

    private Dictionary<string, byte[]> Section(string name)
    {
        if (!_sections.TryGetValue(name, out var section)) _sections[name] = section = new(StringComparer.Ordinal);
        return section;
    }

    public IReadOnlyDictionary<string, byte[]> this[string section] => _sections[section];

    public byte[] Get(string name) => _sections[""][name];

    public IEnumerable<string> SectionNames => _sections.Where(s => s.Key.Length > 0 && s.Value.Count > 0).Select(s => s.Key);
}

/// <summary>Hands out exactly the given chunks, in order, and fails if the code asks for different sizes.</summary>
internal sealed class ScriptedEntropy(params byte[][] chunks) : Gateway.Channel.Handshake.IHandshakeEntropy
{
    private readonly Queue<byte[]> _chunks = new(chunks);

    public int Remaining => _chunks.Count;

    public void Fill(Span<byte> buffer)
    {
        Assert.True(_chunks.Count > 0, $"The handshake asked for {buffer.Length} more random bytes than the vector supplies.");
        var next = _chunks.Dequeue();
        Assert.True(next.Length == buffer.Length, $"The handshake asked for {buffer.Length} random bytes where the vector supplies {next.Length}.");
        next.CopyTo(buffer);
    }
}
