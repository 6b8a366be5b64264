"""Checks the reports of `roster test` with real readers (see ci-formats.sh).

Usage: ci_formats.py ROSTER_BINARY JUNIT_XSD NODE_DIR. Exits 1 on the first disagreement.
"""

import json
import pathlib
import re
import subprocess
import sys

import junitparser
import xmlschema

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROSTER = str(pathlib.Path(sys.argv[1]).resolve())
SCHEMA = xmlschema.XMLSchema(sys.argv[2])
NODE_DIR = pathlib.Path(sys.argv[3]).resolve()

# (suite folder, expected exit code): every case passing; then passing, failing, missing
# and broken cases together.
SUITES = [("policies/tests", 0), ("tests/data/suite-failing", 1)]

ANNOTATION = re.compile(
    r"^::(error|warning|notice) file=[^,:]+(,line=\d+)?(,col=\d+)?,title=[^,:]+::[^\r\n]+$"
)

TAP_READER = """
const { Parser } = require('tap-parser');
const chunks = [];
process.stdin.on('data', c => chunks.push(c));
process.stdin.on('end', () => {
  const p = new Parser(results => {
    process.stdout.write(JSON.stringify({
      ok: results.ok, count: results.count, pass: results.pass, fail: results.fail,
      plan: results.plan.end,
      failures: results.failures.map(f => f.name),
    }));
  });
  p.end(Buffer.concat(chunks).toString());
});
"""


def run(suite, fmt):
    out = subprocess.run(
        [ROSTER, "test", suite, "--format", fmt], cwd=ROOT, capture_output=True, text=True
    )
    return out.returncode, out.stdout


def fail(message):
    print(f"FAILED {message}")
    sys.exit(1)


def check(suite, code):
    rc, text = run(suite, "json")
    if rc != code:
        fail(f"{suite}: JSON exit {rc}, expected {code}")
    report = json.loads(text)
    names = [c["name"] for c in report["cases"]]
    failing = [c["name"] for c in report["cases"] if c["status"] in ("failed", "missing")]
    broken = [c["name"] for c in report["cases"] if c["status"] == "broken"]

    rc, xml = run(suite, "junit")
    if rc != code:
        fail(f"{suite}: JUnit exit {rc}")
    errors = list(SCHEMA.iter_errors(xml))
    if errors:
        fail(f"{suite}: the JUnit report is not valid against junit-10.xsd: {errors[0]}")
    parsed = junitparser.JUnitXml.fromstring(xml)
    cases = [case for s in parsed for case in s]
    if [c.name for c in cases] != names:
        fail(f"{suite}: JUnit cases {[c.name for c in cases]} != {names}")
    j_fail = [c.name for c in cases if any(isinstance(r, junitparser.Failure) for r in c.result)]
    j_err = [c.name for c in cases if any(isinstance(r, junitparser.Error) for r in c.result)]
    if j_fail != failing or j_err != broken:
        fail(f"{suite}: JUnit failures {j_fail} errors {j_err}, JSON {failing} {broken}")
    if (parsed.tests, parsed.failures, parsed.errors) != (len(names), len(failing), len(broken)):
        fail(f"{suite}: JUnit totals {parsed.tests} {parsed.failures} {parsed.errors}")

    rc, tap = run(suite, "tap")
    if rc != code:
        fail(f"{suite}: TAP exit {rc}")
    read = subprocess.run(
        ["node", "-e", TAP_READER], input=tap, capture_output=True, text=True, cwd=NODE_DIR
    )
    if read.returncode != 0:
        fail(f"{suite}: tap-parser failed: {read.stderr}")
    t = json.loads(read.stdout)
    if t["count"] != len(names) or t["plan"] != len(names) or t["fail"] != len(failing) + len(broken):
        fail(f"{suite}: TAP read as {t}, JSON has {len(names)} cases")
    if sorted(t["failures"]) != sorted(failing + broken) or t["ok"] != (code == 0):
        fail(f"{suite}: TAP failures {t['failures']}, JSON {failing + broken}")

    rc, gh = run(suite, "github")
    if rc != code:
        fail(f"{suite}: GitHub exit {rc}")
    commands = [line for line in gh.splitlines() if line.startswith("::")]
    for line in commands:
        if not ANNOTATION.match(line):
            fail(f"{suite}: not a workflow command: {line!r}")
    titles = {re.search(r",title=roster test ([^,:]+)::", c).group(1) for c in commands}
    if titles != set(failing + broken):
        fail(f"{suite}: annotations for {sorted(titles)}, JSON failing {failing + broken}")
    print(f"ok {suite}: {len(names)} cases; JUnit valid and read alike, TAP read alike, "
          f"{len(commands)} annotations")


for suite, code in SUITES:
    check(suite, code)
