using System.Net;
using Gateway.Channel.Families;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// An object another tool wrote straight into the store, holding header values Kestrel refuses to send (non-ASCII,
/// control characters, a metadata name that is no header token). Before, the front door's GET and HEAD of it were a 500.
/// Store kinds whose own API can hold such values run this (the local store through its bridge, the GCS emulator through
/// its JSON upload API); Azure's and S3's APIs carry them as request headers, which their SDKs refuse to send.
/// </summary>
public abstract partial class S3ClientSuite
{
    /// <summary>
    /// Writes an object into <see cref="Bucket"/> as another tool would, past the gateway's rules: by default through the
    /// server's own bridge instance; a store kind whose bridge cannot send such values writes with the backend's own API.
    /// </summary>
    protected virtual Task WriteForeignObjectAsync(string key, byte[] body, PutObjectOptions options)
    {
        var store = Door.Server.Services.GetRequiredService<BridgeRegistry<IObjectStore>>().FindBridge(S3FrontDoor.StoreName)!;
        return store.PutObjectAsync(Bucket, key, new MemoryStream(body), options, CancellationToken.None);
    }

    protected async Task An_object_holding_what_no_header_can_carry_is_served_with_safe_headers()
    {
        await WriteForeignObjectAsync("foreign/obj", "foreign bytes"u8.ToArray(), new PutObjectOptions
        {
            ContentType = "text/plain; name=\"Köln\"",
            Metadata = new Dictionary<string, string> { ["city"] = "Köln", ["ctl"] = "a\r\nX-Injected: 1", ["plain"] = "kept", ["bad name"] = "x" },
            ContentHeaders = new ContentHeaders { ContentDisposition = "attachment; filename=\"Köln.txt\"", CacheControl = "no-cache" },
        });

        await RunBotoAsync("""
            import base64
            city = "=?UTF-8?B?" + base64.b64encode("Köln".encode()).decode() + "?="
            for got in [s3.get_object(Bucket=BUCKET, Key="foreign/obj"), s3.head_object(Bucket=BUCKET, Key="foreign/obj")]:
                assert got["ResponseMetadata"]["HTTPStatusCode"] == 200, got
                assert got["ContentType"] == "binary/octet-stream", got["ContentType"]
                assert got["Metadata"]["city"] == city and got["Metadata"]["plain"] == "kept", got["Metadata"]
                assert got["Metadata"]["ctl"].startswith("=?UTF-8?B?"), got["Metadata"]
                assert "bad name" not in got["Metadata"] and "x-injected" not in got["ResponseMetadata"]["HTTPHeaders"], got
                assert "ContentDisposition" not in got and got["CacheControl"] == "no-cache", got
                assert got["ContentLength"] == 13
            assert s3.get_object(Bucket=BUCKET, Key="foreign/obj")["Body"].read() == b"foreign bytes"
            # The response-* overrides still answer what the client asks for.
            assert s3.get_object(Bucket=BUCKET, Key="foreign/obj", ResponseContentType="text/plain")["ContentType"] == "text/plain"
            """, "an object with unsendable header values");

        // The REST facade serves it too (its own defaults).
        var url = $"v1/stores/{S3FrontDoor.StoreName}/buckets/{Bucket}/objects/foreign/obj";
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var response = await Door.Server.Client.SendAsync(new HttpRequestMessage(method, url));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
            Assert.StartsWith("=?UTF-8?B?", response.Headers.GetValues("x-meta-city").Single());
            Assert.False(response.Headers.Contains("X-Injected"));
            if (method == HttpMethod.Get) Assert.Equal("foreign bytes", await response.Content.ReadAsStringAsync());
        }
    }
}
