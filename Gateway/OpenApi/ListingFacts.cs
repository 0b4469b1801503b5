using Gateway.Contracts.ObjectStorage;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.OpenApi;

/// <summary>
/// Says in the <see cref="ObjectInfo"/> schema which members a listing item may leave null, and why: a store's listing
/// gives only what its list API answers, and the gateway makes no extra call per key to fill in the rest.
/// </summary>
internal static class ListingFacts
{
    private static readonly Dictionary<string, string> Texts = new()
    {
        ["contentType"] = "The object's content type. Null in a listing item when the store's listing does not give it (an s3 store: "
            + "ListObjectsV2 lists no content type); HEAD or GET the object for it. Always given in a PUT or copy answer.",
        ["metadata"] = "User metadata, names lower-case without the x-meta- prefix; {} when the object has none. Null in a listing "
            + "item when the store's listing does not give it (an s3 store); HEAD or GET the object for it. Always given in a PUT or copy answer.",
        ["contentMd5"] = "Base64 MD5 of the whole object; null when the store does not state one (an S3 multipart object, whose ETag is no MD5).",
        ["crc32c"] = "Base64 big-endian CRC32C of the whole object; null when the store does not state one (gcs stores do).",
        ["contentHeaders"] = "Cache-Control, Content-Disposition, Content-Encoding, Content-Language and Expires as stored; null when "
            + "none. In a listing item of a local or s3 store null says nothing (their listings do not give them): HEAD the object for them.",
    };

    public static void Configure(OpenApiOptions options) =>
        // On the finished component: a nullable member's oneOf [null, $ref] wrapper is made after the schema transformers ran.
        options.AddDocumentTransformer((document, _, _) =>
        {
            if (document.Components?.Schemas?.TryGetValue(nameof(ObjectInfo), out var found) == true && found is OpenApiSchema { Properties: { } properties })
                foreach (var (name, text) in Texts)
                    if (properties.TryGetValue(name, out var property) && property is OpenApiSchema schema) schema.Description = text;
            return Task.CompletedTask;
        });
}
