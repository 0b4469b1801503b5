using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Gateway.Testing;

/// <summary>Checks that an answer is the gateway's RFC 9457 problem of a given status and code.</summary>
public static class ProblemAssert
{
    public static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"https://gateway.dev/problems/{code}", problem.GetProperty("type").GetString());
        return problem;
    }
}
