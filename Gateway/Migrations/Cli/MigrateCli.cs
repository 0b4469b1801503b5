using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Contracts.Errors;
using Spectre.Console;

namespace Gateway.Migrations.Cli;

/// <summary>
/// <c>migrate copy|sync|move|status|list|pause|resume|cancel|check</c>: a client of a gateway's /v1/migrations API,
/// so scripts can use it or curl interchangeably. The gateway is --gateway (default $GATEWAY or http://127.0.0.1:5080);
/// the API key comes from $GATEWAY_API_KEY.
/// </summary>
public static class MigrateCli
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    /// <summary>Jobs asked for per page by <c>list</c> (the gateway's default page).</summary>
    internal const int ListPageSize = 100;

    public static int? TryRun(string[] args)
    {
        if (args.Length == 0 || args[0] != "migrate") return null;
        return Build().Parse(args).Invoke();
    }

    private static RootCommand Build()
    {
        // Recursive: `migrate list --gateway URL` works as well as `migrate --gateway URL list`.
        var gateway = new Option<string>("--gateway")
        {
            Description = "Gateway base URL", Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("GATEWAY") ?? "http://127.0.0.1:5080",
        };
        // Under a root of its own so that --help writes the usage as typed: "Gateway migrate copy <source> <target>".
        var root = new Command("migrate", "Move whole buckets between the gateway's stores (copy, sync, move), resumable and verified.");
        root.Options.Add(gateway);
        foreach (var mode in new[] { "copy", "sync", "move" }) root.Subcommands.Add(Transfer(mode, gateway));
        root.Subcommands.Add(Check(gateway));
        root.Subcommands.Add(JobVerb("status", "Shows a job.", gateway, HttpMethod.Get, ""));
        root.Subcommands.Add(JobVerb("pause", "Pauses a job.", gateway, HttpMethod.Post, "/pause"));
        root.Subcommands.Add(JobVerb("resume", "Resumes a paused, failed or interrupted job (its failed objects are tried again).", gateway, HttpMethod.Post, "/resume"));
        root.Subcommands.Add(JobVerb("cancel", "Cancels a job.", gateway, HttpMethod.Post, "/cancel"));
        var list = new Command("list", "Lists jobs, newest first.");
        list.SetAction(r => Run(r.GetValue(gateway)!, async http =>
        {
            string[] columns = ["id", "state", "mode", "source", "target", "objects done", "failed"];
            var rows = new List<string[]>();
            // Every page: a script looking for a job among more than one page's worth must find it.
            string? token = null;
            do
            {
                using var response = await http.GetAsync("v1/migrations?pageSize=" + ListPageSize + (token is null ? "" : "&pageToken=" + Uri.EscapeDataString(token)));
                var body = await BodyAsync(response);
                if (!response.IsSuccessStatusCode) return Fail(response, body);
                rows.AddRange(body.GetProperty("migrations").EnumerateArray().Select(j => new[]
                {
                    j.GetProperty("id").GetString()!, j.GetProperty("state").GetString()!, j.GetProperty("mode").GetString()!,
                    Where(j.GetProperty("source")), Where(j.GetProperty("target")),
                    j.GetProperty("objects").GetProperty("done").ToString(), j.GetProperty("objects").GetProperty("failed").ToString(),
                }));
                token = NextPageToken(body);
            } while (token is not null);
            // A script reads one line per job: Spectre's table wraps cells to an 80-column width when the output is not a
            // terminal (a job id came out split over two lines), so redirected output is tab-separated instead.
            if (Console.IsOutputRedirected)
            {
                foreach (var row in rows.Prepend(columns)) Console.WriteLine(string.Join('\t', row));
                return MigrateExitCodes.Success;
            }
            var table = new Table().AddColumns(columns);
            table.Columns[0].NoWrap();
            foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(table);
            return MigrateExitCodes.Success;
        }));
        root.Subcommands.Add(list);
        return new RootCommand { Subcommands = { root } };
    }

    private static Command Transfer(string mode, Option<string> gateway)
    {
        var src = new Argument<string>("source") { Description = "store:bucket[/prefix]" };
        var dst = new Argument<string>("target") { Description = "store:bucket[/prefix]" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would happen; change nothing." };
        var verify = new Option<string>("--verify") { Description = "checksum (default), size or none", DefaultValueFactory = _ => "checksum" };
        var concurrency = new Option<int>("--concurrency") { Description = "Objects moved at once", DefaultValueFactory = _ => 8 };
        var bandwidth = new Option<long>("--bwlimit") { Description = "Bytes per second, 0 for no limit" };
        var include = new Option<string[]>("--include") { Description = "Glob of keys to include (repeatable)" };
        var exclude = new Option<string[]>("--exclude") { Description = "Glob of keys to exclude (repeatable)" };
        var detach = new Option<bool>("--detach") { Description = "Print the job id and return without following it." };
        var command = new Command(mode, $"Starts a {mode} job and follows its progress.") { src, dst, dryRun, verify, concurrency, bandwidth, include, exclude, detach };
        command.SetAction(r =>
        {
            MigrationLocation source, target;
            try { (source, target) = (MigrationLocationArgument.Parse(r.GetValue(src)!), MigrationLocationArgument.Parse(r.GetValue(dst)!)); }
            catch (FormatException e) { Console.Error.WriteLine(e.Message); return MigrateExitCodes.Usage; }
            var request = new MigrationRequest
            {
                Source = source, Target = target, Mode = mode, DryRun = r.GetValue(dryRun), Verify = r.GetValue(verify),
                Concurrency = r.GetValue(concurrency), BandwidthLimit = r.GetValue(bandwidth),
                Include = r.GetValue(include), Exclude = r.GetValue(exclude),
            };
            return Run(r.GetValue(gateway)!, async http => await StartAndFollowAsync(http, request, r.GetValue(detach), check: false));
        });
        return command;
    }

    /// <summary>A dry-run sync with checksums: exit 0 when the target already matches the source, 2 when it does not.</summary>
    private static Command Check(Option<string> gateway)
    {
        var src = new Argument<string>("source") { Description = "store:bucket[/prefix]" };
        var dst = new Argument<string>("target") { Description = "store:bucket[/prefix]" };
        var command = new Command("check", "Compares source and target (a dry-run sync); exit 0 when they match.") { src, dst };
        command.SetAction(r =>
        {
            MigrationLocation source, target;
            try { (source, target) = (MigrationLocationArgument.Parse(r.GetValue(src)!), MigrationLocationArgument.Parse(r.GetValue(dst)!)); }
            catch (FormatException e) { Console.Error.WriteLine(e.Message); return MigrateExitCodes.Usage; }
            return Run(r.GetValue(gateway)!, async http =>
            {
                var request = new MigrationRequest { Source = source, Target = target, Mode = "sync", DryRun = true };
                return await StartAndFollowAsync(http, request, detach: false, check: true);
            });
        });
        return command;
    }

    private static Command JobVerb(string name, string description, Option<string> gateway, HttpMethod method, string suffix)
    {
        var id = new Argument<string>("id") { Description = "Job id (mig_...)" };
        var command = new Command(name, description) { id };
        command.SetAction(r =>
        {
            var job = r.GetValue(id);
            // An empty id would name the job list (GET v1/migrations/), not a job.
            if (string.IsNullOrWhiteSpace(job))
            {
                Console.Error.WriteLine($"migrate {name}: the job id is empty; give the id a job was created with (mig_...).");
                return MigrateExitCodes.Usage;
            }
            // "." and ".." pass Uri.EscapeDataString unchanged and are path segments: "status ." read the job list, "resume .."
            // posted to v1/resume.
            if (job is "." or "..")
            {
                Console.Error.WriteLine($"migrate {name}: '{job}' is not a job id; give the id a job was created with (mig_...).");
                return MigrateExitCodes.Usage;
            }
            return Run(r.GetValue(gateway)!, async http =>
            {
                using var response = await http.SendAsync(new HttpRequestMessage(method, $"v1/migrations/{Uri.EscapeDataString(job)}{suffix}"));
                var body = await BodyAsync(response);
                if (!response.IsSuccessStatusCode) return Fail(response, body);
                Console.WriteLine(JsonSerializer.Serialize(body, new JsonSerializerOptions { WriteIndented = true }));
                return MigrateExitCodes.Success;
            });
        });
        return command;
    }

    private static async Task<int> StartAndFollowAsync(HttpClient http, MigrationRequest request, bool detach, bool check)
    {
        using var created = await http.PostAsJsonAsync("v1/migrations", request, Json);
        var job = await BodyAsync(created);
        if (created.StatusCode != HttpStatusCode.Accepted) return Fail(created, job);
        var id = job.GetProperty("id").GetString()!;
        Console.Error.WriteLine($"migration {id}");
        if (detach) { Console.WriteLine(id); return MigrateExitCodes.Success; }

        JsonElement last = job;
        using var events = await http.GetAsync($"v1/migrations/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        if (!events.IsSuccessStatusCode) return Fail(events, await BodyAsync(events));
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        var interactive = !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (interactive)
        {
            await AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var objects = ctx.AddTask("objects");
                    var bytes = ctx.AddTask("bytes");
                    while (await reader.ReadLineAsync() is { } line)
                    {
                        last = JsonSerializer.Deserialize<JsonElement>(line, Json);
                        Update(objects, last.GetProperty("objects"));
                        Update(bytes, last.GetProperty("bytes"));
                    }
                });
        }
        else
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                last = JsonSerializer.Deserialize<JsonElement>(line, Json);
                Console.Error.WriteLine(Summary(last));
            }
        }
        Console.WriteLine(Summary(last));
        var state = last.GetProperty("state").GetString();
        if (state is null || !MigrationStates.IsTerminal(state))
        {
            // The stream ended but the job did not (the gateway stopped, a proxy cut the stream): nothing is known about its end.
            Console.Error.WriteLine($"the progress stream ended while migration {id} was {state}; see `migrate status {id}`");
            return MigrateExitCodes.Temporary;
        }
        // Interrupted: a store did not answer; resuming may well finish it (rclone's "temporary error").
        if (state == MigrationStates.Interrupted) return MigrateExitCodes.Temporary;
        // check is a dry-run sync: what it would change is a difference, and an object it failed on (one the target cannot
        // hold) is named with its reason. A plain `sync --dry-run` exits 0, as rclone's does.
        // A job that failed with no failed object (its listing was refused, a bucket went) checked nothing whole: no list.
        if (check && (state == MigrationStates.Completed || FailedObjects(last) > 0)) return await PrintDifferencesAsync(http, id, last);
        return state == MigrationStates.Completed ? MigrateExitCodes.Success : MigrateExitCodes.Error;
    }

    /// <summary>
    /// Prints what a completed check found, one line per object as rclone's check does: what the sync would copy (missing at
    /// the target or not identical) and what it would delete (only at the target). Exit 0 for none, 2 for any. Objects
    /// newer at the target (behind a migrating store: a service's writes) are named too, but are no difference: a sync
    /// leaves them, and they alone do not make the exit 2. Objects the check failed on come first, each with its reason
    /// (a key too long for the target, an object too large for it, a read that failed): a sync would not move them either.
    /// </summary>
    private static async Task<int> PrintDifferencesAsync(HttpClient http, string id, JsonElement status)
    {
        var (failed, refused) = await PrintItemsAsync(http, id, "state=" + MigrationItemStates.Failed, item =>
            $"failed, a sync would not move it ({Printable(item.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "no reason given")}): ");
        if (refused is { } failedCode) return failedCode;
        long differences;
        (differences, refused) = await PrintItemsAsync(http, id, "state=" + MigrationItemStates.Planned, item =>
            item.GetProperty("action").GetString() == MigrationItemStates.Delete ? "only at the target: " : "missing or different at the target: ");
        if (refused is { } code) return code;
        long newer = 0;
        // Asked only of a gateway that counts them (an older one would not know the action filter).
        if (NewerAtTarget(status) > 0)
        {
            (newer, refused) = await PrintItemsAsync(http, id, "action=" + MigrationItemStates.NewerAtTarget, _ => "newer at the target (a service's write): ");
            if (refused is { } newerCode) return newerCode;
        }
        var found = differences == 0 ? "no differences found" : $"{differences} difference(s) found";
        if (failed > 0) found += $"; {failed} object(s) failed, which a sync would not move";
        Console.WriteLine(newer == 0 ? found : $"{found}; {newer} object(s) newer at the target, written by services (a sync leaves them)");
        return differences == 0 && failed == 0 && status.GetProperty("state").GetString() == MigrationStates.Completed
            ? MigrateExitCodes.Success : MigrateExitCodes.Error;
    }

    /// <summary>Prints one line per item the filter selects (all pages): how many, or the exit code of the gateway's refusal (printed).</summary>
    private static async Task<(long Count, int? Refused)> PrintItemsAsync(HttpClient http, string id, string filter, Func<JsonElement, string> label)
    {
        long count = 0;
        string? token = null;
        do
        {
            using var response = await http.GetAsync($"v1/migrations/{id}/items?{filter}&pageSize=1000"
                + (token is null ? "" : "&pageToken=" + Uri.EscapeDataString(token)));
            var page = await BodyAsync(response);
            if (!response.IsSuccessStatusCode) return (count, Fail(response, page));
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                count++;
                Console.WriteLine(label(item) + Printable(item.GetProperty("key").GetString()!));
            }
            token = NextPageToken(page);
        } while (token is not null);
        return (count, null);
    }

    private static long FailedObjects(JsonElement status) =>
        status.TryGetProperty("objects", out var o) && o.TryGetProperty("failed", out var f) && f.ValueKind == JsonValueKind.Number ? f.GetInt64() : 0;

    /// <summary>The status's count of objects left newer at the target; 0 from a gateway that does not give it.</summary>
    private static long NewerAtTarget(JsonElement status) =>
        status.TryGetProperty("newerAtTarget", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt64() : 0;

    private static string? NextPageToken(JsonElement page) =>
        page.TryGetProperty("nextPageToken", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;

    /// <summary>A key as one line: one holding a control character (a line break) is written as a JSON string.</summary>
    private static string Printable(string key) => key.Any(char.IsControl) ? JsonSerializer.Serialize(key) : key;

    private static void Update(ProgressTask task, JsonElement counters)
    {
        var planned = counters.GetProperty("planned").GetDouble();
        task.MaxValue = Math.Max(1, planned);
        task.Value = counters.GetProperty("done").GetDouble() + counters.GetProperty("skipped").GetDouble() + counters.GetProperty("failed").GetDouble();
    }

    private static string Summary(JsonElement s)
    {
        var o = s.GetProperty("objects");
        var b = s.GetProperty("bytes");
        return $"{s.GetProperty("state").GetString()}: objects {o.GetProperty("done")}/{o.GetProperty("planned")} done, {o.GetProperty("skipped")} skipped, "
            + $"{o.GetProperty("failed")} failed; bytes {b.GetProperty("done")}/{b.GetProperty("planned")}; "
            + $"deleted {s.GetProperty("deletedAtTarget")} at the target, {s.GetProperty("deletedAtSource")} at the source"
            + (NewerAtTarget(s) is > 0 and var newer ? $"; {newer} newer at the target" : "")
            + (s.TryGetProperty("lastError", out var e) && e.ValueKind == JsonValueKind.String ? $"; last error: {e.GetString()}" : "");
    }

    private static string Where(JsonElement l) =>
        $"{l.GetProperty("store").GetString()}:{l.GetProperty("bucket").GetString()}{(l.TryGetProperty("prefix", out var p) && p.ValueKind == JsonValueKind.String ? "/" + p.GetString() : "")}";

    private static int Run(string gateway, Func<HttpClient, Task<int>> action)
    {
        // The value is not echoed: a URL written with user:password@ carries a secret.
        if (!Uri.TryCreate(gateway, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0)
        {
            Console.Error.WriteLine("--gateway (or $GATEWAY) must be an absolute http:// or https:// URL, e.g. http://127.0.0.1:5080");
            return MigrateExitCodes.Usage;
        }
        var key = Environment.GetEnvironmentVariable("GATEWAY_API_KEY");
        if (key is { Length: > 0 } && !key.All(c => c is > ' ' and < '\x7f'))
        {
            Console.Error.WriteLine("$GATEWAY_API_KEY is not an API key: it must be printable ASCII without spaces or line breaks.");
            return MigrateExitCodes.Usage;
        }
        // Whatever user information the URL holds is neither sent nor printed.
        var baseUrl = new UriBuilder(url) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri;
        var shown = baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        // No redirect is followed: HttpClient would send X-Api-Key along to wherever Location points, another host too.
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(shown + "/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (key is { Length: > 0 }) http.DefaultRequestHeaders.Add("X-Api-Key", key);
        try { return action(http).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            Console.Error.WriteLine($"cannot reach the gateway at {shown}: {e.Message}");
            return MigrateExitCodes.Temporary;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Something answered that is not a gateway's migrations API (another server on that port, a proxy's page).
            Console.Error.WriteLine($"the answer from {shown} is not a gateway's migrations API answer; is --gateway right?");
            return MigrateExitCodes.Temporary;
        }
    }

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try { return JsonSerializer.Deserialize<JsonElement>(text.Length == 0 ? "{}" : text, Json); }
        // An error's body only lends its detail; a success that is not JSON is not the gateway's (Run says so).
        catch (JsonException) when (!response.IsSuccessStatusCode) { return JsonSerializer.Deserialize<JsonElement>("{}"); }
    }

    private static int Fail(HttpResponseMessage response, JsonElement problem)
    {
        if (PlatformStatus.IsRedirect((int)response.StatusCode))
        {
            // Only where it points, not its query: a redirect's query may carry a token.
            var to = response.Headers.Location is { IsAbsoluteUri: true } location ? location.GetLeftPart(UriPartial.Path) : "(no absolute location)";
            Console.Error.WriteLine($"gateway answered {(int)response.StatusCode}, a redirect to {to}: it is not followed (the API key goes nowhere else); give --gateway the gateway's own address");
            return MigrateExitCodes.Usage;
        }
        var detail = problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("detail", out var d) ? d.GetString() : response.ReasonPhrase;
        Console.Error.WriteLine($"gateway answered {(int)response.StatusCode}: {detail}");
        return (int)response.StatusCode switch
        {
            400 or 409 or 415 or 422 => MigrateExitCodes.Usage,
            401 or 403 => MigrateExitCodes.Fatal,
            404 => MigrateExitCodes.NotFound,
            _ => MigrateExitCodes.Temporary,
        };
    }
}
