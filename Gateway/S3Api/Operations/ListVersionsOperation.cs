using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;

namespace Gateway.S3Api.Operations;

/// <summary>
/// ListObjectVersions (GET /bucket?versions) as S3 answers it for a bucket whose versioning was never enabled: the
/// stores keep one version of each object, so every object is one current version with the version id "null", and
/// there are no delete markers. Paging is by key (key-marker, version-id-marker "null") over the ListObjects lister.
/// </summary>
public static class ListVersionsOperation
{
    public static async Task RunAsync(S3Context c)
    {
        var q = c.Request.Query;
        var t = c.Target;
        var p = ListOperations.Parameters.Read(c);
        var keyMarker = ListOperations.NullIfEmpty(q["key-marker"]);
        var versionIdMarker = ListOperations.NullIfEmpty(q["version-id-marker"]);
        if (versionIdMarker is not null)
        {
            if (keyMarker is null) throw S3Errors.InvalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", versionIdMarker);
            NullVersion.Require(versionIdMarker, "version-id-marker");
        }

        // After (key-marker, "null") come the versions of later keys only, as after key-marker alone: each key has one version.
        var window = await p.CollectAsync(c, storeToken: null, after: keyMarker);
        var last = window.Truncated ? window.Entries[^1] : null;

        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("ListVersionsResult", S3Xml.Namespace);
            w.Element("Name", t.S3Bucket);
            w.Element("Prefix", p.Enc(p.Prefix));
            w.Element("KeyMarker", p.Enc(keyMarker ?? ""));
            w.Element("VersionIdMarker", versionIdMarker ?? "");
            if (last is not null)
            {
                w.Element("NextKeyMarker", p.Enc(last.Name));
                // A rolled-up prefix has no version to resume after; an object's one version is "null".
                if (last.Object is not null) w.Element("NextVersionIdMarker", NullVersion.Id);
            }
            w.Element("MaxKeys", p.MaxKeys);
            if (p.Delimiter.Length > 0) w.Element("Delimiter", p.Enc(p.Delimiter));
            if (p.Url) w.Element("EncodingType", "url");
            w.Element("IsTruncated", window.Truncated);
            foreach (var e in window.Entries.Where(e => e.Object is not null))
            {
                var o = e.Object!;
                w.WriteStartElement("Version");
                w.Element("Key", p.Enc(o.Key));
                w.Element("VersionId", NullVersion.Id);
                w.Element("IsLatest", true);
                w.Element("LastModified", o.LastModified);
                w.Element("ETag", S3ObjectHeaders.ETag(o));
                w.Element("Size", o.Size);
                BucketOperations.WriteOwner(w, c);
                w.Element("StorageClass", KeptStorageClass.Of(o));
                w.WriteEndElement();
            }
            ListOperations.WriteCommonPrefixes(w, window, p);
            w.WriteEndElement();
        });
    }
}
