#!/usr/bin/env bash
# Sums the outcomes in every .trx file under $1 and prints "N passed, N failed".
# A test project that crashed before writing results counts as one failure.
set -euo pipefail
dir=$1
python3 - "$dir" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = 0
files = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
for f in files:
    try:
        root = ET.parse(f).getroot()
    except ET.ParseError:
        failed += 1
        continue
    for r in root.iterfind(".//t:UnitTestResult", ns):
        o = r.get("outcome")
        if o == "Passed": passed += 1
        else: failed += 1
if not files: failed += 1
print(f"{passed} passed, {failed} failed")
PY
