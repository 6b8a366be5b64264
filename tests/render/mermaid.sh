#!/usr/bin/env bash
# Renders the Mermaid diagrams of roster's Markdown reports in headless Chromium and checks
# that each one is valid Mermaid and shows the expected labels as text:
#
#   1. the Acme example's nightly plan (policies/default.toml, examples/acme);
#   2. an offboarding on a small snapshot whose names are hostile (quotes, brackets,
#      `<script>`, a Mermaid directive, a line break): the labels must show the names as
#      plain text, and the SVG must hold no <script> element.
#
# Needs Chromium (CHROMIUM, default /usr/bin/chromium), node and npm; it installs the
# `mermaid` and `puppeteer-core` npm packages into a temporary folder (puppeteer-core
# downloads no browser). Without Chromium or node it says so and exits 0: the check is
# optional in CI. The SVGs are left in $OUT (default: a temporary folder) for a look.
#
#   bash tests/render/mermaid.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
    echo "skip: no Chromium at $chromium (install it, or set CHROMIUM=/path/to/chromium)"
    exit 0
fi
for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
        echo "skip: $tool is not installed"
        exit 0
    fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="${OUT:-$work/svg}"
mkdir -p "$out"

echo "building roster"
(cd "$root" && cargo build --quiet)
roster="${CARGO_TARGET_DIR:-$root/target}/debug/roster"

echo "installing mermaid and puppeteer-core into $work"
(cd "$work" && npm init -y >/dev/null &&
    npm install --silent --no-audit --no-fund mermaid@11 puppeteer-core@24 >/dev/null)

# 1. The shipped example.
(cd "$root" && "$roster" plan --policy policies/default.toml --snapshot examples/acme \
    --format markdown --out "$work/acme.md")

# 2. Hostile names. The leaver's name has a line break (a quoted CSV cell).
snap="$work/hostile"
mkdir -p "$snap"
cat >"$snap/users.csv" <<'CSV'
id,email,name,role,status,manager_id,last_login_at
adm,adm@x.example,Ada,admin,active,,2026-11-20
boss,boss@x.example,"%%{init: {'theme':'dark'}}%% <script>alert(1)</script>",manager,active,adm,2026-11-20
eve,eve@x.example,"Eve ""]; click n1 call alert(1) [x](javascript:y) `code`
next line",rep,active,boss,2026-11-20
CSV
cat >"$snap/records.csv" <<'CSV'
id,kind,owner_id,state
r1,contact,eve,active
r2,"pin<b>|#"" ;",eve,active
CSV
(cd "$root" && "$roster" offboard --policy policies/default.toml --snapshot "$snap" \
    --as-of 2026-11-22 --actor adm --user eve --format markdown --out "$work/hostile.md")

cat >"$work/check.js" <<'JS'
// Usage: node check.js CHROMIUM OUT_DIR (REPORT.md EXPECTED_LABELS.json)...
const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer-core");

const [chromium, outDir, ...pairs] = process.argv.slice(2);
const mermaidJs = require.resolve("mermaid/dist/mermaid.min.js");

function diagrams(markdown) {
  const blocks = [];
  const re = /^```mermaid\n([\s\S]*?)^```$/gm;
  let m;
  while ((m = re.exec(markdown)) !== null) blocks.push(m[1]);
  return blocks;
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  let failed = 0;
  let failedReports = 0;
  let before = 0;
  try {
    const page = await browser.newPage();
    page.on("dialog", async (d) => {
      failed++;
      console.error(`FAIL: a dialog opened: ${d.message()}`);
      await d.dismiss();
    });
    await page.setContent("<!doctype html><html><body></body></html>");
    await page.addScriptTag({ path: mermaidJs });
    await page.evaluate(() =>
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" })
    );
    for (let i = 0; i < pairs.length; i += 2) {
      if (i > 0 && failed > before) failedReports++;
      before = failed;
      const report = pairs[i];
      const expected = JSON.parse(pairs[i + 1]);
      const blocks = diagrams(fs.readFileSync(report, "utf8"));
      if (blocks.length !== 1) {
        failed++;
        console.error(`FAIL: ${report}: ${blocks.length} mermaid blocks, expected 1`);
        continue;
      }
      const result = await page.evaluate(async (text) => {
        try {
          await window.mermaid.parse(text);
          const { svg } = await window.mermaid.render("d" + Date.now(), text);
          const holder = document.createElement("div");
          holder.innerHTML = svg;
          document.body.appendChild(holder);
          const labels = [...holder.querySelectorAll(".nodeLabel, .edgeLabel")]
            .map((e) => e.textContent.replace(/\s+/g, " ").trim())
            .filter((t) => t.length > 0);
          const scripts = holder.querySelectorAll("script").length;
          holder.remove();
          return { svg, labels, scripts };
        } catch (e) {
          return { error: String((e && e.message) || e) };
        }
      }, blocks[0]);
      const name = path.basename(report, ".md");
      if (result.error) {
        failed++;
        console.error(`FAIL: ${name}: mermaid error: ${result.error}`);
        continue;
      }
      fs.writeFileSync(path.join(outDir, `${name}.svg`), result.svg);
      if (/Syntax error/i.test(result.svg)) {
        failed++;
        console.error(`FAIL: ${name}: the SVG is mermaid's syntax error picture`);
      }
      if (result.scripts > 0) {
        failed++;
        console.error(`FAIL: ${name}: the SVG holds a <script> element`);
      }
      for (const label of expected) {
        if (!result.labels.includes(label)) {
          failed++;
          console.error(`FAIL: ${name}: no label ${JSON.stringify(label)} in ${JSON.stringify(result.labels)}`);
        }
      }
      console.log(`${name}: ${result.labels.length} labels rendered, ${expected.length} checked`);
    }
    if (failed > before) failedReports++;
  } finally {
    await browser.close();
  }
  const reports = pairs.length / 2;
  console.log(`${reports - failedReports} passed, ${failedReports} failed`);
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.error(`FAIL: ${e}`);
  process.exit(1);
});
JS

acme_labels='[
  "Kwame Mensah (u015)", "Yuki Tanaka (u005)", "Grace Mwangi (u034)", "Amara Nwosu (u007)",
  "Viktor Horváth (u035)", "Carlos Mendoza (u004)",
  "1 contact, 2 opportunities, 1 pin", "1 contact, 2 opportunities", "2 opportunities"
]'
hostile_labels='[
  "Eve \"]; click n1 call alert(1) [x](javascript:y) `code` next line (eve)",
  "%%{init: {'"'"'theme'"'"':'"'"'dark'"'"'}}%% <script>alert(1)</script> (boss)",
  "1 contact, 1 pin<b>|#\" ;"
]'
echo "rendering in $chromium"
(cd "$work" && node check.js "$chromium" "$out" \
    "$work/acme.md" "$acme_labels" "$work/hostile.md" "$hostile_labels")
echo "ok: the SVGs are in $out"
