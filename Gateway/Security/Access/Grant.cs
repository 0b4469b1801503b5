namespace Gateway.Security;

/// <summary>Operations allowed on the resources a pattern covers.</summary>
public sealed record Grant(Operation Operations, ResourcePattern Resource)
{
    public bool Allows(Operation operation, string resource, bool prefix)
    {
        var ops = Operations.HasFlag(Operation.Admin) ? Security.Operations.All : Operations;
        if ((ops & operation) != operation) return false;
        return prefix ? Resource.CoversPrefix(resource) : Resource.Matches(resource);
    }

    /// <summary>Parses the inline form <c>read,write:stores/local/**</c>.</summary>
    public static Grant Parse(string text)
    {
        var colon = text.IndexOf(':');
        if (colon <= 0) throw new FormatException($"'{text}' is not a grant of the form 'read,write:resource/pattern/**'.");
        return new Grant(ParseOperations(text[..colon].Split(',')), new ResourcePattern(text[(colon + 1)..]));
    }

    public static Operation ParseOperations(IEnumerable<string> names)
    {
        var ops = Operation.None;
        foreach (var name in names)
        {
            if (!Security.Operations.TryParse(name, out var op))
                throw new FormatException($"'{name}' is not an operation (read, write, delete, admin).");
            ops |= op;
        }
        if (ops == Operation.None) throw new FormatException("A grant names no operation.");
        return ops;
    }
}
