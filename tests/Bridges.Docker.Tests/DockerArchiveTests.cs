using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using static Gateway.Testing.ProblemAssert;

namespace Gateway.Bridges.Docker.Tests;

/// <summary><c>GET</c>/<c>PUT /v1/docker/{host}/containers/{c}/archive?path=</c> (docker cp) against the real dockerd.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerArchiveTests(DockerBackend backend) : DockerGatewayTestBase(backend)
{
    static async Task<Dictionary<string, byte[]>> UntarAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-tar", response.Content.Headers.ContentType?.MediaType);
        var files = new Dictionary<string, byte[]>();
        await using var reader = new TarReader(await response.Content.ReadAsStreamAsync());
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            var data = new MemoryStream();
            await entry.DataStream!.CopyToAsync(data);
            files[entry.Name] = data.ToArray();
        }
        return files;
    }

    [Fact]
    public async Task Files_copied_into_a_container_are_there_and_come_back_out()
    {
        var id = await RunningContainerAsync();
        var config = Encoding.UTF8.GetBytes("{\"mode\":\"test\"}\n");
        var large = RandomNumberGenerator.GetBytes(6 * 1024 * 1024 + 123);

        using var put = await Http.PutAsync($"v1/docker/local/containers/{id}/archive?path=/tmp",
            Tar(("config/app.json", config), ("config/blob.bin", large)), Deadline());
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);

        // Seen from inside the container.
        using var cat = await Http.PostAsJsonAsync($"v1/docker/local/containers/{id}/exec", new { command = new[] { "cat", "/tmp/config/app.json" } });
        Assert.Contains("{\\\"mode\\\":\\\"test\\\"}\\n", await cat.Content.ReadAsStringAsync());

        var file = await UntarAsync(await Http.GetAsync($"v1/docker/local/containers/{id}/archive?path=/tmp/config/app.json", Deadline()));
        Assert.Equal(config, file["app.json"]);
        var folder = await UntarAsync(await Http.GetAsync($"v1/docker/local/containers/{id}/archive?path=/tmp/config", Deadline()));
        Assert.Equal(config, folder["config/app.json"]);
        Assert.Equal(SHA256.HashData(large), SHA256.HashData(folder["config/blob.bin"]));

        var audit = await Http.GetFromJsonAsync<JsonElement>("v1/audit?limit=1000");
        var operations = audit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("operation").GetString()).ToList();
        Assert.Contains("containers.put-archive", operations);
        Assert.Contains("containers.get-archive", operations);
    }

    [Fact]
    public async Task A_missing_path_or_container_is_404_and_a_file_as_target_folder_is_400()
    {
        var id = await RunningContainerAsync();
        await Problem(await Http.GetAsync($"v1/docker/local/containers/{id}/archive?path=/no/such/file"), HttpStatusCode.NotFound, "not-found");
        await Problem(await Http.GetAsync($"v1/docker/local/containers/gw-missing-{Guid.NewGuid():N}/archive?path=/tmp"), HttpStatusCode.NotFound, "not-found");
        await Problem(await Http.PutAsync($"v1/docker/local/containers/{id}/archive?path=/no/such/dir", Tar(("a.txt", [1]))), HttpStatusCode.NotFound, "not-found");
        // An extraction point that is a file is the caller's mistake, as the engine says.
        var response = await Http.PutAsync($"v1/docker/local/containers/{id}/archive?path=/bin/busybox", Tar(("a.txt", [1])));
        await Problem(response, HttpStatusCode.BadRequest, "bad-request");
        // So is a body that is not a tar archive (the engine says 500 for both).
        var notTar = new ByteArrayContent(RandomNumberGenerator.GetBytes(2000));
        notTar.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        await Problem(await Http.PutAsync($"v1/docker/local/containers/{id}/archive?path=/tmp", notTar), HttpStatusCode.BadRequest, "bad-request");
    }

    [Theory]
    [InlineData("GET", "v1/docker/nowhere/containers/okname/archive")]
    [InlineData("GET", "v1/docker/nowhere/containers/okname/archive?path=relative/file")]
    [InlineData("GET", "v1/docker/nowhere/containers/okname/archive?path=")]
    [InlineData("GET", "v1/docker/nowhere/containers/-bad/archive?path=/tmp")]
    [InlineData("PUT", "v1/docker/nowhere/containers/okname/archive?path=tmp")]
    public async Task Bad_paths_are_400_without_reaching_the_engine(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "PUT" ? Tar(("a", [1])) : null };
        await Problem(await Http.SendAsync(request), HttpStatusCode.BadRequest, "bad-request");
    }

    [Fact]
    public async Task An_archive_sent_as_another_media_type_is_415()
    {
        var body = new StringContent("not a tar", Encoding.UTF8, "text/plain");
        await Problem(await Http.PutAsync("v1/docker/nowhere/containers/okname/archive?path=/tmp", body), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }
}
