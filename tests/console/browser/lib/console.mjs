// Working the console as a reviewer does: sign in, keys, the reason prompt, reading the
// screen; screenshots for docs/CONSOLE.md.
import fs from "node:fs";
import path from "node:path";

/**
 * Resolves when the screen of the page's current URL has loaded and its keys work: the
 * shell clears #main's aria-busy and names the route on the screen's container. With
 * `pattern` (a RegExp), waits for a route that matches it. Resolves to the route
 * ("#/case/R1").
 */
export async function ready(page, pattern = null) {
  const handle = await page.waitForFunction((src) => {
    const s = document.querySelector('#main[aria-busy="false"] > .screen');
    if (s === null || s.dataset.route !== location.hash) return false;
    if (src !== null && !new RegExp(src).test(location.hash)) return false;
    return { route: location.hash };
  }, pattern?.source ?? null);
  return (await handle.jsonValue()).route;
}

/** Opens a route of the console ("#/queue?reason=x") and waits until it is ready. */
export async function visit(page, baseUrl, hash) {
  await page.goto(new URL(hash, baseUrl).href);
  return ready(page);
}

/** Signs in with a bearer token; resolves when the queue (or the hash's page) is ready. */
export async function signIn(page, baseUrl, token, hash = "#/queue") {
  await page.goto(new URL(hash, baseUrl).href);
  await page.waitForSelector("#token");
  await page.fill("#token", token);
  await page.keyboard.press("Enter");
  await ready(page);
}

export async function signOut(page) {
  await page.getByRole("button", { name: /サインアウト|Sign out/ }).click();
  await page.waitForSelector("#token");
}

/** Presses keys one after another, as a person types them ("j", "j", "Enter"). */
export async function keys(page, ...sequence) {
  for (const k of sequence) await page.keyboard.press(k);
}

/** Answers the reason prompt of a decision: types `reason` (may be empty) and Enter. */
export async function giveReason(page, reason = "") {
  await page.waitForSelector("dialog.dlg-reason[open] input.reason-input");
  if (reason) await page.keyboard.type(reason);
  await page.keyboard.press("Enter");
  await page.waitForSelector("dialog.dlg-reason", { state: "detached" });
}

const escape = (x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Waits until a case page is ready (see ready()); resolves to its receipt id. With `id`,
 * waits for that case. Throws when the page shows an error instead of the case.
 */
export async function openedCase(page, id) {
  const pattern = id === undefined ? /^#\/case\/[^?]+$/
    : new RegExp(`^${escape(`#/case/${encodeURIComponent(id)}`)}$`);
  const route = await ready(page, pattern);
  const error = await page.$("#main .page-error");
  if (error) throw new Error(`the case page shows an error: ${await error.textContent()}`);
  const shown = decodeURIComponent(route.slice("#/case/".length));
  const h1 = (await page.textContent(".screen-case .case-head h1")) ?? "";
  if (!h1.includes(shown)) throw new Error(`case page ${route} is headed ${h1}`);
  return shown;
}

/** Waits until the queue page is ready; resolves to the receipt ids of its rows, in order. */
export async function queueIds(page) {
  await ready(page, /^(#\/queue)?(\?.*)?$/);
  return page.$$eval("table.queue tbody tr td:first-child a", (as) => as.map((a) => a.textContent));
}

/**
 * After a decision's reason was given: declines the offer to decide the same person's
 * other open cases if it comes (Esc), and waits until the console has moved on from
 * `id` to the next case or the queue. Resolves to the route shown next.
 */
export async function movedOn(page, id) {
  const from = `#/case/${encodeURIComponent(id)}`;
  for (;;) {
    const handle = await page.waitForFunction((x) => {
      if (document.querySelector("dialog.dlg-same[open]")) return "dialog";
      const s = document.querySelector('#main[aria-busy="false"] > .screen');
      return s !== null && s.dataset.route === location.hash && location.hash !== x && location.hash;
    }, from);
    const route = await handle.jsonValue();
    if (route !== "dialog") return route;
    await page.keyboard.press("Escape");
    await page.waitForSelector("dialog.dlg-same", { state: "detached" });
  }
}

/** The live region's last notice. */
export async function notice(page) {
  return (await page.textContent("#notice")) ?? "";
}

/**
 * A screenshot under `dir` (created), named NAME.png, without the passing notice of the
 * last action (a picture for the documentation); returns its path.
 */
export async function screenshot(page, dir, name, fullPage = false) {
  fs.mkdirSync(dir, { recursive: true });
  await page.evaluate(() => {
    const notice = document.getElementById("notice");
    if (notice) {
      notice.replaceChildren();
      notice.className = "notice";
    }
  });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}
