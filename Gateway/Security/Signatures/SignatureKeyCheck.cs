namespace Gateway.Security;

internal static class SignatureKeyCheck
{
    public static IEnumerable<string> Errors(SecurityOptions security, AccessEvaluator access)
    {
        foreach (var (id, key) in security.Signatures.Keys)
        {
            if (SignatureKeyring.Decode(id, key, out _) is { } error) yield return error;
            if (key.Scopes.Count == 0) yield return $"Gateway:Security:Signatures:Keys:{id}:Scopes is empty; give at least one policy name or grant.";
            foreach (var scope in key.Scopes)
                if (!access.IsKnownScope(scope)) yield return $"Gateway:Security:Signatures:Keys:{id}:Scopes: no policy named '{scope}'.";
        }
        if (security.Signatures.MaxAgeSeconds is < 1 or > 3600)
            yield return "Gateway:Security:Signatures:MaxAgeSeconds must be between 1 and 3600.";
    }
}
