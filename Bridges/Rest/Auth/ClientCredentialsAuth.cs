using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Bridges.Rest.Options;
using Gateway.Contracts.Errors;
using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.Rest.Auth;

/// <summary>
/// OAuth2 client credentials grant: one token per upstream, cached until shortly before it expires,
/// fetched by one caller at a time, and dropped when the upstream answers 401.
/// </summary>
sealed class ClientCredentialsAuth : IUpstreamAuth
{
    readonly string _upstream;
    readonly UpstreamAuthOptions _options;
    readonly TimeSpan _timeout;
    readonly TimeProvider _time;
    readonly ILogger _logger;
    readonly HttpMessageInvoker _http;
    readonly SemaphoreSlim _gate = new(1, 1);
    volatile CachedToken? _token;

    sealed record CachedToken(AuthenticationHeaderValue Header, DateTimeOffset RenewAt);

    public ClientCredentialsAuth(string upstream, UpstreamAuthOptions options, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        _upstream = upstream;
        _options = options;
        _timeout = timeout;
        _time = time;
        _logger = logger;
        _http = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = timeout,
        });
    }

    /// <summary>How many tokens were fetched so far (tests and diagnostics).</summary>
    public int TokensFetched { get; private set; }

    public async ValueTask ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = _token;
        if (token is null || _time.GetUtcNow() >= token.RenewAt)
            token = await RenewAsync(token, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = token.Header;
    }

    public bool Rejected(HttpRequestMessage request)
    {
        // Only the token that was refused is dropped, so a burst of 401s leads to one renewal.
        var current = _token;
        if (current is not null && ReferenceEquals(current.Header, request.Headers.Authorization))
        {
            _token = null;
            RestLog.TokenRejected(_logger, _upstream);
        }
        return true;
    }

    async Task<CachedToken> RenewAsync(CachedToken? stale, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _token;
            if (current is not null && !ReferenceEquals(current, stale) && _time.GetUtcNow() < current.RenewAt)
                return current;
            var fresh = await FetchAsync(cancellationToken).ConfigureAwait(false);
            _token = fresh;
            return fresh;
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task<CachedToken> FetchAsync(CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (!string.IsNullOrEmpty(_options.Scope)) form.Add(new("scope", _options.Scope));
        if (!string.IsNullOrEmpty(_options.Audience)) form.Add(new("audience", _options.Audience));
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.TokenUrl);
        if (_options.ClientAuthentication == ClientAuthenticationMethod.Basic)
        {
            // RFC 6749 2.3.1: id and secret are form-encoded before being joined.
            var pair = $"{Uri.EscapeDataString(_options.ClientId!)}:{Uri.EscapeDataString(_options.ClientSecret!)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }
        else
        {
            form.Add(new("client_id", _options.ClientId!));
            form.Add(new("client_secret", _options.ClientSecret!));
        }
        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.ParseAdd("application/json");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new GatewayException(ErrorCode.Unavailable, $"Upstream '{_upstream}': its token endpoint could not be reached.", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                RestLog.TokenFailed(_logger, _upstream, (int)response.StatusCode);
                // RFC 6749 §5.2: a refused client or grant is a 400 or 401 (403 from some servers); anything else is the endpoint failing.
                var refused = response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
                throw new GatewayException(ErrorCode.Unavailable,
                    $"Upstream '{_upstream}': its token endpoint {(refused ? "refused the gateway's credentials" : "failed")} (HTTP {(int)response.StatusCode}).");
            }
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                using var json = await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token).ConfigureAwait(false);
                var root = json.RootElement;
                var accessToken = root.GetProperty("access_token").GetString();
                if (string.IsNullOrEmpty(accessToken)) throw new FormatException("empty access_token");
                var type = root.TryGetProperty("token_type", out var t) ? t.GetString() : null;
                var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt64(out var seconds)
                    ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
                var renewIn = lifetime - _options.RefreshBeforeExpiry;
                if (renewIn < lifetime / 2) renewIn = lifetime / 2;
                TokensFetched++;
                RestLog.TokenFetched(_logger, _upstream, lifetime.TotalSeconds);
                var scheme = string.Equals(type, "bearer", StringComparison.OrdinalIgnoreCase) || type is null ? "Bearer" : type;
                return new CachedToken(new AuthenticationHeaderValue(scheme, accessToken), _time.GetUtcNow() + renewIn);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new GatewayException(ErrorCode.Unavailable, $"Upstream '{_upstream}': its token endpoint gave no usable access token.", e);
            }
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }
}
