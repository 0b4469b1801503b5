using System.Xml;
using System.Xml.Linq;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Xml;

namespace Gateway.S3Api.Operations.BucketConfig;

/// <summary>
/// The bucket configuration sub-resources the front door answers, each as S3 answers it for a bucket without that
/// configuration (S3 API reference, the Get/Put/Delete actions and "Error responses"). A PUT is taken only when it asks
/// for what the bucket already is; one that would enable a feature (versioning, a policy, CORS, lifecycle, encryption,
/// a website, object lock, ...) is refused and changes nothing.
/// </summary>
public static class BucketSubResources
{
    private static readonly string[] PublicAccessBlocks = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"];

    public static readonly IReadOnlyList<BucketSubResource> All =
    [
        // Versioning is never enabled, and PUT Suspended is refused too: S3 would answer Status Suspended afterwards,
        // and with no bucket state to remember it, GET would go on answering "never versioned".
        new("versioning") { Document = w => Empty(w, "VersioningConfiguration"), Delete = DeleteAnswer.MethodNotAllowed },
        NotFound("policy", "NoSuchBucketPolicy", "The bucket policy does not exist"),
        // GetBucketPolicyStatus of a bucket without a policy is S3's NoSuchBucketPolicy (what exposure scanners expect);
        // S3 has no PUT or DELETE for it.
        NotFound("policyStatus", "NoSuchBucketPolicy", "The bucket policy does not exist") with
        {
            PutRefusal = S3Errors.MethodNotAllowed,
            Delete = DeleteAnswer.MethodNotAllowed,
        },
        NotFound("cors", "NoSuchCORSConfiguration", "The CORS configuration does not exist"),
        NotFound("lifecycle", "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
        NotFound("encryption", "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found"),
        NotFound("website", "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
        NotFound("tagging", "NoSuchTagSet", "The TagSet does not exist"),
        NotFound("replication", "ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
        // Object lock needs versioning enabled, which no bucket here has: S3's own answer for that bucket state.
        NotFound("object-lock", "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket") with
        {
            PutRefusal = () => new S3Exception("InvalidBucketState", 409, "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"),
            Delete = DeleteAnswer.MethodNotAllowed,
        },
        new("logging")
        {
            Document = w => Empty(w, "BucketLoggingStatus"),
            PutRoot = "BucketLoggingStatus",
            Unchanged = doc => !doc.Elements().Any(), // no LoggingEnabled: logging stays off
            Delete = DeleteAnswer.MethodNotAllowed,
        },
        new("notification")
        {
            Document = w => Empty(w, "NotificationConfiguration"),
            PutRoot = "NotificationConfiguration",
            Unchanged = doc => !doc.Elements().Any(), // no topic, queue, function or EventBridge configuration
            Delete = DeleteAnswer.MethodNotAllowed,
        },
        new("requestPayment")
        {
            Document = w => Single(w, "RequestPaymentConfiguration", "Payer", "BucketOwner"),
            PutRoot = "RequestPaymentConfiguration",
            Unchanged = doc => Only(doc, "Payer") == "BucketOwner",
            Delete = DeleteAnswer.MethodNotAllowed,
        },
        // Transfer acceleration is off; PUT Suspended would make S3 answer Status Suspended afterwards (see versioning).
        new("accelerate") { Document = w => Empty(w, "AccelerateConfiguration"), Delete = DeleteAnswer.MethodNotAllowed },
        // ACLs are off, as with S3's "bucket owner enforced" (docs/s3.md, ACLs): that setting is taken, no other.
        new("ownershipControls")
        {
            Document = w =>
            {
                w.WriteStartElement("OwnershipControls", S3Xml.Namespace);
                w.WriteStartElement("Rule");
                w.Element("ObjectOwnership", "BucketOwnerEnforced");
                w.WriteEndElement();
                w.WriteEndElement();
            },
            PutRoot = "OwnershipControls",
            Unchanged = doc => doc.Elements().Count() == 1 && doc.Elements().Single() is { Name.LocalName: "Rule" } rule && Only(rule, "ObjectOwnership") == "BucketOwnerEnforced",
            Delete = DeleteAnswer.NotImplemented,
        },
        // Nothing here can be public (no anonymous access, no ACL or policy that shares): every block is in force, as on
        // a new S3 bucket. Asking for all four is taken; lifting one (or deleting the configuration) is refused.
        new("publicAccessBlock")
        {
            Document = w =>
            {
                w.WriteStartElement("PublicAccessBlockConfiguration", S3Xml.Namespace);
                foreach (var name in PublicAccessBlocks) w.Element(name, true);
                w.WriteEndElement();
            },
            PutRoot = "PublicAccessBlockConfiguration",
            Unchanged = doc => PublicAccessBlocks.All(name => Only(doc, name) is "true")
                && doc.Elements().All(e => PublicAccessBlocks.Contains(e.Name.LocalName)),
            Delete = DeleteAnswer.NotImplemented,
        },
    ];

    /// <summary>The sub-resource a bucket request names, or null.</summary>
    public static BucketSubResource? Find(IQueryCollection query) => All.FirstOrDefault(s => query.ContainsKey(s.Name));

    private static BucketSubResource NotFound(string name, string code, string message) => new(name) { Missing = () => new S3Exception(code, 404, message) };

    private static void Empty(XmlWriter w, string root)
    {
        w.WriteStartElement(root, S3Xml.Namespace);
        w.WriteEndElement();
    }

    private static void Single(XmlWriter w, string root, string name, string value)
    {
        w.WriteStartElement(root, S3Xml.Namespace);
        w.Element(name, value);
        w.WriteEndElement();
    }

    /// <summary>The value of the one child element named <paramref name="name"/>; null when absent or repeated.</summary>
    private static string? Only(XElement parent, string name) =>
        parent.Elements().Where(e => e.Name.LocalName == name).ToList() is [var one] ? one.Value.Trim() : null;
}
