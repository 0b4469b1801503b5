using System.Xml;
using System.Xml.Linq;
using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Operations.BucketConfig;

/// <summary>What DELETE on a bucket sub-resource answers here.</summary>
public enum DeleteAnswer
{
    /// <summary>S3's 204 for deleting a configuration the bucket does not have.</summary>
    NoContent,
    /// <summary>S3 has no DELETE for it.</summary>
    MethodNotAllowed,
    /// <summary>S3 would delete something GET then no longer answers; GET here cannot change, so refused.</summary>
    NotImplemented,
}

/// <summary>
/// One bucket configuration sub-resource (<c>?cors</c>, <c>?logging</c>, ...) as S3 answers it for a bucket that has
/// no such configuration, which every bucket here is: the stores keep no bucket configuration and the gateway honours
/// none of these features (<see cref="BucketSubResources"/>).
/// </summary>
public sealed record BucketSubResource(string Name)
{
    /// <summary>GET: S3's 404 for "none configured"; null when S3 answers <see cref="Document"/> instead.</summary>
    public Func<S3Exception>? Missing { get; init; }

    /// <summary>GET: the document S3 answers (root element and content) when <see cref="Missing"/> is null.</summary>
    public Action<XmlWriter>? Document { get; init; }

    /// <summary>The root element a PUT document must have when <see cref="Unchanged"/> is set.</summary>
    public string? PutRoot { get; init; }

    /// <summary>PUT: true when the document asks for what the bucket already is (taken, nothing stored); null when every PUT
    /// would enable something the gateway cannot honour.</summary>
    public Func<XElement, bool>? Unchanged { get; init; }

    /// <summary>A PUT that is not <see cref="Unchanged"/>: S3's own error where one fits, else NotImplemented.</summary>
    public Func<S3Exception>? PutRefusal { get; init; }

    public DeleteAnswer Delete { get; init; } = DeleteAnswer.NoContent;
}
