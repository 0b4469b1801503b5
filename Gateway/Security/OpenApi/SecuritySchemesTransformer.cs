using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Security;

/// <summary>
/// Describes the authentication methods (never a key, secret or token) and, per operation, which are accepted
/// and what access it needs (<c>x-gateway-access</c>).
/// </summary>
internal static class SecuritySchemesTransformer
{
    public const string ApiKeyScheme = "apiKey";
    public const string BearerScheme = "bearer";
    public const string SignatureScheme = "httpSignature";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyHandler.HeaderName,
                Description = "An API key (also accepted as `Authorization: ApiKey <key>`). The gateway stores only its SHA-256.",
            };
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT from the configured issuer; its `scope` claim names policies or grants.",
            };
            document.Components.SecuritySchemes[SignatureScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "Signature",
                Description = "RFC 9421 HTTP Message Signature (with Signature-Input): ed25519 or hmac-sha256; covers @method, @target-uri "
                    + "and, with a body, content-digest (RFC 9530); created, nonce and keyid parameters required; expires optional "
                    + "(refused once passed; created must be within the configured maximum age either way).",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<GatewayAnonymousMetadata>().Any())
            {
                operation.Security = [];
                return Task.CompletedTask;
            }
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SignatureScheme, context.Document)] = [] },
            ];
            var access = metadata.OfType<GatewayAccessMetadata>().SelectMany(m => m.Requirements)
                .Select(r => $"{(r.Operation is { } op ? op.Name() : "method")} {r.Template}{(r.Prefix ? " (listing)" : "")}")
                .Concat(metadata.OfType<GatewayAccessFilterMetadata>().Select(f => f.Description))
                .ToList();
            if (access.Count > 0)
            {
                operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                operation.Extensions["x-gateway-access"] = new JsonNodeExtension(new JsonArray(access.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()));
            }
            return Task.CompletedTask;
        });
    }
}
