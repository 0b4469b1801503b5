using System.Globalization;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations.Multipart;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;
using Gateway.Security;

namespace Gateway.S3Api.Operations;

/// <summary>
/// GetObjectAttributes (GET ?attributes, the attributes named in x-amz-object-attributes): one HEAD of the store, answered
/// as S3's GetObjectAttributesResponse. ETag unquoted, as S3 writes it there; the kept checksum (<see cref="StoredChecksum"/>);
/// for a multipart object its part count and, where recorded (<see cref="PartLayout"/>), its parts' sizes, paged by
/// x-amz-max-parts and x-amz-part-number-marker; StorageClass STANDARD (the stores keep one class); ObjectSize.
/// </summary>
public static class ObjectAttributesOperation
{
    private static readonly string[] Names = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

    public static async Task RunAsync(S3Context c)
    {
        var t = c.Target;
        var key = c.RequiredKey;
        var asked = Attributes(c.Request);
        var maxParts = Number(c.Request, "x-amz-max-parts", 1000);
        var marker = Number(c.Request, "x-amz-part-number-marker", 0);
        c.Require(Operation.Read, t.ObjectResource(key));
        var info = await t.Store.HeadObjectAsync(t.Bucket, key, ObjectConditions.None, c.Aborted);
        c.Response.Headers.LastModified = info.LastModified.ToString("R", CultureInfo.InvariantCulture);
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("GetObjectAttributesResponse", S3Xml.Namespace);
            if (asked.Contains("ETag")) w.Element("ETag", S3ObjectHeaders.ETag(info).Trim('"'));
            if (asked.Contains("Checksum") && StoredChecksum.Of(info) is var (algorithm, value))
            {
                w.WriteStartElement("Checksum");
                // A COMPOSITE value without its "-N" here, as S3 writes it in this answer.
                var type = StoredChecksum.TypeOf(value);
                w.Element("Checksum" + algorithm.ToUpperInvariant(), type == UploadChecksum.Composite ? value[..value.LastIndexOf('-')] : value);
                w.Element("ChecksumType", type);
                w.WriteEndElement();
            }
            if (asked.Contains("ObjectParts") && PartLayout.PartsCount(info) is { } count)
            {
                w.WriteStartElement("ObjectParts");
                w.Element("PartsCount", count);
                if (PartLayout.Decode(info) is { } sizes)
                {
                    var partChecksums = KeptPartChecksums.All(info);
                    var shown = Enumerable.Range(marker + 1, Math.Max(0, Math.Min(maxParts, sizes.Count - marker))).ToList();
                    w.Element("PartNumberMarker", marker);
                    w.Element("NextPartNumberMarker", shown.Count > 0 ? shown[^1] : marker);
                    w.Element("MaxParts", maxParts);
                    w.Element("IsTruncated", shown.Count > 0 && shown[^1] < sizes.Count);
                    foreach (var number in shown)
                    {
                        w.WriteStartElement("Part");
                        w.Element("PartNumber", number);
                        w.Element("Size", sizes[number - 1]);
                        if (partChecksums is var (partAlgorithm, values)) w.Element("Checksum" + partAlgorithm.ToUpperInvariant(), values[number - 1]);
                        w.WriteEndElement();
                    }
                }
                w.WriteEndElement();
            }
            if (asked.Contains("StorageClass")) w.Element("StorageClass", KeptStorageClass.Of(info));
            if (asked.Contains("ObjectSize")) w.Element("ObjectSize", info.Size);
            w.WriteEndElement();
        });
    }

    /// <summary>x-amz-object-attributes: a comma-separated list (or repeated header) of S3's attribute names, at least one.</summary>
    private static HashSet<string> Attributes(HttpRequest request)
    {
        var asked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var header in request.Headers["x-amz-object-attributes"])
            foreach (var name in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                asked.Add(Names.Contains(name, StringComparer.Ordinal) ? name : throw S3Errors.InvalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", name));
        return asked.Count > 0 ? asked : throw S3Errors.InvalidRequest("The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty");
    }

    private static int Number(HttpRequest request, string header, int absent)
    {
        if (!request.Headers.TryGetValue(header, out var value)) return absent;
        return BoundedInteger.Read(value.ToString(), 0, MultipartMetadata.MaxPartNumber, out var n) == BoundedIntegerRead.Within
            ? n
            : throw S3Errors.InvalidArgument($"{header} must be an integer between 0 and {MultipartMetadata.MaxPartNumber}.", header, value.ToString());
    }
}
