using System.Globalization;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;
using Gateway.Security;

namespace Gateway.S3Api.Operations.Tagging;

/// <summary>
/// PutObjectTagging, GetObjectTagging, DeleteObjectTagging (<c>?tagging</c> on an object), and the
/// <c>x-amz-tagging</c> header of the writes. A tag change replaces only the object's metadata (the store's
/// replace-metadata operation), pinned to the version read, so the body, content type, standard headers and the S3 ETag
/// stay as they were and no byte passes through the gateway.
/// </summary>
public static class TaggingOperations
{
    public const string Header = "x-amz-tagging";
    public const string CountHeader = "x-amz-tagging-count";

    /// <summary>The tags of an <c>x-amz-tagging</c> header; null when the header is absent.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? FromHeader(HttpRequest request) =>
        request.Headers.TryGetValue(Header, out var value) ? ObjectTags.ParseQuery(value.ToString()) : null;

    /// <summary>GET/HEAD: the tag count, as S3 answers it (absent when the object has no tags).</summary>
    public static void WriteCount(HttpResponse response, ObjectInfo info)
    {
        var count = ObjectTags.Of(info.MetadataOrNone()).Count;
        if (count > 0) response.Headers[CountHeader] = count.ToString(CultureInfo.InvariantCulture);
    }

    public static async Task GetAsync(S3Context c)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        c.Require(Operation.Read, t.ObjectResource(key));
        var info = await t.Store.HeadObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted);
        var tags = ObjectTags.Of(info.StatedMetadata());
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("Tagging", S3Xml.Namespace);
            w.WriteStartElement("TagSet");
            foreach (var (k, v) in tags)
            {
                w.WriteStartElement("Tag");
                w.Element("Key", k);
                w.Element("Value", v);
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
        });
    }

    public static async Task PutAsync(S3Context c)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        c.Require(Operation.Write, t.ObjectResource(key));
        var tags = ObjectTags.ParseXml(await Bodies.ReadXmlAsync(c, ObjectTags.MaxBodyBytes));
        await ReplaceAsync(c, key, tags);
        c.Response.StatusCode = 200;
    }

    public static async Task DeleteAsync(S3Context c)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        c.Require(Operation.Write, t.ObjectResource(key));
        await ReplaceAsync(c, key, []);
        c.Response.StatusCode = 204;
    }

    private static async Task ReplaceAsync(S3Context c, string key, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        var t = c.Target;
        var current = await t.Store.HeadObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted);
        if (ObjectTags.Of(current.StatedMetadata()).SequenceEqual(ObjectTags.Sorted(tags))) return;
        try
        {
            // Pinned to the version read: an object replaced meanwhile keeps its own tags.
            await t.Store.ReplaceMetadataAsync(t.Bucket, key, ObjectTags.With(current.StatedMetadata(), tags), new ObjectConditions { IfMatch = [current.ETag] }, c.Aborted);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.PreconditionFailed)
        {
            // The object was replaced between the read and the update: nothing was changed, as S3 answers a conflicting write.
            throw new S3Exception("OperationAborted", 409, "A conflicting conditional operation is currently in progress against this resource. Please try again.");
        }
    }
}
