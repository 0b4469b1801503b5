using System.Text.Json;

namespace Gateway.Contracts.Errors;

/// <summary>Reads the human message out of a platform's JSON error answer (Docker's engine, Kubernetes' Status).</summary>
public static class PlatformErrorBody
{
    /// <summary>The string <c>message</c> of a JSON object body; null when the body is empty, not JSON, or has none.</summary>
    public static string? Message(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                ? m.GetString()
                : null;
        }
        // InvalidOperationException: a message holding an escaped lone surrogate (\udc00), which GetString cannot read.
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
