// Opens the GraphQL playground and the REST docs in headless Chromium (Debian's package) with
// every request outside the factline server refused, runs the example query
// that is already in the editor, and checks that a result appears.
//
//   node tests/browser/playground.mjs <factline binary> [screenshot.png]
//
// Exits non-zero, saying why, when anything is off.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const [binaryArg, screenshot = "target/playground.png"] = process.argv.slice(2);
const binary = binaryArg && resolve(binaryArg);
if (!binary) {
  console.error("usage: node playground.mjs <factline binary> [screenshot.png]");
  process.exit(2);
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const dir = mkdtempSync(join(tmpdir(), "factline-playground-"));
const env = { ...process.env, FACTLINE_LOG: "warn" };
delete env.DATABASE_URL;
const server = spawn(binary, ["serve", "--bind", `127.0.0.1:${port}`], { cwd: dir, env, stdio: "inherit" });

let browser;
let failed = false;
try {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error("factline never became ready");
    await new Promise((r) => setTimeout(r, 100));
  }

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Nothing but the factline server resolves.
      "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const outside = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  await page.goto(`${base}/graphql`, { waitUntil: "load" });
  const run = page.locator(".graphiql-execute-button");
  await run.waitFor({ timeout: 20_000 });
  const editor = await page.locator(".graphiql-query-editor").innerText();
  if (!editor.includes('target(slug: "paypal")')) throw new Error("the example query is not in the editor");
  const answer = page.waitForResponse(
    (r) => r.url() === `${base}/graphql` && r.request().method() === "POST" && r.request().postData()?.includes("PayPal"),
  );
  await run.click();
  const body = await (await answer).json();
  if (body.errors) throw new Error(`the example query answered with errors: ${JSON.stringify(body.errors)}`);
  const json = JSON.stringify(body);
  for (const expected of ["op-avenge-assange", "5600.00", "per_person", "Anonymous"]) {
    if (!json.includes(expected)) throw new Error(`the answer lacks ${expected}`);
  }
  // And the result pane shows it (CodeMirror renders the lines in view).
  await page.locator(".result-window").filter({ hasText: "Operation Payback" }).waitFor({ timeout: 20_000 });
  await page.screenshot({ path: screenshot });

  // The REST docs page renders the OpenAPI document from local assets too.
  await page.goto(`${base}/docs/`, { waitUntil: "load" });
  await page.locator(".swagger-ui .info .title").filter({ hasText: "factline" }).waitFor({ timeout: 20_000 });
  await page.locator(".opblock-summary-path").filter({ hasText: "/v1/operations" }).first().waitFor({ timeout: 20_000 });
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-docs.png") });
  // The landing page: counts, links, and the server-drawn timeline chart.
  await page.setViewportSize({ width: 1100, height: 1300 });
  await page.goto(`${base}/`, { waitUntil: "load" });
  const counts = await page.locator(".counts").innerText();
  for (const expected of ["groups", "operations", "legal outcomes", "sources"]) {
    if (!counts.includes(expected)) throw new Error(`the landing page lacks the ${expected} count`);
  }
  const marks = await page.locator(".chart svg a").count();
  if (marks < 50) throw new Error(`the timeline chart draws ${marks} records`);
  const box = await page.locator(".chart svg").boundingBox();
  if (!box || box.width < 900 || box.height < 200) throw new Error(`the chart renders at ${JSON.stringify(box)}`);
  for (const href of ["/graphql", "/docs/", "/v1/export?format=stix", "/v1/operations/schema"]) {
    if ((await page.locator(`a[href="${href}"]`).count()) === 0) throw new Error(`no link to ${href}`);
  }
  const landing = screenshot.replace(/\.png$/, "-landing.png");
  await page.screenshot({ path: landing, fullPage: true });
  if (outside.length) throw new Error(`requests left localhost: ${outside.join(", ")}`);
  if (consoleErrors.length) throw new Error(`page errors: ${consoleErrors.join("; ")}`);
  console.log(`playground ok: example query ran offline; /docs rendered offline; landing page with its chart; screenshots ${screenshot}, ${screenshot.replace(/\.png$/, "-docs.png")}, ${screenshot.replace(/\.png$/, "-landing.png")}`);
} catch (e) {
  failed = true;
  try {
    const pages = browser?.contexts()[0]?.pages() ?? [];
    if (pages[0]) {
      await pages[0].screenshot({ path: screenshot });
      console.error(`page text: ${(await pages[0].locator("body").innerText()).slice(0, 1500)}`);
    }
  } catch {}
  console.error(`playground check failed: ${e.message}`);
} finally {
  if (browser) await browser.close();
  server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
