#!/usr/bin/env bash
# Counts test results per project and prints a table, then the closing line "N passed, N failed"
# (a line "N skipped" comes just before it when tests were skipped).
#   scripts/count-results.sh RESULTS_DIR PROJECT...
# RESULTS_DIR/<Project>/ holds that project's .trx file(s) and, optionally, a file `exit-code`
# with dotnet test's exit status. A project counts one failure (beyond its failed tests) when:
#   - it has no .trx, or a .trx that does not parse (crashed before or while writing results)
#   - it ran no test at all (empty)
#   - its ResultSummary outcome is Failed, Aborted, Error or Timeout while no test failed
#     (a test host that crashed after its tests passed, e.g. Environment.FailFast)
#   - dotnet test exited non-zero while nothing above explains it
# Before the table, each failed test is named with the first line of its message (at most 30), so
# that the tail of a CI log says which tests failed, not only how many; up to 8 further lines of the
# message follow, indented (xUnit puts what differed there, e.g. the items of a collection not empty).
# Exits 1 when anything failed, 0 otherwise.
set -euo pipefail
if [ $# -lt 1 ]; then echo "usage: $0 RESULTS_DIR PROJECT..." >&2; exit 2; fi
exec python3 - "$@" <<'PY'
import sys, glob, os, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
results_dir, projects = sys.argv[1], sys.argv[2:]
if not projects:
    projects = sorted(d for d in os.listdir(results_dir) if os.path.isdir(os.path.join(results_dir, d))) if os.path.isdir(results_dir) else []
BAD_SUMMARY = {"Failed", "Aborted", "Error", "Timeout"}
SKIPPED = {"NotExecuted", "Inconclusive", "NotRunnable", "Pending", "Disconnected"}
rows, total_p, total_f, total_s = [], 0, 0, 0
failures = []
if not projects:
    rows.append(("(no test projects)", 0, 1, 0, "nothing to count"))
for name in projects:
    pdir = os.path.join(results_dir, name)
    files = sorted(glob.glob(os.path.join(pdir, "**", "*.trx"), recursive=True))
    p = f = s = 0
    notes = []
    if not files:
        f += 1; notes.append("no results (missing or crashed)")
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            f += 1; notes.append(f"unreadable trx: {e}"); continue
        tf = 0
        for r in root.iterfind(".//t:Results/t:UnitTestResult", ns):
            o = r.get("outcome")
            if o == "Passed": p += 1
            elif o in SKIPPED: s += 1
            else:
                f += 1; tf += 1
                message = r.find("t:Output/t:ErrorInfo/t:Message", ns)
                lines = [l.strip() for l in (message.text or "").splitlines() if l.strip()] if message is not None else []
                first = lines[0] if lines else ""
                failures.append((f"FAILED {name}: {r.get('testName')} ({o})" + (f": {first[:200]}" if first else ""),
                                 [f"    | {l[:400]}" for l in lines[1:9]]))
        summary = root.find("t:ResultSummary", ns)
        outcome = summary.get("outcome") if summary is not None else None
        if summary is None:
            f += 1; notes.append("no ResultSummary (run did not finish)")
        elif outcome in BAD_SUMMARY and tf == 0:
            f += 1
            info = " ".join(" ".join((t.text or "").split()) for t in summary.iterfind(".//t:RunInfo/t:Text", ns))
            notes.append(f"run {outcome}" + (f": {info[:160]}" if info else ""))
    if files and p + s + f == 0:
        f += 1; notes.append("ran no test")
    code_file = os.path.join(pdir, "exit-code")
    if os.path.exists(code_file):
        code = open(code_file).read().strip()
        if code not in ("", "0") and f == 0:
            f += 1; notes.append(f"dotnet test exited {code}")
    rows.append((name, p, f, s, "; ".join(notes)))
    total_p += p; total_f += f; total_s += s
for head, details in failures[:30]:
    print(head)
    for line in details: print(line)
if len(failures) > 30:
    print(f"... and {len(failures) - 30} more failed tests")
width = max([len(r[0]) for r in rows] + [7])
print(f"{'project':<{width}}  {'passed':>6}  {'failed':>6}  {'skipped':>7}  note")
for name, p, f, s, note in rows:
    print(f"{name:<{width}}  {p:>6}  {f:>6}  {s:>7}  {note}".rstrip())
if not projects:
    total_f += 1
if total_s: print(f"{total_s} skipped")
print(f"{total_p} passed, {total_f} failed")
sys.exit(1 if total_f else 0)
PY
