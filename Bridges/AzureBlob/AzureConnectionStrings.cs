namespace Gateway.Bridges.AzureBlob;

/// <summary>
/// The credential parts of an Azure Storage connection string (<c>AccountName</c>, <c>AccountKey</c>,
/// <c>SharedAccessSignature</c>; a <c>UseDevelopmentStorage=true</c> string stands for the emulator's published
/// account and key, as the SDK reads it). The SDK parses
/// the string only inside its own clients; the bridge needs the credential again to address a blob whose name ends in
/// '/', which the SDK's name-based clients drop.
/// </summary>
static class AzureConnectionStrings
{
    // Azurite's and the storage emulator's fixed account, published by Microsoft: not a secret.
    const string DevelopmentAccount = "devstoreaccount1";
    const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static (string? AccountName, string? AccountKey, string? SasToken) Credentials(string connectionString)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = segment.IndexOf('=');
            if (equals > 0) parts[segment[..equals].Trim()] = segment[(equals + 1)..].Trim();
        }
        if (string.Equals(parts.GetValueOrDefault("UseDevelopmentStorage"), "true", StringComparison.OrdinalIgnoreCase))
            return (DevelopmentAccount, DevelopmentAccountKey, null);
        return (parts.GetValueOrDefault("AccountName"), parts.GetValueOrDefault("AccountKey"), parts.GetValueOrDefault("SharedAccessSignature"));
    }
}
