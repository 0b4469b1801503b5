using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gateway.Problems;

/// <summary>
/// Turns ASP.NET Core's parameter-binding failures ("Failed to bind parameter \"Nullable&lt;int&gt; limit\" from ...")
/// into the gateway's own words: the parameter's name and what it expects, never framework types or the raw value.
/// </summary>
internal static partial class BindingFailures
{
    [GeneratedRegex("""\Aparameter "(?<type>[^"]*) (?<name>[A-Za-z_][A-Za-z0-9_]*)"\z""", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterPattern();

    [GeneratedRegex("parameter \"[^\"]*\"", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterMention();

    public static string Describe(BadHttpRequestException e, HttpRequest? request = null)
    {
        if (e.InnerException is JsonException json)
        {
            // System.Text.Json says "Duplicate property '...'" for a member, "Duplicate properties not allowed" for a map key.
            if (json.Message.StartsWith("Duplicate propert", StringComparison.Ordinal))
                return json.Path is { Length: > 1 } at
                    ? $"The JSON body gives the member '{at}' more than once."
                    : "The JSON body gives a member more than once.";
            if (MissingMembers(json.Message) is { } missing)
                return $"The JSON body lacks the required member(s) {missing}.";
            if (json.Path is { Length: > 1 } member && ConvertedTo(json.Message) is { } expected)
                return $"The JSON body's member '{member}' must be {expected}.";
            return json.Path is { Length: > 1 } path
                ? $"The JSON body is malformed or has the wrong shape at '{path}'."
                : "The JSON body is malformed or has the wrong shape.";
        }
        var message = e.Message;
        var mention = ParameterMention().Match(message);
        if (!mention.Success) return "The request could not be read (a malformed or truncated body, or a malformed header).";
        var parameter = ParameterPattern().Match(mention.Value);
        var name = parameter.Success ? parameter.Groups["name"].Value : "a parameter";
        var type = parameter.Success ? parameter.Groups["type"].Value : "";
        if (message.Contains("no body was provided", StringComparison.Ordinal) || message.Contains("from the request body", StringComparison.Ordinal))
            return "A JSON request body is required.";
        if (message.StartsWith("Required parameter", StringComparison.Ordinal))
            return $"The parameter '{name}' is required.";
        if (parameter.Success && request is not null && request.Query.TryGetValue(name, out var given) && given.Count > 1)
            return $"The parameter '{name}' is given {given.Count} times; give it once.";
        if (parameter.Success && request is not null && Expected(type) == WholeNumber && IsWholeNumber(request.Query[name].ToString()))
            return $"The parameter '{name}' is out of range: the number is too large or too small for it.";
        return $"The parameter '{name}' is not valid: {Expected(type)} is expected.";
    }

    /// <summary>
    /// The names System.Text.Json lists when required members are missing ("... missing required properties including:
    /// 'source', 'target'."), so the detail says which; null for any other failure.
    /// </summary>
    private static string? MissingMembers(string message)
    {
        const string Marker = "missing required properties including: ";
        var at = message.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0) return null;
        var names = message[(at + Marker.Length)..].TrimEnd().TrimEnd('.');
        return names.Length == 0 ? null : names;
    }

    [GeneratedRegex("""\AThe JSON value could not be converted to (?:System\.Nullable`1\[)?(?<type>[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)""", RegexOptions.CultureInvariant)]
    private static partial Regex ConversionPattern();

    /// <summary>
    /// What a member whose value System.Text.Json could not convert ("The JSON value could not be converted to
    /// System.Boolean. Path: $.dryRun ...") expects, in the words a query parameter's failure uses
    /// (<see cref="Expected"/>), for the simple types; null for any other failure, which keeps the general wording. A
    /// null given for a true/false member lands here too: it is refused, never read as false.
    /// </summary>
    private static string? ConvertedTo(string message)
    {
        var match = ConversionPattern().Match(message);
        if (!match.Success) return null;
        // Only the framework's own simple types (System.Boolean, not System.Collections... nor a gateway type).
        var type = match.Groups["type"].Value;
        if (!type.StartsWith("System.", StringComparison.Ordinal) || type.IndexOf('.', "System.".Length) >= 0) return null;
        var expected = Expected(type["System.".Length..]);
        return expected == AnyValue ? null : expected;
    }

    private const string WholeNumber = "a whole number";
    private const string AnyValue = "a value of the documented form";

    /// <summary>A whole number too large for the parameter's type (99999999999 for an int) is out of range, not "not a whole number".</summary>
    private static bool IsWholeNumber(string value)
    {
        var digits = value.StartsWith('-') ? value.AsSpan(1) : value.AsSpan();
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9');
    }

    private static string Bare(string type) => type.Replace("Nullable<", "", StringComparison.Ordinal).TrimEnd('>', '?').ToLowerInvariant();

    private static string Expected(string type)
    {
        return Bare(type) switch
        {
            "int" or "int32" or "long" or "int64" or "short" or "int16" or "uint" or "uint16" or "uint32" or "ulong" or "uint64" or "byte" => WholeNumber,
            "bool" or "boolean" => "true or false",
            "double" or "float" or "single" or "decimal" => "a number",
            "string" => "a string",
            "datetime" or "datetimeoffset" => "a date and time (ISO 8601)",
            "guid" => "a GUID",
            _ => AnyValue,
        };
    }
}
