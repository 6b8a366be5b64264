"""Reads roster's plans with real third-party readers (see python.sh).

Usage: check.py ROSTER_BINARY. Exits 1 with the first differences found.
"""

import html.parser
import json
import pathlib
import subprocess
import sys
import tomllib

import cmarkgfm
import yaml
from cmarkgfm.cmark import Options

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROSTER = str(pathlib.Path(sys.argv[1]).resolve())
POLICY = "policies/default.toml"


def runs():
    """(name, roster arguments without --format) for every case and hostile fixture."""
    for case_file in sorted(ROOT.glob("policies/tests/**/case.toml")):
        case = tomllib.loads(case_file.read_text())
        here = case_file.parent

        def rel(p):
            return str((here / p).resolve().relative_to(ROOT))

        command = case.get("command", "plan")
        args = [command, "--policy", rel(case["policy"]), "--snapshot", rel(case["snapshot"])]
        if "as_of" in case:
            args += ["--as-of", case["as_of"]]
        if "actor" in case:
            args += ["--actor", case["actor"]]
        for user in case.get("users", []):
            args += ["--user", user]
        for key, flag in [("requests", "--requests"), ("previous", "--previous")]:
            if key in case:
                args += [flag, rel(case[key])]
        for key, flag in [("channel", "--channel"), ("reassign_to", "--reassign-to"),
                          ("reports_to", "--reports-to")]:
            if key in case:
                args += [flag, case[key]]
        if case.get("allow_reactivation"):
            args.append("--allow-reactivation")
        yield str(case_file.parent.relative_to(ROOT)), args
    for fixture in ["tests/data/yaml-ids", "tests/data/markdown-links"]:
        yield fixture + " plan", ["plan", "--policy", POLICY, "--snapshot", fixture]
    yield "yaml-ids offboard", ["offboard", "--policy", POLICY, "--snapshot", "tests/data/yaml-ids",
                                "--actor", "boss", "--user", "Off", "--user", "<<", "--user", "="]
    yield "markdown-links offboard", [
        "offboard", "--policy", POLICY, "--snapshot", "tests/data/markdown-links",
        "--actor", "boss"] + sum((["--user", u] for u in ["m1", "r1", "r2", "r3", "r4", "r5"]), [])


def roster(args, fmt):
    out = subprocess.run([ROSTER, *args, "--format", fmt], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"roster {' '.join(args)} --format {fmt} exited {out.returncode}:\n{out.stderr}")
    return out.stdout


class Elements(html.parser.HTMLParser):
    """Every element and attribute of rendered HTML."""

    def __init__(self):
        super().__init__()
        self.tags = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("href", "src"):
                self.links.append(value)


# What a roster report is made of once rendered: headings, paragraphs, tables, lists, code
# spans of roster's own digests and ids, strong text.
ALLOWED = {"h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "ul", "li",
           "code", "strong", "em", "pre", "br", "hr", "blockquote"}

problems = []
checked = 0
for name, args in runs():
    as_json = json.loads(roster(args, "json"))
    text = roster(args, "yaml")
    for loader in (yaml.SafeLoader, yaml.FullLoader, yaml.Loader):
        try:
            as_yaml = yaml.load(text, Loader=loader)
        except yaml.YAMLError as e:
            problems.append(f"{name}: PyYAML ({loader.__name__}) cannot load the YAML plan: {e}")
            continue
        if as_yaml != as_json:
            diffs = [k for k in as_json if as_yaml.get(k) != as_json[k]] if isinstance(as_yaml, dict) else ["(root)"]
            problems.append(f"{name}: PyYAML ({loader.__name__}) reads other data than the JSON plan in {diffs}")
    rendered = cmarkgfm.github_flavored_markdown_to_html(
        roster(args, "markdown"), options=Options.CMARK_OPT_UNSAFE)
    elements = Elements()
    elements.feed(rendered)
    if elements.links:
        problems.append(f"{name}: the Markdown plan renders links: {elements.links[:5]}")
    extra = elements.tags - ALLOWED
    if extra:
        problems.append(f"{name}: the Markdown plan renders HTML elements {sorted(extra)}")
    checked += 1

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"PyYAML {yaml.__version__} and cmarkgfm read {checked} plans as roster meant them")
