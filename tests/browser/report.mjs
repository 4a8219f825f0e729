// Drives a whosaid report in headless Chromium with Playwright: tabs, the speakers table
// (sort, filter, a row that filters the articles), an article opened from its link, hover and
// click on quotes and speakers, the toggles, and a screenshot.
// usage: node report.mjs REPORT.html SCREENSHOT.png   (prints one JSON object of findings)
import { chromium } from "playwright-core";

const [page_path, shot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const out = {};
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  const t0 = Date.now();
  await page.goto("file://" + page_path);
  out.load_ms = Date.now() - t0;
  out.render_ms = Number(await page.getAttribute("body", "data-render-ms"));
  out.summary_visible = await page.isVisible("#summary");
  out.article_tab_before = await page.isVisible("#tab-article");

  await page.click("#tabs a[data-tab=speakers]");
  out.speakers_visible = await page.isVisible("#speakers-table");
  out.scroll_after_tab = await page.evaluate(() => window.scrollY);
  out.tab_hash = await page.evaluate(() => location.hash);
  const names = () => page.$$eval("#speakers-table tbody tr", (rs) => rs.map((r) => r.cells[0].textContent));
  const quotes = () => page.$$eval("#speakers-table tbody tr", (rs) => rs.map((r) => +r.cells[3].textContent));
  out.speakers_first = (await names())[0];
  out.quotes_desc = await quotes();
  await page.click("#speakers-table th[data-col='3']");
  out.quotes_asc = await quotes();
  await page.fill("#speaker-filter", "rubio");
  out.filtered = await names();
  await page.click("#speakers-table tbody tr >> nth=0");
  out.articles_visible = await page.isVisible("#articles-table");
  out.article_filter = await page.inputValue("#article-filter");
  const links = await page.$$eval("#articles-table tbody a", (as) => as.map((a) => a.textContent));
  out.articles_of_speaker = links;

  await page.click("#articles-table tbody a >> nth=0");
  out.view_visible = await page.isVisible("#av-text");
  out.article_tab_after = await page.textContent("#tab-article");
  // Hover the speaker mention "he" of the quote cued by "said in a statement".
  const cue = page.locator("#av-text .seg.qcue", { hasText: "said in a statement" });
  await cue.hover();
  out.hover_cue_info = await page.textContent("#av-info");
  out.hover_cue_selected = await page.$$eval("#av-text .sel", (s) => s.map((x) => x.textContent).join(""));
  const he = page.locator("#av-text .seg.qsp", { hasText: /^he$/ }).last();
  await he.hover();
  out.hover_speaker_info = await page.textContent("#av-info");
  out.hover_speaker_mentions = await page.$$eval("#av-text .sel-a", (s) => s.map((x) => x.textContent));
  // A click pins the selection: hovering elsewhere leaves it.
  await cue.click();
  const pinned = await page.textContent("#av-info");
  await page.locator("#av-text .seg.ent-LOC").first().hover();
  out.pinned_kept = (await page.textContent("#av-info")) === pinned;
  await page.keyboard.press("Escape");
  out.cleared = (await page.$$("#av-text .sel")).length === 0;
  // A row of the quotes table selects its quote.
  await page.hover("#av-quotes tbody tr >> nth=0");
  out.row_info = await page.textContent("#av-info");
  await page.uncheck("#t-ent");
  out.entities_hidden = await page.$eval("#av-text", (e) => e.classList.contains("hide-ent"));
  await page.check("#t-ent");
  await cue.click();
  await page.screenshot({ path: shot });
  out.errors = errors;
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
