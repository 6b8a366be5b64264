// Checks roster's HTML reports in headless Chromium (see html.sh). Arguments: report names;
// $OUT holds NAME.html and NAME.json for each.
const path = require("path");
const fs = require("fs");
const puppeteer = require(path.join(process.env.OUT, "node_modules", "puppeteer-core"));

const problems = [];
function check(ok, what) {
  if (!ok) problems.push(what);
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  for (const name of process.argv.slice(2)) {
    const file = path.join(process.env.OUT, name + ".html");
    const plan = JSON.parse(fs.readFileSync(path.join(process.env.OUT, name + ".json"), "utf8"));
    const page = await browser.newPage();
    const requests = [];
    const errors = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto("file://" + file, { waitUntil: "load" });
    const others = requests.filter((u) => u !== "file://" + file);
    check(others.length === 0, `${name}: network requests ${others.slice(0, 3)}`);
    check(errors.length === 0, `${name}: script errors ${errors.slice(0, 3)}`);
    const rows = await page.evaluate(() => {
      const count = (id) => { const t = document.getElementById(id); return t ? t.tBodies[0].rows.length : 0; };
      return { actions: count("actions"), reassignments: count("reassignments"), blocked: count("blocked"),
               findings: count("findings"), offboarded: count("offboarded") };
    });
    const want = { actions: plan.actions.length, reassignments: plan.reassignments.length,
                   blocked: plan.blocked.length, findings: plan.findings.length,
                   offboarded: Object.keys(plan.summary.offboarded || {}).length };
    for (const k of Object.keys(want)) {
      check(rows[k] === want[k], `${name}: ${k} table has ${rows[k]} rows, the plan ${want[k]}`);
    }
    const dom = await page.evaluate(() => ({
      scripts: document.scripts.length,
      links: document.querySelectorAll("a, img, iframe, object, embed, link, form").length,
      handlers: Array.from(document.querySelectorAll("*")).filter((e) =>
        Array.from(e.attributes).some((a) => a.name.startsWith("on"))).length,
      bars: document.querySelectorAll("#chart rect.bar").length,
      text: document.body.innerText,
    }));
    check(dom.scripts === 1, `${name}: ${dom.scripts} scripts (only roster's own may run)`);
    check(dom.links === 0, `${name}: ${dom.links} link, image, frame or form elements`);
    check(dom.handlers === 0, `${name}: ${dom.handlers} elements with event handlers`);
    check(dom.bars === 2 * Object.keys(plan.summary.statuses_before).length, `${name}: ${dom.bars} bars in the chart`);
    if (name.startsWith("hostile")) {
      check(dom.text.includes("<script>alert(1)</script>"), `${name}: the hostile name is not shown as text`);
    }
    // Filtering: a word no row has hides every row; clearing shows them again.
    if (want.actions > 1) {
      const first = plan.actions[0].action;
      const shown = async (word) => {
        await page.$eval("input[data-table=actions]", (i, w) => {
          i.value = w; i.dispatchEvent(new Event("input"));
        }, word);
        return page.$$eval("#actions tbody tr", (rs) => rs.filter((r) => !r.hidden).length);
      };
      const matching = plan.actions.filter((a) => a.action === first).length;
      const n = await shown(first);
      check(n >= matching && n <= want.actions, `${name}: filter "${first}" shows ${n} rows`);
      check((await shown("zzz-no-row-has-this")) === 0, `${name}: a filter matching nothing shows rows`);
      check((await shown("")) === want.actions, `${name}: a cleared filter does not show every row`);
      // Sorting by action, twice: ascending, then descending.
      await page.click("#actions thead th:nth-child(2)");
      const up = await page.$$eval("#actions tbody tr", (rs) => rs.map((r) => r.cells[1].textContent));
      const sorted = [...up].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
      check(JSON.stringify(up) === JSON.stringify(sorted), `${name}: a header click does not sort`);
      await page.click("#actions thead th:nth-child(2)");
      const down = await page.$$eval("#actions tbody tr", (rs) => rs.map((r) => r.cells[1].textContent));
      check(JSON.stringify(down) === JSON.stringify([...sorted].reverse()), `${name}: a second click does not reverse`);
      await page.click("#actions thead th:nth-child(2)");
    }
    await page.setViewport({ width: 1280, height: 900 });
    await page.screenshot({ path: path.join(process.env.OUT, name + ".png"), fullPage: true });
    await page.close();
    console.log(`${name}: ${JSON.stringify(rows)} rows, no request, screenshot ${name}.png`);
  }
  await browser.close();
  if (problems.length) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
})().catch((e) => { console.error(e); process.exit(1); });
