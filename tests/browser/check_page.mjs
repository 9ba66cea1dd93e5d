// Opens a page in Debian's Chromium (headless, through playwright-core),
// signs in with HTTP Basic auth, and runs axe-core on it. Prints each
// violation (rule, impact, the elements) and exits 1 if there is any (a
// file:// URL, such as the HTML report, is opened as it is);
// prints what the page says in text, for the caller to check, with --text;
// with SCREENSHOT=FILE in the environment, saves the page as a PNG.
//   node check_page.mjs URL PASSWORD [--text]
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const [url, password, textFlag] = process.argv.slice(2);
if (!url || password === undefined) {
  console.error("usage: node check_page.mjs URL PASSWORD [--text]");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless=new"],
});
try {
  const context = await browser.newContext({ httpCredentials: { username: "admin", password } });
  const page = await context.newPage();
  // What the page's Content-Security-Policy refused: its own script blocked
  // would leave the status page frozen, so any refusal fails the check.
  const refused = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) refused.push(m.text());
  });
  const response = await page.goto(url, { waitUntil: "load" });
  // A file (the HTML report) has no HTTP status.
  if (!url.startsWith("file:") && (!response || response.status() !== 200)) {
    console.error(`${url}: HTTP ${response ? response.status() : "no response"}`);
    process.exit(1);
  }
  // Evaluated through the debugging protocol, which the page's CSP (no
  // inline script) does not govern, as an injected <script> would be.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document));
  for (const v of result.violations) {
    console.log(`axe: ${v.id} (${v.impact}): ${v.help}`);
    for (const n of v.nodes) console.log(`  ${n.target.join(" ")}: ${n.failureSummary.replace(/\n/g, " ")}`);
  }
  console.log(`axe: ${result.violations.length} violations, ${result.passes.length} rules passed`);
  if (textFlag === "--text") console.log(await page.innerText("body"));
  // SCREENSHOT=FILE: the whole page as the admin sees it, to look at.
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  for (const r of refused) console.log(`csp: ${r}`);
  process.exit(result.violations.length === 0 && refused.length === 0 ? 0 : 1);
} finally {
  await browser.close();
}
