using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Gateway.Migrations;

namespace Gateway.Status;

/// <summary>
/// Renders the operators' status page: plain HTML and CSS, no script. It refreshes itself with a meta refresh, and
/// its tables turn into stacked cards on a narrow (phone) screen.
/// </summary>
public static class StatusPage
{
    public const int RefreshSeconds = 5;
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(StatusSnapshot s)
    {
        var b = new StringBuilder(8192);
        b.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
         .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
         .Append(Invariant, $"<meta http-equiv=\"refresh\" content=\"{RefreshSeconds}\">")
         .Append("<title>Gateway status</title><style>").Append(Style).Append("</style></head><body>")
         .Append("<header><h1>Gateway status</h1>")
         .Append(Invariant, $"<p class=\"muted\">Updated <time datetime=\"{s.At:O}\">{s.At:yyyy-MM-dd HH:mm:ss} UTC</time>, refreshes every {RefreshSeconds} s</p></header><main>");
        Bridges(b, s);
        Audit(b, s.AuditHead);
        Migrations(b, s.Migrations);
        Refusals(b, s);
        return b.Append("</main></body></html>").ToString();
    }

    private static void Bridges(StringBuilder b, StatusSnapshot s)
    {
        b.Append("<section id=\"bridges\"><h2>Bridges</h2>");
        if (s.Bridges.Count == 0) { b.Append("<p class=\"muted\">No bridge is configured.</p></section>"); return; }
        b.Append("<table><thead><tr><th>Bridge</th><th>Kind</th><th>Health</th><th>Breaker</th><th>Calls/s</th><th>Errors</th><th>p95</th></tr></thead><tbody>");
        foreach (var (bridge, calls) in s.Bridges)
        {
            b.Append("<tr data-bridge=\"").Append(E(bridge.Kind + "/" + bridge.Name)).Append("\" data-breaker=\"").Append(E(bridge.Circuit)).Append("\">")
             .Append("<td data-label=\"Bridge\"><strong>").Append(E(bridge.Name)).Append("</strong>");
            if (bridge.LastError is { } error) b.Append("<br><small class=\"muted\">").Append(E(error)).Append("</small>");
            b.Append("</td><td data-label=\"Kind\">").Append(E(bridge.Kind)).Append("</td>")
             .Append("<td data-label=\"Health\"><span class=\"badge ").Append(E(bridge.Health)).Append("\">").Append(E(bridge.Health)).Append("</span></td>")
             .Append("<td data-label=\"Breaker\" class=\"breaker\"><span class=\"badge ").Append(BreakerClass(bridge.Circuit)).Append("\">").Append(E(bridge.Circuit)).Append("</span></td>");
            if (calls is null)
                b.Append("<td data-label=\"Calls/s\">0</td><td data-label=\"Errors\">-</td><td data-label=\"p95\">-</td>");
            else
                b.Append(Invariant, $"<td data-label=\"Calls/s\">{calls.PerSecond:0.##}</td><td data-label=\"Errors\">{calls.ErrorRate:0.#%}</td><td data-label=\"p95\">{Milliseconds(calls.P95Seconds)}</td>");
            b.Append("</tr>");
        }
        b.Append("</tbody></table><p class=\"muted\">Rates and p95 over the last minute of calls.</p></section>");
    }

    private static void Audit(StringBuilder b, AuditHeadStatus? head)
    {
        b.Append("<section id=\"audit\"><h2>Audit log</h2>");
        if (head is null) { b.Append("<p class=\"muted\">No signed tree head yet (no bridge call was witnessed).</p></section>"); return; }
        var verdict = head.Verifies ? "<span class=\"badge healthy\">verifies</span>"
            : $"<span class=\"badge unhealthy\">does not verify</span> ({(head.SignatureVerifies ? "" : "signature ")}{(head.RootMatchesLog ? "" : "root")})";
        b.Append("<dl><dt>Latest signed head</dt><dd>").Append(verdict).Append("</dd>")
         .Append(Invariant, $"<dt>Tree size</dt><dd>{head.TreeSize:N0} witnesses</dd>")
         .Append(Invariant, $"<dt>Signed at</dt><dd>{head.Timestamp:yyyy-MM-dd HH:mm:ss} UTC</dd>")
         .Append("<dt>Root</dt><dd><code>").Append(E(head.RootHash)).Append("</code></dd>")
         .Append("<dt>Bridge-host key</dt><dd><code>").Append(E(head.HostKey)).Append("</code></dd>");
        if (head.UnresolvedCalls > 0)
            b.Append(Invariant, $"<dt>Unresolved calls</dt><dd id=\"unresolved-calls\"><span class=\"badge degraded\">{head.UnresolvedCalls:N0}</span> ")
             .Append("witnessed calls have no recorded outcome: the gateway stopped while their answers were read (<code>GET /v1/audit/pending</code>)</dd>");
        b.Append("</dl></section>");
    }

    private static void Migrations(StringBuilder b, IReadOnlyList<MigrationStatus> migrations)
    {
        b.Append("<section id=\"migrations\"><h2>Migrations</h2>");
        if (migrations.Count == 0) { b.Append("<p class=\"muted\">No active migration.</p></section>"); return; }
        b.Append("<ul class=\"plain\">");
        foreach (var m in migrations)
        {
            var planned = Math.Max(1, m.Bytes.Planned);
            var done = m.Bytes.Done + m.Bytes.Skipped;
            b.Append("<li data-migration=\"").Append(E(m.Id)).Append("\"><strong>").Append(E($"{m.Source.Store}/{m.Source.Bucket}"))
             .Append(" &rarr; ").Append(E($"{m.Target.Store}/{m.Target.Bucket}")).Append("</strong> <span class=\"badge\">").Append(E(m.State)).Append("</span>")
             .Append(Invariant, $"<progress value=\"{done}\" max=\"{planned}\">{done * 100 / planned}%</progress>")
             .Append(Invariant, $"<small>{m.Objects.Done + m.Objects.Skipped:N0} of {m.Objects.Planned:N0} objects, {m.Objects.Failed:N0} failed, {Bytes(done)} of {Bytes(m.Bytes.Planned)}</small></li>");
        }
        b.Append("</ul></section>");
    }

    private static void Refusals(StringBuilder b, StatusSnapshot s)
    {
        b.Append("<section id=\"refusals\"><h2>Refusals</h2>");
        if (s.RefusalTotals.Count == 0) { b.Append("<p class=\"muted\">No request was refused since start.</p></section>"); return; }
        b.Append("<table><thead><tr><th>Reason</th><th>Since start</th><th>Last</th></tr></thead><tbody>");
        foreach (var (reason, total) in s.RefusalTotals.OrderByDescending(t => t.Value))
        {
            var last = s.Refusals.FirstOrDefault(r => r.Reason == reason);
            b.Append("<tr data-reason=\"").Append(E(reason)).Append("\"><td data-label=\"Reason\">").Append(E(reason)).Append("</td>")
             .Append(Invariant, $"<td data-label=\"Since start\">{total:N0}</td><td data-label=\"Last\">{(last is null ? "-" : last.At.ToString("HH:mm:ss", Invariant))}</td></tr>");
        }
        b.Append("</tbody></table></section>");
    }

    private static string BreakerClass(string circuit) => circuit switch
    {
        "open" or "isolated" => "unhealthy",
        "half-open" => "degraded",
        "closed" => "healthy",
        _ => "unknown",
    };

    private static string Milliseconds(double seconds) => seconds < 1
        ? (seconds * 1000).ToString("0.#", Invariant) + " ms"
        : seconds.ToString("0.##", Invariant) + " s";

    private static string Bytes(long n) => n switch
    {
        >= 1L << 30 => (n / (double)(1L << 30)).ToString("0.#", Invariant) + " GiB",
        >= 1L << 20 => (n / (double)(1L << 20)).ToString("0.#", Invariant) + " MiB",
        >= 1L << 10 => (n / (double)(1L << 10)).ToString("0.#", Invariant) + " KiB",
        _ => n.ToString(Invariant) + " B",
    };

    private static string E(string text) => Html.Encode(text);

    private const string Style = """
        :root{font-family:system-ui,sans-serif;color:#1b1f24;background:#f6f8fa}
        body{margin:0 auto;max-width:72rem;padding:1rem}
        h1{font-size:1.5rem;margin:0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
        .muted{color:#57606a}section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}
        .badge{display:inline-block;padding:.1rem .5rem;border-radius:1rem;font-size:.85rem;background:#eaeef2}
        .healthy{background:#dafbe1;color:#116329}.degraded{background:#fff8c5;color:#7d4e00}.unhealthy{background:#ffebe9;color:#a40e26}
        progress{display:block;width:100%;height:1rem;margin:.3rem 0}code{font-size:.8rem;word-break:break-all}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}dd{margin:0}
        ul.plain{list-style:none;padding:0;margin:0}ul.plain li{margin:.5rem 0}
        @media (max-width:40rem){
          thead{display:none}table,tbody,tr,td{display:block;width:100%}
          tr{border:1px solid #d0d7de;border-radius:6px;margin:.5rem 0;padding:.25rem}
          td{border:0;display:flex;justify-content:space-between;gap:1rem}
          td::before{content:attr(data-label);font-weight:600;color:#57606a}
          dl{grid-template-columns:1fr}
        }
        """;
}
