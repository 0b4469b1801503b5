namespace Gateway.Bridges.AzureBlob;

/// <summary>
/// The credential parts of an Azure Storage connection string (<c>AccountName</c>, <c>AccountKey</c>,
/// <c>SharedAccessSignature</c>; a <c>UseDevelopmentStorage</c> string has none here). The SDK parses
/// the string only inside its own clients; the bridge needs the credential again to address a blob whose name ends in
/// '/', which the SDK's name-based clients drop.
/// </summary>
static class AzureConnectionStrings
{
    public static (string? AccountName, string? AccountKey, string? SasToken) Credentials(string connectionString)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = segment.IndexOf('=');
            if (equals > 0) parts[segment[..equals].Trim()] = segment[(equals + 1)..].Trim();
        }
        return (parts.GetValueOrDefault("AccountName"), parts.GetValueOrDefault("AccountKey"), parts.GetValueOrDefault("SharedAccessSignature"));
    }
}
