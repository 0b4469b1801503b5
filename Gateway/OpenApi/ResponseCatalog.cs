using System.Text.Json.Nodes;
using Gateway.Contracts.Errors;
using Gateway.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.OpenApi;

/// <summary>
/// Makes the document say what the gateway answers: every status an operation can give (the refusals every request
/// can meet, the bridge failures, the object-specific ones), with the problem schema and the response headers, plus
/// unique operation ids, summaries and a server. A test lints the committed document with Redocly CLI.
/// </summary>
internal static class ResponseCatalog
{
    private const string Problem = "ProblemDetails";

    public static void Configure(OpenApiOptions options)
    {
        options.AddOperationTransformer((operation, context, _) =>
        {
            Describe(operation, context);
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers = [new OpenApiServer { Url = "/", Description = "The gateway that serves this document (paths are relative to it)." }];
            DescribeProblemSchema(document);
            foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
                tag.Description ??= OperationTexts.TagDescription(tag.Name ?? "");
            return Task.CompletedTask;
        });
    }

    private static void Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var method = context.Description.HttpMethod?.ToUpperInvariant() ?? "GET";
        var path = "/" + (context.Description.RelativePath ?? "").TrimStart('/');
        var anonymous = context.Description.ActionDescriptor.EndpointMetadata.OfType<GatewayAnonymousMetadata>().Any();
        var head = method == "HEAD";

        if (path.StartsWith("/v1/rest/", StringComparison.Ordinal))
            operation.OperationId = $"Forward{char.ToUpperInvariant(method[0])}{method[1..].ToLowerInvariant()}ToUpstream";
        operation.OperationId ??= OperationTexts.OperationId(method, path);
        operation.Summary ??= OperationTexts.Summary(operation.OperationId);

        operation.Responses ??= new OpenApiResponses();
        var r = operation.Responses;
        var bridge = path.StartsWith("/v1/stores/{", StringComparison.Ordinal) || path.StartsWith("/v1/docker/{", StringComparison.Ordinal)
            || path.StartsWith("/v1/kubernetes/{", StringComparison.Ordinal) || path.StartsWith("/v1/rest/", StringComparison.Ordinal);

        if (path.StartsWith("/v1/rest/", StringComparison.Ordinal))
        {
            Success(r, "200", "The upstream's answer: headers and body as the upstream sent them (streamed); other statuses pass through the same way.");
            if (!head) Content(r["200"], "*/*", UpstreamBody());
        }
        DescribeObjectOperation(operation.OperationId, r, (status, text, headers) => AddProblem(r, status, text, head, context, headers));
        if (!head) DescribeStreamedAnswers(r, context);

        AddProblem(r, 400, "Malformed input: a path, query, header or body value outside the documented rules (nothing changed).", head, context);
        if (!anonymous)
        {
            AddProblem(r, 401, "No or invalid credentials.", head, context, ("WWW-Authenticate", "The accepted authentication methods."));
            AddProblem(r, 403, "Authenticated, but the operation is not granted (or the platform refused it).", head, context);
        }
        if (path.Contains('{')) AddProblem(r, 404, "No such store, bucket, object, host, cluster, resource or upstream.", head, context);
        if (operation.RequestBody is { } body)
        {
            AddProblem(r, 413, "The request body is larger than allowed.", head, context);
            if (body.Content is { Count: > 0 } accepted && !accepted.ContainsKey("*/*"))
                AddProblem(r, 415, accepted.ContainsKey("application/json") ? "The body is not JSON (Content-Type must be application/json), or its charset names no encoding."
                    : $"The body's Content-Type is not one of: {string.Join(", ", accepted.Keys)}.", head, context);
        }
        else if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<Routing.TakesAnyBodyMetadata>().Any())
            AddProblem(r, 415, "The operation takes no request body and one was sent (an empty body, or {} as application/json, is taken as none); nothing was done.", head, context);
        AddProblem(r, 414, "The request target is longer than 8 KiB.", head, context);
        AddProblem(r, 429, "Rate or concurrency limit reached.", head, context, ("Retry-After", "Seconds to wait before retrying."));
        AddProblem(r, 431, "The request headers are too large or too many.", head, context);
        AddProblem(r, 500, "A bug (never bad input); logged with its trace id.", head, context);
        if (bridge)
        {
            AddProblem(r, 502, path.StartsWith("/v1/rest/", StringComparison.Ordinal)
                ? "The upstream could not be reached or gave no valid HTTP answer; or the bridge host's CTP-96 witness was missing or invalid: the answer was withheld."
                : path.StartsWith("/v1/docker/{", StringComparison.Ordinal) || path.StartsWith("/v1/kubernetes/{", StringComparison.Ordinal)
                    ? "The Docker host or Kubernetes API server answered something that is not its API (a web page, a redirect, a status its API does not give here, JSON of another shape); or the bridge host's CTP-96 witness was missing or invalid: the answer was withheld."
                    : "The bridge host's CTP-96 witness was missing or invalid: the answer was withheld.", head, context);
            AddProblem(r, 503, "The backend is down or its circuit is open.", head, context, ("Retry-After", "Seconds to wait before retrying, when known."));
        }
        AddProblem(r, 504, "The call did not finish in time.", head, context);
        if (path.StartsWith("/v1/rest/", StringComparison.Ordinal)) DescribeUpstreamAnswers(r, head);

        foreach (var response in r.Values.OfType<OpenApiResponse>())
            Header(response, "X-Request-Id", "This request's id: its bridge calls' witnesses are at /v1/witnesses/{id}.");
        if (r.Keys.All(k => !k.StartsWith('2') && !k.StartsWith('3'))) Success(r, "200", "Done.");
    }

    /// <summary>
    /// A REST upstream's answer passes through with its own status, headers and body: a status the gateway never answers
    /// itself (201, 409, 418, ...) is the default response, and one it does (404, 503, ...) may be the upstream's too, in
    /// whatever media type the upstream chose.
    /// </summary>
    private static void DescribeUpstreamAnswers(OpenApiResponses r, bool head)
    {
        if (r.TryGetValue("413", out var tooLarge) && tooLarge is OpenApiResponse large)
            large.Description = "The request body is larger than the upstream's MaxRequestBodyBytes.";
        foreach (var (status, response) in r)
        {
            if (status == "200" || response is not OpenApiResponse own) continue;
            own.Description = own.Description?.TrimEnd('.') + "; or the upstream's own answer with this status, passed through as it is.";
            if (!head || own.Content is { Count: > 0 }) Content(own, "*/*", UpstreamBody());
        }
        Success(r, "204", "The upstream answered 204: its headers, no body.");
        Success(r, "205", "The upstream answered 205: its headers, no body.");
        Success(r, "304", "The upstream answered 304 to a conditional request: its headers, no body.");
        Success(r, "default", "The upstream's answer with any other status: status, headers and body as the upstream sent them (streamed).");
        if (!head) Content(r["default"], "*/*", UpstreamBody());
    }

    /// <summary>
    /// Answers declared with <c>.Produces(status, contentType: ...)</c> and no type (logs, NDJSON progress) get that media
    /// type in the document; the generator leaves them without content.
    /// </summary>
    private static void DescribeStreamedAnswers(OpenApiResponses r, OpenApiOperationTransformerContext context)
    {
        foreach (var produced in context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>())
        {
            var key = produced.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (key[0] != '2' || !r.TryGetValue(key, out var response) || response.Content is { Count: > 0 }) continue;
            foreach (var mediaType in produced.ContentTypes) Content(response, mediaType, Binary());
        }
    }

    /// <summary>The object-storage specifics: conditional and range answers and the object's headers.</summary>
    private static void DescribeObjectOperation(string? operationId, OpenApiResponses r, Action<int, string, (string, string)[]> problem)
    {
        switch (operationId)
        {
            case "GetObject":
                // The body comes in the Content-Type the object was stored with (application/octet-stream when it has none).
                Success(r, "200", "The whole object, streamed, in the Content-Type it was stored with.");
                OnlyContent(r["200"], "*/*", Binary());
                ObjectHeaders(r["200"]);
                Success(r, "206", "The requested byte range, in the object's Content-Type.");
                OnlyContent(r["206"], "*/*", Binary());
                ObjectHeaders(r["206"]);
                Header(r["206"], "Content-Range", "bytes first-last/size of the part sent.");
                NotModified(r);
                problem(412, "If-Match did not match (strong comparison).", []);
                problem(416, "The range is outside the object.", [("Content-Range", "bytes */size of the object.")]);
                problem(501, "not-implemented: the store declares it lacks ranged reads or conditional requests (see GET /v1/stores).", []);
                break;
            case "HeadObject":
                Success(r, "200", "The object's headers, no body.");
                ObjectHeaders(r["200"]);
                Success(r, "206", "A Range is answered as GET answers it: the part's headers, no body.");
                ObjectHeaders(r["206"]);
                Header(r["206"], "Content-Range", "bytes first-last/size of the part a GET would send.");
                NotModified(r);
                problem(412, "If-Match did not match (strong comparison).", []);
                problem(416, "The range is outside the object.", [("Content-Range", "bytes */size of the object.")]);
                problem(501, "not-implemented: the store declares it lacks ranged reads or conditional requests (see GET /v1/stores).", []);
                break;
            case "PutObject":
                Success(r, "200", "Stored; the new version's facts.");
                problem(400, "Malformed input (a Content-Range too: a part is not the object), or bad-digest: the body does not match Content-MD5 / Content-Digest (nothing stored).", []);
                problem(413, "The object is larger than Gateway:Limits:MaxObjectBytes.", []);
                Header(r["200"], "ETag", "The new version's entity tag.");
                problem(412, "If-Match / If-None-Match failed (including create-only writes); nothing stored.", []);
                problem(501, "not-implemented: the store declares it lacks user metadata, create-only writes or conditional requests; nothing stored.", []);
                break;
            case "DeleteObject":
                Success(r, "204", "Deleted, or already absent.");
                problem(412, "If-Match did not match; nothing deleted.", []);
                problem(501, "not-implemented: the store declares it lacks conditional requests; nothing deleted.", []);
                break;
            case "CopyObject":
                Header(r["200"], "ETag", "The target's new entity tag.");
                problem(412, "sourceIfMatch, targetIfMatch or targetIfNoneMatch failed; nothing copied.", []);
                problem(501, "The store cannot copy server-side (see GET /v1/stores).", []);
                break;
            case "ListBuckets":
                problem(501, "The store cannot list buckets.", []);
                break;
            case "CreateBucket":
                problem(409, "The bucket exists.", []);
                problem(501, "The store cannot create buckets.", []);
                break;
            case "DeleteBucket":
                problem(409, "The bucket is not empty.", []);
                problem(501, "The store cannot create or delete buckets.", []);
                break;
        }
    }

    private static void NotModified(OpenApiResponses r)
    {
        Success(r, "304", "If-None-Match matched (weak comparison): no body.");
        Header(r["304"], "ETag", "The current entity tag.");
        Header(r["304"], "Cache-Control", "The object's Cache-Control, when it has one (RFC 9110 §15.4.5).");
        Header(r["304"], "Expires", "The object's Expires, when it has one.");
    }

    private static void ObjectHeaders(IOpenApiResponse response)
    {
        Header(response, "ETag", "The version's entity tag (strong).");
        Header(response, "Last-Modified", "When the version was written (HTTP date).");
        Header(response, "Content-Length", "Bytes in this answer's body.", JsonSchemaType.Integer);
        Header(response, "Accept-Ranges", "Always 'bytes'.");
        Header(response, "x-checksum-md5", "Base64 MD5 of the whole object, when the store keeps one.");
        Header(response, "x-checksum-crc32c", "Base64 big-endian CRC32C of the whole object, when the store keeps one.");
        Header(response, "Cache-Control", "As given when the object was written, when it was.");
        Header(response, "Content-Disposition", "As given when the object was written, when it was.");
        Header(response, "Content-Encoding", "As given when the object was written, when it was (the body is sent as stored, never decoded).");
        Header(response, "Content-Language", "As given when the object was written, when it was.");
        Header(response, "Expires", "As given when the object was written, when it was.");
        Header(response, "x-meta-{name}", "One header per user metadata entry (name lower-case). Values written through the gateway are printable US-ASCII; "
            + "a value another tool stored that no header can carry is sent as an RFC 2047 encoded word (=?UTF-8?B?...?=).");
    }

    private static void AddProblem(OpenApiResponses r, int status, string description, bool head, OpenApiOperationTransformerContext context,
        params (string Name, string Description)[] headers)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!r.TryGetValue(key, out var existing))
        {
            existing = new OpenApiResponse { Description = description };
            r[key] = existing;
        }
        else if (existing is OpenApiResponse generic && generic.Description == Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status))
        {
            generic.Description = description; // the framework's bare reason phrase says less than ours
        }
        if (!head && existing is OpenApiResponse response && (response.Content is null || response.Content.Count == 0))
            Content(response, "application/problem+json", new OpenApiSchemaReference(Problem, context.Document));
        foreach (var (name, text) in headers) Header(existing, name, text);
    }

    private static void Success(OpenApiResponses r, string status, string description)
    {
        if (r.TryGetValue(status, out var existing))
        {
            if (existing is OpenApiResponse response) response.Description = description;
            return;
        }
        r[status] = new OpenApiResponse { Description = description };
    }

    private static void Content(IOpenApiResponse response, string mediaType, IOpenApiSchema schema)
    {
        if (response is not OpenApiResponse r) return;
        r.Content ??= new Dictionary<string, OpenApiMediaType>();
        r.Content[mediaType] = new OpenApiMediaType { Schema = schema };
    }

    private static void OnlyContent(IOpenApiResponse response, string mediaType, IOpenApiSchema schema)
    {
        if (response is OpenApiResponse r) r.Content?.Clear();
        Content(response, mediaType, schema);
    }

    private static void Header(IOpenApiResponse response, string name, string description, JsonSchemaType type = JsonSchemaType.String)
    {
        if (response is not OpenApiResponse r) return;
        r.Headers ??= new Dictionary<string, IOpenApiHeader>();
        r.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } };
    }

    private static OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };

    /// <summary>
    /// An upstream's body in whatever media type it chose: any value (an empty schema), so a JSON answer validates as the
    /// JSON it is and not against "a binary string".
    /// </summary>
    private static OpenApiSchema UpstreamBody() => new() { Description = "The upstream's body as it sent it." };

    /// <summary>The problem document every error carries, with the gateway's own members.</summary>
    private static void DescribeProblemSchema(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.TryGetValue(Problem, out var existing) || existing is not OpenApiSchema schema)
        {
            schema = new OpenApiSchema { Type = JsonSchemaType.Object };
            document.Components.Schemas[Problem] = schema;
        }
        schema.Description = "RFC 9457 problem details (application/problem+json); docs/errors.md lists the codes.";
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "https://gateway.dev/problems/{code}" };
        schema.Properties["title"] = new OpenApiSchema { Type = JsonSchemaType.String };
        schema.Properties["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" };
        schema.Properties["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "For people; may change." };
        schema.Properties["instance"] = new OpenApiSchema { Type = JsonSchemaType.String };
        schema.Properties["code"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The stable error code (same as the last segment of type).",
            Enum = Enum.GetValues<ErrorCode>().Where(c => c != ErrorCode.NotModified).Select(c => (JsonNode)JsonValue.Create(c.Slug())!).ToList(),
        };
        schema.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "W3C trace id of the request, as logged." };
        schema.Required = new HashSet<string> { "type", "title", "status", "code" };
    }
}
