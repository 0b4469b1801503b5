using System.Net;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.IO;
using Gateway.Bridges.Rest.Auth;
using Gateway.Bridges.Rest.Destinations;
using Gateway.Bridges.Rest.Forwarding;
using Gateway.Bridges.Rest.Options;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Errors;
using Gateway.Contracts.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Polly;
using Polly.Timeout;

namespace Gateway.Bridges.Rest;

/// <summary>
/// One named upstream: picks a destination, rewrites path and headers, adds credentials, and sends the
/// call through the upstream's own resilience pipeline. Bodies stream both ways; redirects are never followed.
/// </summary>
public sealed class RestUpstream : IRestUpstream, IDisposable
{
    readonly RestUpstreamOptions _options;
    readonly HttpMessageInvoker _http;
    readonly DestinationSet _destinations;
    readonly HeaderCopier _headers;
    readonly IUpstreamAuth _auth;
    readonly BridgeResilience _resilience;
    readonly TimeProvider _time;
    readonly ILogger _logger;

    public RestUpstream(string name, RestUpstreamOptions options, ILoggerFactory loggers, TimeProvider? time = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new InvalidOperationException($"Invalid settings for REST upstream '{name}': {string.Join("; ", errors)}");
        Name = name;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = loggers.CreateLogger("Gateway.Bridges.Rest");
        _http = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a redirect goes back to the caller; the gateway never follows one elsewhere
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.Resilience.AttemptTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = UpstreamTraceContext.Default,
        }, disposeHandler: true);
        _destinations = new DestinationSet(options.DestinationAddresses().Select(d => new Destination(d.Id, d.Address)).ToArray(), _time);
        _headers = new HeaderCopier(options);
        _auth = IUpstreamAuth.Create(name, options.Auth, options.Resilience.AttemptTimeout, _time, _logger);
        _resilience = BridgePipeline.Create(name, options.Resilience, loggers, time, kind: "rest");
    }

    public string Name { get; }
    public string Kind => "rest";
    public long? MaxRequestBodyBytes => _options.MaxRequestBodyBytes;
    public BridgeResilience Resilience => _resilience;

    public BridgeStatus GetStatus()
    {
        var now = _time.GetUtcNow();
        // While the circuit is open (or isolated) no destination is called, whatever its own record says.
        var circuit = _resilience.CircuitState;
        var turnedAway = circuit is CircuitStates.Open or CircuitStates.Isolated ? "not called: circuit " + circuit : null;
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in _destinations.All)
            details[$"destination:{d.Id}"] = $"{d.Address.GetLeftPart(UriPartial.Authority)} {turnedAway ?? (d.IsHealthy(now) ? "healthy" : "cooling-down")}";
        return _resilience.GetStatus(details);
    }

    public async Task<RestResponse> SendAsync(RestRequest request, CancellationToken cancellationToken)
    {
        if (RequestBodyLimit.IsOver(request.ContentLength, _options.MaxRequestBodyBytes))
            throw RequestBodyLimit.Exceeded(_options.MaxRequestBodyBytes!.Value);
        var method = HttpMethod.Parse(request.Method);
        var body = request.Body is null ? null : new RequestBody(request.Body, _options.MaxRequestBodyBytes, _options.ReplayBufferBytes);
        var hasIdempotencyKey = request.Headers is IDictionary<string, StringValues> headers
            ? headers.ContainsKey("Idempotency-Key")
            : request.Headers.Any(h => h.Key.Equals("Idempotency-Key", StringComparison.OrdinalIgnoreCase));
        var idempotent = BridgePipeline.IsIdempotent(request.Method, hasIdempotencyKey);
        // A bad path fails here, before any attempt, so it is a 400 and not a retried failure.
        var relative = UpstreamPath.Relative(_options.PathPrefix, _options.RemovePathPrefix, request.Path, request.QueryString, _auth.QueryParameter,
            request.TrailingSlash);

        // With a body, the call keeps its own clocks, which stop while the caller's body is awaited (UpstreamClocks).
        using var clocks = body is null ? null : new UpstreamClocks(_options.Resilience.TotalTimeout, _options.Resilience.AttemptTimeout, _time);
        using var callToken = clocks is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, clocks.Total.Token);
        if (body is not null) body.Clocks = clocks;
        var context = ResilienceContextPool.Shared.Get(callToken?.Token ?? cancellationToken);
        HttpResponseMessage response;
        Destination destination;
        var state = new AttemptState(this, request, method, body, relative, cancellationToken);
        try
        {
            context.Properties.Set(BridgePipeline.Idempotent, idempotent);
            context.Properties.Set(BridgePipeline.SelfTimed, clocks is not null);
            response = await _resilience.Pipeline.ExecuteAsync(static (ctx, s) => s.Upstream.AttemptAsync(ctx, s), context, state)
                .ConfigureAwait(false);
            destination = state.LastDestination!;
        }
        catch (OperationCanceledException e) when (clocks is { Total.Expired: true } && !cancellationToken.IsCancellationRequested)
        {
            var total = clocks.Total.Timeout;
            _resilience.Health.RecordFailure($"timeout after {total.TotalMilliseconds:0} ms");
            throw new GatewayException(ErrorCode.Timeout, $"Bridge '{Name}' did not answer within {BridgePipeline.Format(total)}.", e);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.Unavailable && state.UpstreamFailed
            && e.InnerException is { } cause && TransientFailures.IsConnectionFailure(cause))
        {
            // The upstream itself failed (refused or dropped the connection, answered something that is not HTTP): a reverse
            // proxy's 502. An open circuit and a failing token endpoint stay 503: the gateway chose not to call, or could not.
            throw new GatewayException(ErrorCode.BadGateway, e.Message, cause);
        }
        catch (Exception e) when (e is not GatewayException && FindGatewayException(e) is { } inner)
        {
            throw inner;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
        return await ToRestResponseAsync(response, destination, request.Caller, cancellationToken).ConfigureAwait(false);
    }

    sealed class AttemptState(RestUpstream upstream, RestRequest request, HttpMethod method, RequestBody? body, string relative, CancellationToken callerToken)
    {
        public string Relative { get; } = relative;
        public CancellationToken CallerToken { get; } = callerToken;
        public RestUpstream Upstream { get; } = upstream;
        public RestRequest Request { get; } = request;
        public HttpMethod Method { get; } = method;
        public RequestBody? Body { get; } = body;
        public Destination? LastDestination { get; set; }

        /// <summary>The last attempt failed at the upstream's connection (not at the token endpoint, nor by the gateway's choice).</summary>
        public bool UpstreamFailed { get; set; }
    }

    async ValueTask<HttpResponseMessage> AttemptAsync(ResilienceContext context, AttemptState state)
    {
        using var clock = state.Body?.Clocks?.StartAttempt();
        using var attemptToken = clock is null ? null : CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, clock.Token);
        var ct = attemptToken?.Token ?? context.CancellationToken;
        for (var authTry = 0; ; authTry++)
        {
            var destination = state.LastDestination = _destinations.Pick();
            var message = new HttpRequestMessage(state.Method, UpstreamPath.Combine(destination.Address, state.Relative))
            {
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
            };
            if (state.Body is not null)
            {
                message.Content = new StreamContent(state.Body.OpenAttempt());
                if (state.Request.ContentLength is { } length) message.Content.Headers.ContentLength = length;
            }
            else if (!IsSafe(state.Method))
            {
                // No body as an empty one (Content-Length: 0): .NET's handler sends a request without content again, up to
                // three times, when a pooled connection drops before the answer, so a bodiless POST reached the upstream
                // up to four times with retries off, and a DELETE 16 with three. With content it sends it once; the
                // resilience pipeline alone decides what is retried.
                message.Content = new ByteArrayContent([]);
            }
            _headers.CopyRequestHeaders(state.Request, message);

            HttpResponseMessage response;
            try
            {
                await _auth.ApplyAsync(message, ct).ConfigureAwait(false);
                response = await _http.SendAsync(message, ct).ConfigureAwait(false);
                if (!IsFinalStatus(response.StatusCode))
                {
                    var status = (int)response.StatusCode;
                    response.Dispose();
                    throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The upstream answered with status {status}, not a final HTTP status.");
                }
            }
            catch (Exception caught)
            {
                // The attempt's own clock ran out (a call with a body): Polly's attempt timeout, which stood aside, would have said so.
                var e = clock is { Expired: true } && !context.CancellationToken.IsCancellationRequested
                    ? new TimeoutRejectedException($"The attempt timed out after {BridgePipeline.Format(clock.Timeout)}.", clock.Timeout, caught)
                    : caught;
                var gateway = FindGatewayException(e);
                var callerGone = e is OperationCanceledException && state.CallerToken.IsCancellationRequested;
                state.UpstreamFailed = gateway is null && TransientFailures.IsConnectionFailure(e);
                if (!callerGone && (gateway is null || gateway.Code is ErrorCode.Unavailable or ErrorCode.Timeout))
                    FailDestination(destination, e is OperationCanceledException or TimeoutRejectedException ? "timeout" : gateway is null ? "connection failed" : "token endpoint failed");
                Forbid(context, state);
                if (gateway is not null && !ReferenceEquals(gateway, caught)) throw gateway;
                if (!ReferenceEquals(e, caught)) throw e;
                throw;
            }
            Forbid(context, state);
            state.UpstreamFailed = false;

            if ((int)response.StatusCode >= 500) FailDestination(destination, $"HTTP {(int)response.StatusCode}");
            else destination.ReportSuccess();

            if (response.StatusCode == HttpStatusCode.Unauthorized && authTry == 0 && state.Body?.CanReplay != false && _auth.Rejected(message)
                && _options.Auth.Type == UpstreamAuthType.OAuth2ClientCredentials)
            {
                response.Dispose();
                continue;
            }
            return response;
        }
    }

    /// <summary>
    /// A status the caller can be given: 200-599. A 101 is final for HttpClient but the upgrade it means was never asked for
    /// (Upgrade is hop-by-hop, never forwarded), and its body is the raw connection, which never ends; 600-999 are not HTTP
    /// statuses (RFC 9110 §15: treat them as a server error). Either is an answer that is not HTTP: the proxy's 502.
    /// </summary>
    static bool IsFinalStatus(HttpStatusCode status) => (int)status is >= 200 and <= 599;

    // A body that has gone up past the replay buffer cannot be sent again: from then on this call is not retried.
    static void Forbid(ResilienceContext context, AttemptState state)
    {
        if (state.Body?.CanReplay == false) context.Properties.Set(BridgePipeline.Idempotent, false);
    }

    void FailDestination(Destination destination, string reason)
    {
        if (_destinations.All.Count == 1) return;
        destination.ReportFailure(_time.GetUtcNow(), _options.DestinationCooldown);
        RestLog.DestinationFailed(_logger, Name, destination.Id, reason, _options.DestinationCooldown.TotalMilliseconds);
    }

    async Task<RestResponse> ToRestResponseAsync(HttpResponseMessage response, Destination destination, RestCaller caller, CancellationToken ct)
    {
        try
        {
            var contentLength = response.Content.Headers.ContentLength;
            // A HEAD's answer and a 204 or 304 state the representation's length and carry no body (RFC 9110 §8.6): no limit to keep.
            var bodiless = response.RequestMessage?.Method == HttpMethod.Head
                || response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotModified;
            if (_options.MaxResponseBodyBytes is { } max && contentLength > max && !bodiless)
            {
                RestLog.ResponseTooLarge(_logger, Name, max);
                throw new GatewayException(ErrorCode.Unavailable, $"Upstream '{Name}' answered with a body larger than its limit of {max} bytes.");
            }
            if (HeaderCopier.FramingFault(response) is { } fault)
            {
                RestLog.InvalidResponseFraming(_logger, Name, fault);
                throw new GatewayException(ErrorCode.BadGateway, $"Upstream '{Name}' answered with {fault}: its length is ambiguous, so the answer is not passed on.");
            }
            if (HeaderCopier.UnknownTransferCoding(response) is { } coding)
            {
                var shown = coding.Length <= 40 && coding.All(char.IsAsciiLetterOrDigit) ? $"'{coding}'" : "one";
                RestLog.InvalidResponseFraming(_logger, Name, $"the transfer coding {shown}");
                throw new GatewayException(ErrorCode.BadGateway,
                    $"Upstream '{Name}' answered with the transfer coding {shown}, which the gateway does not undo: the answer is not passed on.");
            }
            var headers = _headers.ResponseHeaders(response, location => RewriteLocation(location, destination, caller));
            if (HeaderCopier.FirstUnsendable(headers) is { } unsendable)
            {
                RestLog.UnsendableResponseHeader(_logger, Name, unsendable);
                throw new GatewayException(ErrorCode.BadGateway,
                    $"Upstream '{Name}' answered a '{unsendable}' header the gateway cannot pass on: its value holds a control character or a byte outside US-ASCII.");
            }
            var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            if (_options.ResponseIdleTimeout is { } idle)
                body = new IdleReadStream(body, idle, _time, () =>
                {
                    RestLog.ResponseStalled(_logger, Name, idle.TotalMilliseconds);
                    return new IOException($"Upstream '{Name}' sent nothing for {BridgePipeline.Format(idle)} within its answer.");
                });
            if (_options.MaxResponseBodyBytes is { } limit)
                body = new LimitedReadStream(body, limit, () =>
                {
                    RestLog.ResponseTooLarge(_logger, Name, limit);
                    return new IOException($"The upstream response body exceeds the limit of {limit} bytes.");
                });
            return new RestResponse((int)response.StatusCode, headers, body, contentLength, new DisposeOnce(response));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    static bool IsSafe(HttpMethod method) => method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options || method == HttpMethod.Trace;

    /// <summary>
    /// A redirect to this upstream's own base is shown as the gateway path; any other Location passes unfollowed. Either
    /// way it never carries the gateway's own query credential (an upstream that redirects keeping the query, as a
    /// trailing-slash redirect does, echoed <c>api_key=...</c> to the caller). Null: the Location passes as it is.
    /// </summary>
    string? RewriteLocation(string location, Destination destination, RestCaller caller)
    {
        var shown = GatewayLocation(location, destination, caller) ?? location;
        if (_auth.QueryParameter is { } reserved) shown = UpstreamPath.WithoutParameter(shown, reserved);
        return ReferenceEquals(shown, location) ? null : shown;
    }

    string? GatewayLocation(string location, Destination destination, RestCaller caller)
    {
        if (!Uri.TryCreate(location, UriKind.Absolute, out var target)) return null;
        var prefix = _options.PathPrefix?.Trim('/') is { Length: > 0 } p ? new Uri(destination.Address, p + "/") : destination.Address;
        if (!prefix.IsBaseOf(target) || target.GetLeftPart(UriPartial.Authority) != prefix.GetLeftPart(UriPartial.Authority)) return null;
        var rest = target.AbsoluteUri[prefix.AbsoluteUri.Length..];
        // The way in takes RemovePathPrefix off a path that starts with it, so such a path is shown with it once more:
        // the Location then leads back to the resource the upstream named (until session 44, 'legacy/v1/report' came
        // back as '/v1/rest/rp/v1/report', which reaches 'legacy/report').
        if (_options.RemovePathPrefix?.Trim('/') is { Length: > 0 } removed && StartsWithSegment(rest, removed)) rest = removed + "/" + rest;
        // A caller without a Host (HTTP/1.0) is trusted least: PublicHost, or a path alone.
        var host = caller.Host.Length == 0 ? _headers.PublicHost : _headers.LocationHost(caller.Host);
        return host is { Length: > 0 } ? $"{caller.Scheme}://{host}{caller.PathPrefix}/{rest}" : $"{caller.PathPrefix}/{rest}";
    }

    /// <summary>The path of <paramref name="relative"/> (before any query or fragment) is <paramref name="segment"/> or starts with it and a '/'.</summary>
    static bool StartsWithSegment(string relative, string segment)
    {
        var end = relative.AsSpan().IndexOfAny('?', '#');
        var path = end < 0 ? relative : relative[..end];
        return path.Equals(segment, StringComparison.Ordinal) || path.StartsWith(segment + "/", StringComparison.Ordinal);
    }

    static GatewayException? FindGatewayException(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is GatewayException g) return g;
        return null;
    }

    sealed class DisposeOnce(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return default;
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _auth.Dispose();
    }
}
