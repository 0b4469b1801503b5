namespace Gateway.Security;

internal static class SignatureKeyCheck
{
    public static IEnumerable<string> Errors(SecurityOptions security, AccessEvaluator access)
    {
        foreach (var (id, key) in security.Signatures.Keys)
        {
            foreach (var scope in key.Scopes)
                if (!access.IsKnownScope(scope)) yield return $"Gateway:Security:Signatures:Keys:{id}:Scopes: no policy named '{scope}'.";
        }
    }
}
