// The workspace in a real browser: playwright-core driving Debian's Chromium against a running
// gateway. One scenario per run: `node e2e/ui.mjs <scenario>`, with what the scenario needs in
// the environment variable LEXSTREAM_UI_CONTEXT (JSON: url, keys, documents; prepared through
// the API by tests/e2e/test_ui_workspace.py). Every screen it visits is checked with axe-core
// (no serious or critical violation) and for CSP violations, and photographed into
// LEXSTREAM_UI_ARTIFACTS. The last line printed is the outcome as JSON; exit 1 on failure.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const context = JSON.parse(process.env.LEXSTREAM_UI_CONTEXT ?? "{}");
const ARTIFACTS = process.env.LEXSTREAM_UI_ARTIFACTS ?? "tests/artifacts/ui";
const CHROMIUM = process.env.LEXSTREAM_CHROMIUM ?? "/usr/bin/chromium";
const WAIT = 90_000;
const outcome = { scenario: process.argv[2], screens: [], measures: {} };
const problems = [];
const pages = [];

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function openBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--mute-audio", "--autoplay-policy=no-user-gesture-required"],
  });
}

/** A new browser context (own storage: a second person) and its page, watched for CSP
 * violations and page errors. */
async function newPage(browser) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.setDefaultTimeout(WAIT);
  pages.push(page);
  return page;
}

/** axe-core on the screen as shown; a serious or critical violation fails the scenario. The
 * engine is evaluated through the DevTools protocol (the page's CSP rightly refuses it). */
async function audit(page, screen) {
  await page.evaluate(AXE + "\n;0");
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  const csp = await page.evaluate(() => window.__csp ?? []);
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length) problems.push(`axe on ${screen}: ${JSON.stringify(bad)}`);
  if (csp.length) problems.push(`CSP violations on ${screen}: ${csp.join("; ")}`);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0)); // the screen as it opens
  // a key shown once is never photographed
  await page.screenshot({ path: join(ARTIFACTS, `${screen}.png`), fullPage: false, mask: [page.locator("#created-key-value")] });
  outcome.screens.push({ screen, violations: violations.length, serious: bad.length, found: violations.map((v) => `${v.id} (${v.impact})`) });
}

async function signIn(page, key, route = "") {
  await page.goto(`${context.url}/ui/workspace${route}`);
  await page.locator("#api-key").fill(key);
  await page.locator("#signin-button").click();
  await page.locator("#search-form, #matters-title, #matter-title, #matter-missing, #viewer, #admin-title").first().waitFor();
}

async function search(page, q) {
  await page.locator("#q").fill(q);
  await page.locator("#search-button").click();
  await page.waitForFunction((query) => new URLSearchParams(location.hash.split("?")[1] ?? "").get("q") === query, q);
  await page.locator("#total[data-total]:not([data-total=''])").waitFor();
}

const hitOf = (page, id) => page.locator(`#results li[data-document-id="${id}"]`);

const scenarios = {
  /** A refused key says so; a good key signs in; a search finds the document, with marks,
   * facets narrow it, its URL reopens it in a new tab, and a misspelling gets a suggestion. */
  async "sign-in-and-search"(browser) {
    const page = await newPage(browser);
    await page.goto(`${context.url}/ui/workspace`);
    await page.locator("#api-key").waitFor();
    await audit(page, "sign-in");
    await page.locator("#api-key").fill("not-a-key-of-this-gateway-0000000000");
    await page.locator("#signin-button").click();
    await page.locator("#signin-error:not(:empty)").waitFor();
    check(await page.locator("#search-form").count() === 0, "a refused key reached the search screen");

    await signIn(page, context.editor_key);
    check((await page.locator("#who").textContent()).includes(context.editor_subject), "the header does not name the caller");
    // keyboard: the first Tab reaches the skip link, drawn with a visible focus ring; Enter
    // moves focus to the content; typing a query and Enter searches, without a mouse
    await page.reload(); // the tab keeps its key: the workspace opens signed in
    await page.locator("#search-form").waitFor();
    await page.keyboard.press("Tab");
    const skip = await page.evaluate(() => {
      const el = document.activeElement;
      const style = el ? getComputedStyle(el) : null;
      return { cls: el?.className ?? "", outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : "" };
    });
    check(skip.cls === "skip" && !skip.outline.startsWith("none"), `first Tab: ${JSON.stringify(skip)}`);
    await page.keyboard.press("Enter");
    check(await page.evaluate(() => document.activeElement?.id === "main"), "the skip link does not move focus to the content");
    await page.locator("#q").focus();
    await page.keyboard.type(context.query);
    await page.keyboard.press("Enter");
    await page.waitForFunction((query) => new URLSearchParams(location.hash.split("?")[1] ?? "").get("q") === query, context.query);
    await search(page, context.query);
    const hit = hitOf(page, context.document_id);
    await hit.waitFor();
    check(await hit.locator("mark").count() > 0, "the hit's highlight has no marks");
    const total = Number(await page.locator("#total").getAttribute("data-total"));
    check(total >= 1, `total ${total}`);
    const facet = page.locator(`#facets button[data-facet="matter_id"][data-value="${context.matter}"]`);
    await facet.waitFor();
    // the person's saved searches load beside the results (the first read of their index too)
    await page.locator('#saved-searches[data-loaded="true"]').waitFor();
    const savedError = await page.locator("#saved-error").textContent();
    check(savedError === "", `the saved searches did not load: ${savedError}`);
    await audit(page, "search");
    await facet.click();
    await page.locator('.chip[data-filter="matter_id"]').waitFor();
    await hit.waitFor();
    const shared = page.url();
    check(shared.includes(`matter_id=${context.matter}`), `the URL does not carry the filter: ${shared}`);

    // the shared address, opened by the same person in a new tab, shows the same search
    const again = await newPage(browser);
    await signIn(again, context.editor_key, shared.slice(shared.indexOf("#")));
    await hitOf(again, context.document_id).waitFor();
    check((await again.locator("#q").inputValue()) === context.query, "the shared URL lost the query");

    // nothing found: the suggestion is offered, and following it finds the document (sorted
    // by date, the search is by the words alone: a relevance search also ranks by meaning)
    await page.locator("#sort").selectOption("date");
    await page.waitForFunction(() => location.hash.includes("sort=date"));
    await search(page, context.misspelled);
    check(Number(await page.locator("#total").getAttribute("data-total")) === 0, "the misspelling found documents");
    const suggestion = page.locator("#suggestion a");
    await suggestion.waitFor();
    await audit(page, "search-suggestion");
    await suggestion.click();
    await hit.waitFor();
    outcome.measures.suggestion = await page.locator("#q").inputValue();
  },

  /** A scanned PDF's hit opens its page image with the word drawn where /text?words=true
   * says it is. */
  async "scanned-page-highlight"(browser) {
    const page = await newPage(browser);
    await signIn(page, context.editor_key);
    await search(page, context.word);
    const link = hitOf(page, context.document_id).locator(`a.hl[data-page="${context.page}"]`).first();
    await link.waitFor();
    const clicked = Date.now();
    await link.click();
    const image = page.locator("#page-image");
    await image.waitFor();
    await page.waitForFunction(() => {
      const img = document.getElementById("page-image");
      return img && img.complete && img.naturalWidth > 0;
    });
    outcome.measures.first_page_image_ms = Date.now() - clicked;
    check((await page.locator("#page-frame").getAttribute("data-page")) === String(context.page), "not the hit's page");
    const natural = await image.evaluate((img) => ({ w: img.naturalWidth, h: img.naturalHeight }));
    const box = await image.boundingBox();
    // the image is the whole page: its proportions are the word boxes' page's
    const pageRatio = context.page_width / context.page_height;
    check(Math.abs(natural.w / natural.h - pageRatio) < 0.02 * pageRatio, `image ${natural.w}x${natural.h} vs page ${context.page_width}x${context.page_height}`);
    const scale = box.width / context.page_width;
    const want = {
      x: box.x + context.box.left * scale,
      y: box.y + context.box.top * scale,
      width: context.box.width * scale,
      height: context.box.height * scale,
    };
    const rects = page.locator("#page-hits rect.hit-box");
    await rects.first().waitFor();
    let best = 0;
    for (const rect of await rects.all()) {
      const drawn = await rect.boundingBox();
      best = Math.max(best, overlap(drawn, want));
    }
    outcome.measures.best_overlap = Number(best.toFixed(3));
    check(best > 0.5, `no highlight box overlaps the word's box (best intersection over union ${best.toFixed(3)})`);
    await audit(page, "document");
    // the page's address is shareable: it names the document and the page
    check(page.url().includes(`/documents/${context.document_id}`) && page.url().includes(`page=${context.page}`), page.url());
  },

  /** A spoken hit opens the player at its second; clicking a word seeks there. */
  async "recording-seek"(browser) {
    const page = await newPage(browser);
    await signIn(page, context.editor_key);
    await search(page, context.query);
    const link = hitOf(page, context.document_id).locator("a.hl[data-start]:not([data-start=''])").first();
    await link.waitFor();
    const start = Number(await link.getAttribute("data-start"));
    await link.click();
    const player = page.locator("#player");
    await player.waitFor();
    await page.waitForFunction(() => document.getElementById("player")?.readyState >= 1, null, { timeout: 180_000 });
    const position = await player.evaluate((p) => p.currentTime);
    outcome.measures.start = start;
    outcome.measures.position = position;
    check(start <= position + 0.01 && position < start + 5, `the player is at ${position}, the hit at ${start}`);
    await page.locator("#transcript button.word").first().waitFor();
    await audit(page, "recording");
    const word = page.locator("#transcript button.word").nth(5);
    const wordStart = Number(await word.getAttribute("data-start"));
    await word.click();
    await page.waitForFunction((s) => Math.abs(document.getElementById("player").currentTime - s) < 0.5, wordStart);
    outcome.measures.seek_to = wordStart;
  },

  /** A video's viewer: the picture plays, the transcript is its captions track, a word seeks. */
  async "video-captions"(browser) {
    const page = await newPage(browser);
    await signIn(page, context.editor_key, `#/documents/${context.document_id}`);
    const player = page.locator("video#player");
    await player.waitFor();
    await page.waitForFunction(() => document.getElementById("player")?.readyState >= 1, null, { timeout: 180_000 });
    await page.waitForFunction(
      () => {
        const track = document.getElementById("player")?.textTracks?.[0];
        if (track && track.mode === "disabled") track.mode = "hidden";
        return (track?.cues?.length ?? 0) > 0;
      },
      null,
      { timeout: 60_000 },
    );
    outcome.measures.cues = await player.evaluate((v) => Array.from(v.textTracks[0].cues, (c) => c.text).join(" "));
    outcome.measures.video_width = await player.evaluate((v) => v.videoWidth);
    await page.locator("#transcript button.word").first().waitFor();
    await audit(page, "video");
    const word = page.locator("#transcript button.word").nth(3);
    const wordStart = Number(await word.getAttribute("data-start"));
    await word.click();
    await page.waitForFunction((s) => Math.abs(document.getElementById("player").currentTime - s) < 0.5, wordStart);
    outcome.measures.seek_to = wordStart;
    outcome.measures.position = await player.evaluate((v) => v.currentTime);
  },

  /** An admin opens a matter, adds a member and uploads into it; the member sees it; once
   * screened, the member's own browser shows nothing of it. */
  async "matter-member-screen"(browser) {
    const admin = await newPage(browser);
    await signIn(admin, context.admin_key);
    await admin.locator('nav a[href="#/matters"]').click();
    await admin.locator("#new-matter").waitFor();
    await audit(admin, "matters");
    await admin.locator("#matter-name").fill(context.matter_name);
    await admin.locator("#matter-id").fill(context.matter);
    await admin.locator("#create-matter").click();
    await admin.locator(`#matter[data-matter-id="${context.matter}"]`).waitFor();
    await admin.locator("#member-subject").fill(context.member_subject);
    await admin.locator("#member-role").selectOption("viewer");
    await admin.locator("#add-member-button").click();
    await admin.locator(`#members tr[data-subject="${context.member_subject}"]`).waitFor();
    await admin.locator("#upload-files").setInputFiles({
      name: `${context.token}.txt`,
      mimeType: "text/plain",
      buffer: Buffer.from(`Screened filing ${context.token}. The wall keeps it.`),
    });
    const upload = admin.locator("#uploads li").first();
    await admin.waitForFunction(() => ["indexed", "failed"].includes(document.querySelector("#uploads li")?.dataset.status ?? ""), null, { timeout: 300_000 });
    check((await upload.getAttribute("data-status")) === "indexed", `upload ${await upload.getAttribute("data-status")}`);
    outcome.measures.document_id = await upload.getAttribute("data-document-id");
    await audit(admin, "matter");

    // the member, in a browser of their own, sees the matter and finds the document
    const member = await newPage(browser);
    await signIn(member, context.member_key, "#/matters");
    await member.locator(`#matters tr[data-matter-id="${context.matter}"]`).waitFor();
    await member.goto(`${context.url}/ui/workspace#/search?q=${context.token}`);
    await member.locator(`#results li[data-document-id="${outcome.measures.document_id}"]`).waitFor();

    // screened: from now on nothing of the matter shows, wherever the member looks
    await admin.locator("#screen-subject").fill(context.member_subject);
    await admin.locator("#add-screen-button").click();
    await admin.locator(`#screens li[data-subject="${context.member_subject}"]`).waitFor();
    await audit(admin, "matter-screened");
    await member.goto(`${context.url}/ui/workspace#/matters`);
    await member.reload();
    await member.locator("#matters-title").waitFor();
    await member.waitForFunction(() => document.querySelector("#matters, #no-matters") !== null);
    check(await member.locator(`[data-matter-id="${context.matter}"]`).count() === 0, "the screened member still lists the matter");
    await member.goto(`${context.url}/ui/workspace#/matters/${context.matter}`);
    await member.locator("#matter-missing").waitFor();
    await member.goto(`${context.url}/ui/workspace#/search?q=${context.token}`);
    await member.locator("#total[data-total]:not([data-total=''])").waitFor();
    check(Number(await member.locator("#total").getAttribute("data-total")) === 0, "the screened member still finds the document");
    await member.goto(`${context.url}/ui/workspace#/documents/${outcome.measures.document_id}`);
    await member.locator("#viewer, .error:not(:empty)").first().waitFor();
    check(await member.locator("#viewer").count() === 0, "the screened member still opens the document");
    await audit(member, "screened-member");
  },
};

Object.assign(scenarios, {
  /** Ten files dropped onto a matter's upload box: each shows its progress, then its status,
   * until all ten are indexed. */
  async "upload-ten"(browser) {
    const page = await newPage(browser);
    await signIn(page, context.editor_key, `#/matters/${context.matter}`);
    await page.locator("#drop-zone").waitFor();
    // a real drop: a DataTransfer with ten files, dispatched on the zone
    const drop = await page.evaluateHandle((token) => {
      const transfer = new DataTransfer();
      for (let i = 0; i < 10; i++) {
        transfer.items.add(new File([`Board filing ${i} of ${token}. Exhibit ${token}${i}.`], `board-${token}-${i}.txt`, { type: "text/plain" }));
      }
      return transfer;
    }, context.token);
    await page.locator("#drop-zone").dispatchEvent("drop", { dataTransfer: drop });
    await page.waitForFunction(() => document.querySelectorAll("#uploads li").length === 10);
    const started = Date.now();
    await page.waitForFunction(
      () => [...document.querySelectorAll("#uploads li")].every((li) => ["indexed", "failed"].includes(li.dataset.status ?? "")),
      null,
      { timeout: 300_000 },
    );
    outcome.measures.all_indexed_ms = Date.now() - started;
    const statuses = await page.locator("#uploads li").evaluateAll((items) => items.map((li) => li.dataset.status));
    check(statuses.every((s) => s === "indexed"), `statuses ${statuses}`);
    const progress = await page.locator("#uploads progress").evaluateAll((bars) => bars.map((b) => b.value));
    check(progress.every((v) => v === 100), `progress ${progress}`);
    outcome.measures.document_ids = await page.locator("#uploads li").evaluateAll((items) => items.map((li) => li.dataset.documentId));
    // the server's board (every document of the matter, not only this tab's) counts them too
    const indexedRow = '#board-counts tr[data-status="indexed"]';
    await page.waitForFunction((row) => Number(document.querySelector(row)?.getAttribute("data-count") ?? 0) >= 10, indexedRow, { timeout: 30_000 });
    outcome.measures.board_indexed = Number(await page.locator(indexedRow).getAttribute("data-count"));
    await audit(page, "upload-board");
  },

  /** An admin creates a key with a scope, sees it listed, finds its use in the audit trail,
   * revokes it, and the key no longer signs in. */
  async "admin-keys-audit"(browser) {
    const page = await newPage(browser);
    await signIn(page, context.admin_key, "#/admin");
    await page.locator("#keys").waitFor();
    await page.locator("#key-subject").fill(context.key_subject);
    await page.locator("#key-name").fill(context.key_name);
    await page.locator('input[name="scope"][value="read"]').check();
    await page.locator("#create-key").click();
    const created = page.locator("#created-key");
    await created.waitFor();
    const keyId = await created.getAttribute("data-key-id");
    const key = await page.locator("#created-key-value").textContent();
    const row = page.locator(`#keys tr[data-key-id="${keyId}"]`);
    await row.waitFor();
    check((await row.getAttribute("data-revoked")) === "false", "the new key shows as revoked");
    const me = (k) => page.evaluate(async (value) => (await fetch("/v1/me", { headers: { "X-API-Key": value } })).status, k);
    check((await me(key)) === 200, "the new key does not sign in");
    // the key searches (an audited action): the trail, filtered to its subject, shows it
    const searched = await page.evaluate(async (value) => (await fetch("/v1/search?q=audit", { headers: { "X-API-Key": value } })).status, key);
    check(searched === 200, `the new key's search answered ${searched}`);
    await page.locator("#audit-subject").fill(context.key_subject);
    const entry = page.locator(`#audit tr[data-subject="${context.key_subject}"][data-action="search"]`);
    for (let i = 0; i < 30 && (await entry.count()) === 0; i++) {
      await page.locator("#audit-search").click(); // the trail is written shortly after
      await page.waitForTimeout(1000);
    }
    await entry.first().waitFor({ timeout: 5_000 });
    await audit(page, "admin");
    await row.locator("button.revoke").click();
    await page.locator(`#keys tr[data-key-id="${keyId}"][data-revoked="true"]`).waitFor();
    check((await me(key)) === 401, "the revoked key still signs in");
    outcome.measures.key_id = keyId;
  },
});

Object.assign(scenarios, {
  /** The cited-authority facet narrows a search; the search is saved, reopened from the saved
   * list in a fresh screen, and deleted; an e-mail shows its attachments (and its headers,
   * where the gateway answers its thread). */
  async "saved-search-authority-email"(browser) {
    const page = await newPage(browser);
    await signIn(page, context.editor_key);
    await search(page, context.query);
    const hit = hitOf(page, context.document_id);
    await hit.waitFor();
    const facet = page.locator(`#facets button[data-facet="authority"][data-value="${context.authority}"]`);
    await facet.waitFor();
    await facet.click();
    await page.locator('.chip[data-filter="authority"]').waitFor();
    await page.waitForFunction((id) => location.hash.includes(`authority=${encodeURIComponent(id)}`), context.authority);
    await page.locator("#total[data-total]:not([data-total=''])").waitFor();
    await hit.waitFor();
    check(Number(await page.locator("#total").getAttribute("data-total")) >= 1, "the authority filter lost the document");
    await audit(page, "search-authority");

    // saved: listed under its name, reopened from an empty search screen, then deleted
    await page.locator("#saved-name").fill(context.saved_name);
    await page.locator("#save-search-button").click();
    const saved = page.locator("#saved-list li", { hasText: context.saved_name });
    await saved.waitFor();
    await page.locator("#saved-status:not(:empty)").waitFor();
    await audit(page, "saved-searches");
    await page.evaluate(() => (location.hash = "#/search"));
    await page.waitForFunction(() => document.querySelectorAll("#results li").length === 0);
    await saved.locator("a.saved-open").click();
    await page.waitForFunction((id) => location.hash.includes(`authority=${encodeURIComponent(id)}`), context.authority);
    await hit.waitFor();
    check((await page.locator("#q").inputValue()) === context.query, "the saved search lost its query");
    outcome.measures.saved_search_id = await saved.getAttribute("data-search-id");
    await saved.locator("button.saved-delete").click();
    await page.waitForFunction((name) => ![...document.querySelectorAll("#saved-list li")].some((li) => li.textContent.includes(name)), context.saved_name);

    // the e-mail: its attachment listed and linked; its headers where the thread answers
    await page.goto(`${context.url}/ui/workspace#/documents/${context.email_id}`);
    await page.locator("#viewer").waitFor();
    const attachment = page.locator(`#attachments li[data-document-id="${context.attachment_id}"] a`);
    await attachment.waitFor();
    check((await attachment.textContent()).includes(context.attachment_name), "the attachment is not named");
    if (context.thread) {
      const from = page.locator('#email-headers dd[data-header="from"]');
      await from.waitFor();
      check((await from.textContent()).includes(context.sender), "the From header is not shown");
      const subject = await page.locator('#email-headers dd[data-header="subject"]').textContent();
      check(subject.includes(context.subject), `the Subject header shows ${subject}`);
    }
    outcome.measures.headers_shown = await page.locator("#email-headers").count();
    await audit(page, "email");
    // the same screen in French, then German: the catalogue switches, the page's lang with it
    for (const [lang, heading, nav] of [["fr", "Pièces jointes", "Recherche"], ["de", "Anhänge", "Suche"]]) {
      await page.locator("#language").selectOption(lang);
      await page.waitForFunction((want) => document.documentElement.lang === want, lang);
      check((await page.locator("#attachments-title").textContent()) === heading, `the ${lang} attachments heading`);
      check((await page.locator('nav a[href="#/search"]').textContent()) === nav, `the ${lang} navigation`);
      await audit(page, `email-${lang}`);
    }
    await page.locator("#language").selectOption("en");
    outcome.measures.languages = ["en", "fr", "de"];
    await attachment.click();
    await page.waitForFunction((id) => location.hash.includes(`/documents/${id}`), context.attachment_id);
  },
});

Object.assign(scenarios, {
  /** Names and text holding HTML are shown as text everywhere (the old page's test, kept):
   * the matter's name in the list, the hit's title and highlight, the file name and the page
   * text in the viewer; no element of theirs is made and no script of theirs runs. */
  async "html-as-text"(browser) {
    const page = await newPage(browser);
    await signIn(page, context.editor_key, "#/matters");
    const row = page.locator(`#matters tr[data-matter-id="${context.matter}"]`);
    await row.waitFor();
    check((await row.textContent()).includes(context.hostile), "the matter's name is not shown as text");
    check((await page.locator("#matters b, #matters img").count()) === 0, "the matter's name made elements");
    await audit(page, "matters-html");
    await page.evaluate(() => (location.hash = "#/search"));
    await search(page, context.query);
    const hit = hitOf(page, context.document_id);
    await hit.waitFor();
    check((await hit.locator("a.title").textContent()) === context.title, "the hit's title is not the document's, as text");
    const highlights = await hit.locator("a.hl").allTextContents();
    check(highlights.some((h) => h.includes("<b>bold</b>")), `the highlight lost the markup as text: ${highlights}`);
    check((await hit.locator("a.hl mark").count()) > 0, "the highlight has no marks");
    check((await page.locator("#results b, #results img").count()) === 0, "the results made elements of the document's text");
    await hit.locator("a.title").click();
    const filename = page.locator("#doc-meta .meta-filename");
    await filename.waitFor();
    check((await filename.textContent()) === context.filename, "the file name is not shown as text");
    const text = page.locator("#page-1");
    await text.waitFor({ state: "attached" });
    check((await text.textContent()).includes(context.hostile), "the page's text is not shown as text");
    check((await page.locator("#viewer b, #viewer img").count()) === 0, "the viewer made elements of the document's text");
    check((await page.evaluate(() => window.pwned)) === undefined, "a script of the document ran");
    await audit(page, "html-as-text");
  },
});

Object.assign(scenarios, {
  /** The search budget (bench/ui/search_latency.py): for each query, the time from pressing
   * Search to the count and the results on screen. */
  async "search-latency"(browser) {
    const page = await newPage(browser);
    await signIn(page, context.key);
    const times = [];
    const api = [];
    for (const q of context.queries) {
      // from an empty search screen (which asks nothing), so each search is a new address
      await page.evaluate(() => (location.hash = "#/search"));
      await page.waitForFunction(() => document.querySelectorAll("#results li").length === 0);
      await page.locator("#q").fill(q);
      const started = Date.now();
      await page.locator("#search-button").click();
      await page.waitForFunction(() => {
        const total = document.querySelector("#total[data-total]:not([data-total=''])");
        return total !== null && (total.dataset.total === "0" || document.querySelectorAll("#results li").length > 0);
      });
      times.push(Date.now() - started);
      // the gateway's share: the search request's own time, from the page's resource timing
      api.push(
        await page.evaluate(() => {
          const searches = performance.getEntriesByType("resource").filter((e) => e.name.includes("/v1/search?"));
          const last = searches[searches.length - 1];
          performance.clearResourceTimings();
          return last ? Math.round(last.responseEnd - last.startTime) : -1;
        }),
      );
    }
    outcome.measures.search_ms = times;
    outcome.measures.api_ms = api;
    await audit(page, "search-latency");
  },
});

Object.assign(scenarios, {
  /** Near-duplicates: a search finds the two copies and the distinct document; "one hit per
   * group" shows the copies once; a copy's page lists the other with its similarity. */
  async "near-duplicates"(browser) {
    const page = await newPage(browser);
    await signIn(page, context.editor_key);
    await search(page, context.query);
    for (const id of [context.first, context.second, context.other]) await hitOf(page, id).waitFor();
    check((await page.locator("#collapse").isChecked()) === false, "the search starts collapsed");
    await page.locator("#collapse").check();
    await page.waitForFunction(() => new URLSearchParams(location.hash.split("?")[1] ?? "").get("collapse") === "near_duplicates");
    await page.locator("#collapsed-note").waitFor();
    await hitOf(page, context.other).waitFor();
    const shown = await page.locator("#results li").evaluateAll((items) => items.map((li) => li.dataset.documentId));
    const copies = shown.filter((id) => id === context.first || id === context.second);
    check(copies.length === 1, `grouped: the copies shown ${JSON.stringify(shown)}`);
    check(shown.includes(context.other), `grouped: the distinct document is gone ${JSON.stringify(shown)}`);
    outcome.measures.collapsed = shown;
    await audit(page, "search-near-duplicates");
    await page.evaluate((id) => (location.hash = `#/documents/${id}`), context.second);
    const listed = page.locator(`#near-duplicates li[data-document-id="${context.first}"]`);
    await listed.waitFor();
    const similarity = Number(await listed.getAttribute("data-similarity"));
    check(similarity >= 0.8, `similarity ${similarity}`);
    check((await page.locator(`#near-duplicates li[data-document-id="${context.other}"]`).count()) === 0, "the distinct document is listed as a near-duplicate");
    outcome.measures.similarity = similarity;
    await audit(page, "near-duplicates");
  },
});

function overlap(a, b) {
  const x = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const y = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = x * y;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

const name = process.argv[2];
const scenario = scenarios[name];
if (!scenario) {
  console.error(`unknown scenario ${name}; one of ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
const browser = await openBrowser();
let failed = null;
try {
  await scenario(browser);
} catch (err) {
  failed = err instanceof Error ? err.stack ?? err.message : String(err);
  // what each browser showed at the failure, for the report
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const [i, page] of pages.entries()) {
    try {
      await page.screenshot({ path: join(ARTIFACTS, `failed-${name}-${i}.png`) });
      const shown = await page.evaluate(() => document.body.innerText.slice(0, 800));
      failed += `\n[browser ${i}] ${page.url()}: ${JSON.stringify(shown)}`;
    } catch {
      /* the page is gone */
    }
  }
} finally {
  await browser.close();
}
outcome.problems = problems;
outcome.error = failed;
outcome.ok = !failed && problems.length === 0;
mkdirSync(ARTIFACTS, { recursive: true });
writeFileSync(join(ARTIFACTS, `${name}.json`), JSON.stringify(outcome, null, 2));
console.log(JSON.stringify(outcome));
process.exit(outcome.ok ? 0 : 1);
