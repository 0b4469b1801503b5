using System.Diagnostics;
using System.Net;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>
/// A migration job's run is a trace of its own: one <c>migration run</c> span, linked to the request that started the
/// job, with the job's bridge calls under it (until session 27 they hung under that request's long-ended span).
/// </summary>
public sealed class MigrationTraceTests
{
    [Fact]
    public async Task A_job_s_bridge_calls_hang_under_its_run_span_which_links_to_the_starting_request()
    {
        var spans = new SpanCollector();
        var target = Directory.CreateTempSubdirectory("migration-trace-").FullName;
        try
        {
            await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
            {
                ["Gateway:Observability:Tracing:Enabled"] = "true",
                ["Gateway:Observability:Tracing:SamplingRatio"] = "1.0",
                ["Gateway:Stores:traced:Kind"] = "local",
                ["Gateway:Stores:traced:Root"] = target,
            }, services: spans.Register);
            var api = new MigrationClient(server);
            await api.CreateBucketAsync("local", "trace-src");
            await api.CreateBucketAsync("traced", "trace-dst");
            await api.PutAsync("local", "trace-src", "one.txt", "one"u8.ToArray(), "text/plain");

            var (created, body) = await api.CreateAsync(new { source = new { store = "local", bucket = "trace-src" }, target = new { store = "traced", bucket = "trace-dst" } });
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            var id = body.GetProperty("id").GetString()!;
            Assert.Equal("completed", (await api.WaitForEndAsync(id)).GetProperty("state").GetString());

            // The listener sees every gateway of this test process: the POST is this server's (its port), not another
            // test's migration that ran at the same time.
            var port = server.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var post = await spans.WaitForAsync(s => s.Kind == ActivityKind.Server && s.DisplayName.TrimEnd('/') == "POST /v1/migrations"
                && Convert.ToString(s.GetTagItem("server.port"), System.Globalization.CultureInfo.InvariantCulture) == port, "of the POST that started the job");
            var run = await spans.WaitForAsync(s => s.DisplayName == "migration run" && s.GetTagItem("migration.id") as string == id, "of the job's run");
            var put = await spans.WaitForAsync(s => s.Kind == ActivityKind.Client && s.DisplayName == "object-storage put-object"
                && s.GetTagItem("bridge.name") as string == "traced", "of the job's put");
            Assert.Equal(default, run.ParentSpanId);
            Assert.NotEqual(post.TraceId, run.TraceId);
            Assert.Contains(run.Links, l => l.Context.SpanId == post.SpanId && l.Context.TraceId == post.TraceId);
            Assert.Equal(run.TraceId, put.TraceId);
            Assert.Equal(run.SpanId, put.ParentSpanId);
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }
}
