using Google.Apis.Auth.OAuth2;

namespace Gateway.Bridges.Gcs;

/// <summary>OAuth2 access tokens for the JSON API from a service-account key or Application Default Credentials.</summary>
sealed class GcsCredentials(GcsStoreOptions options)
{
    const string Scope = "https://www.googleapis.com/auth/devstorage.full_control";
    readonly Lazy<Task<ITokenAccess?>> _credential = new(() => LoadAsync(options));

    /// <summary>The Authorization header value, or null for anonymous access.</summary>
    public async Task<string?> AuthorizationAsync(CancellationToken ct)
    {
        var credential = await _credential.Value;
        if (credential is null) return null;
        return "Bearer " + await credential.GetAccessTokenForRequestAsync(cancellationToken: ct);
    }

    static async Task<ITokenAccess?> LoadAsync(GcsStoreOptions options)
    {
        if (options.Anonymous) return null;
        GoogleCredential credential;
        if (!string.IsNullOrEmpty(options.CredentialsJson))
            credential = CredentialFactory.FromJson<ServiceAccountCredential>(options.CredentialsJson).ToGoogleCredential();
        else if (!string.IsNullOrEmpty(options.CredentialsFile))
            credential = (await CredentialFactory.FromFileAsync<ServiceAccountCredential>(options.CredentialsFile, CancellationToken.None)).ToGoogleCredential();
        else
            credential = await GoogleCredential.GetApplicationDefaultAsync();
        return credential.IsCreateScopedRequired ? credential.CreateScoped(Scope) : credential;
    }
}
