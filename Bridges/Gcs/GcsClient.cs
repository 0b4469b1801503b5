using System.Net;
using Gateway.Contracts.Errors;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;
using Google.Cloud.Storage.V1;

namespace Gateway.Bridges.Gcs;

/// <summary>
/// The store's <see cref="StorageClient"/> (Google.Cloud.Storage.V1), built on first use so that a store whose
/// Application Default Credentials are missing still starts; credentials come from Google.Apis.Auth.
/// </summary>
sealed class GcsClient(GcsStoreOptions options, string store)
{
    const string Scope = "https://www.googleapis.com/auth/devstorage.full_control";
    readonly Lazy<Task<StorageClient>> _client = new(() => BuildAsync(options));

    public async Task<StorageClient> GetAsync()
    {
        try
        {
            return await _client.Value;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException or Newtonsoft.Json.JsonException)
        {
            // The cause may quote a credential file's content: keep it out of the message.
            throw new Contracts.Errors.GatewayException(Contracts.Errors.ErrorCode.Forbidden, $"GCS store '{store}': its credentials could not be loaded.");
        }
    }

    internal static async Task<StorageClient> BuildAsync(GcsStoreOptions options)
    {
        var builder = new StorageClientBuilder
        {
            BaseUri = options.Endpoint.TrimEnd('/') + "/storage/v1/",
            HttpClientFactory = new HandlerFactory(),
        };
        if (options.Anonymous) builder.UnauthenticatedAccess = true;
        else builder.GoogleCredential = await LoadCredentialAsync(options);
        var client = await builder.BuildAsync();
        // Timeouts belong to the bridge's resilience pipeline; a long transfer must not hit the 100 s default.
        client.Service.HttpClient.Timeout = Timeout.InfiniteTimeSpan;
        return client;
    }

    static async Task<GoogleCredential> LoadCredentialAsync(GcsStoreOptions options)
    {
        GoogleCredential credential;
        if (!string.IsNullOrEmpty(options.CredentialsJson))
            credential = CredentialFactory.FromJson<ServiceAccountCredential>(options.CredentialsJson).ToGoogleCredential();
        else if (!string.IsNullOrEmpty(options.CredentialsFile))
            credential = (await CredentialFactory.FromFileAsync<ServiceAccountCredential>(options.CredentialsFile, CancellationToken.None)).ToGoogleCredential();
        else
            credential = await GoogleCredential.GetApplicationDefaultAsync();
        return credential.IsCreateScopedRequired ? credential.CreateScoped(Scope) : credential;
    }

    /// <summary>
    /// SocketsHttpHandler with pooled connections recycled and no redirects (308 is the resumable protocol's). Nothing is
    /// decompressed: an object stored with Content-Encoding: gzip is handed out as stored (as S3 and Azure do, and as its
    /// MD5 says), so media downloads ask for gzip (GCS would otherwise gunzip it on the way: decompressive transcoding).
    /// </summary>
    sealed class HandlerFactory : HttpClientFactory
    {
        protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) => new NoRedirects
        {
            InnerHandler = new StoredBytes
            {
                InnerHandler = new SocketsHttpHandler
                {
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    AutomaticDecompression = DecompressionMethods.None,
                    AllowAutoRedirect = false,
                },
            },
        };
    }

    /// <summary>
    /// Google.Apis follows a redirect itself, above this handler (its <c>FollowRedirect</c> cannot be set through the
    /// client builder): it sends the request again, with the credential's token added anew and its <c>If-*</c> conditions
    /// dropped, wherever <c>Location</c> points. GCS's JSON API gives no redirect, so none is followed: without its
    /// <c>Location</c> a redirect is just a status, a 502 (GcsErrors). A resumable upload's 308 carries none anyway.
    /// </summary>
    sealed class NoRedirects : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (PlatformStatus.IsRedirect((int)response.StatusCode)) response.Headers.Location = null;
            return response;
        }
    }

    sealed class StoredBytes : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get && request.RequestUri?.Query.Contains("alt=media", StringComparison.Ordinal) == true)
            {
                request.Headers.AcceptEncoding.Clear();
                request.Headers.AcceptEncoding.ParseAdd("gzip");
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
