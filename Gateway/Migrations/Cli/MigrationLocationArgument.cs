namespace Gateway.Migrations.Cli;

/// <summary>Parses <c>store:bucket/prefix</c> (prefix optional), as the CLI writes a migration's source and target.</summary>
internal static class MigrationLocationArgument
{
    public static MigrationLocation Parse(string text)
    {
        var colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) throw new FormatException($"'{text}' is not store:bucket[/prefix].");
        var rest = text[(colon + 1)..];
        var slash = rest.IndexOf('/');
        return slash < 0
            ? new MigrationLocation(text[..colon], rest)
            : new MigrationLocation(text[..colon], rest[..slash], rest[(slash + 1)..] is { Length: > 0 } p ? p : null);
    }
}
