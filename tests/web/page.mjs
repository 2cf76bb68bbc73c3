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
  check(await page.isVisible('.hit .ent.PER[data-entity="PER:kim sang man"]'), "entities are highlighted in the hit, under their key");
  check((await page.textContent(".hit .desig")).includes("designated by U.S. Department of the Treasury"), "actions read as people say them");
  const kimLine = await page.$$eval(".hit .desig", (lines) => lines.map((l) => l.textContent).find((t) => t.startsWith("Kim Sang Man")) ?? "");
  check(kimLine.includes("listed before the article") && kimLine.includes("ofac-sdn 43377: KIM, Sang Man [DPRK4]"), "the target's line shows its list badge and entry: " + kimLine);
  const notListed = await page.$$('.desig .badge[data-listing="not_listed"]');
  const listedBefore = await page.$$('.desig .badge[data-listing="listed_before"]');
  check(listedBefore.length === 5 && notListed.length === 0, "the seed's five targets are on OFAC's list");

  await page.click('[data-facet="entity_types"] li[data-value="PER"]');
  await page.waitForSelector('.filters span[data-remove="type"]');
  check(page.url().includes("type=PER"), "the facet click filters by type");
  check((await page.textContent("#total")).startsWith("1 articles"), "the filtered search still finds it");

  await page.click('.hit .ent[data-entity="PER:kim sang man"]');
  await page.waitForSelector("#entity");
  const entity = await page.textContent("#entity");
  check(entity.includes("Kim Sang Man") && entity.includes("Designations"), "the entity page shows its designations");
  check(entity.includes("ofac-sdn 43377"), "the entity page shows the list entry");

  // Entity facets use canonical keys: the United States once, under its code, with its name.
  await page.goto(base + "/#?q=");
  await page.waitForSelector('[data-facet="top_entities"]');
  const us = await page.$$('[data-facet="top_entities"] li[data-value="LOC:US"]');
  check(us.length === 1, "the United States is one facet entry");
  check(us.length === 1 && (await us[0].textContent()).startsWith("United States"), "the facet shows the entity's name");
  const facetKeys = await page.$$eval('[data-facet="top_entities"] li', (items) => items.map((li) => li.dataset.value));
  check(facetKeys.every((k) => !/^(DATE|MONEY|PERCENT):/.test(k)), "no dates, sums or percentages among the top entities");
  await page.click('[data-facet="top_entities"] li[data-value="LOC:US"]');
  await page.waitForSelector('.filters span[data-remove="entity"]');
  check(page.url().includes("entity=LOC%3AUS"), "the facet click filters by the key");
  await page.click('.hit .ent[data-entity="LOC:US"]');
  await page.waitForSelector("#entity");
  check((await page.textContent("#entity h2")).includes("United States"), "the entity page of a key shows its name");

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
