namespace Gateway.Security;

/// <summary>What a caller may do to a resource. A grant of <see cref="Admin"/> implies the other three.</summary>
[Flags]
public enum Operation
{
    None = 0,
    Read = 1,
    Write = 2,
    Delete = 4,
    Admin = 8,
}

public static class Operations
{
    public const Operation All = Operation.Read | Operation.Write | Operation.Delete | Operation.Admin;

    /// <summary>GET, HEAD and OPTIONS read; DELETE deletes; every other method writes.</summary>
    public static Operation FromMethod(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) ? Operation.Read
        : HttpMethods.IsDelete(method) ? Operation.Delete
        : Operation.Write;

    public static string Name(this Operation operation) => operation switch
    {
        Operation.Read => "read",
        Operation.Write => "write",
        Operation.Delete => "delete",
        Operation.Admin => "admin",
        _ => operation.ToString().ToLowerInvariant(),
    };

    public static bool TryParse(string text, out Operation operation)
    {
        operation = text.Trim().ToLowerInvariant() switch
        {
            "read" => Operation.Read,
            "write" => Operation.Write,
            "delete" => Operation.Delete,
            "admin" => Operation.Admin,
            "*" or "all" => All,
            _ => Operation.None,
        };
        return operation != Operation.None;
    }
}
