// Drives newshound's web page in headless Chromium: load, search, click a facet, open an entity,
// open the designations timeline. Usage: node tests/web/page.mjs BASE_URL (tests/web.rs runs it).
import { chromium } from "playwright-core";

const base = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"],
});
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };
try {
  const page = await browser.newPage();
  page.on("pageerror", (error) => failures.push(`page error: ${error.message}`));
  const requests = [];
  page.on("request", (request) => requests.push(request.url()));

  await page.goto(base + "/");
  await page.waitForSelector("#total");
  check((await page.textContent("#total")).startsWith("11 articles"), "the start page lists all 11 articles");

  await page.fill("#q", "Kim Sang Man");
  await page.press("#q", "Enter");
  await page.waitForFunction(() => document.querySelector("#total")?.textContent.startsWith("1 articles"));
  check((await page.textContent(".hit h2")).includes("North Korea"), "the search finds the seed article");
  check(await page.isVisible('.hit .ent.PER[data-entity="PER:Kim Sang Man"]'), "entities are highlighted in the hit");

  await page.click('[data-facet="entity_types"] li[data-value="PER"]');
  await page.waitForSelector('.filters span[data-remove="type"]');
  check(page.url().includes("type=PER"), "the facet click filters by type");
  check((await page.textContent("#total")).startsWith("1 articles"), "the filtered search still finds it");

  await page.click('.hit .ent[data-entity="PER:Kim Sang Man"]');
  await page.waitForSelector("#entity");
  const entity = await page.textContent("#entity");
  check(entity.includes("Kim Sang Man") && entity.includes("Designations"), "the entity page shows its designations");

  await page.click("#timeline-link");
  await page.waitForSelector("#timeline");
  check((await page.textContent("#timeline")).includes("Kim Sang Man"), "the timeline lists the designation");

  check(requests.every((url) => url.startsWith(base)), "no request leaves the server: " + requests.filter((u) => !u.startsWith(base)));
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log("web page: all checks passed");
