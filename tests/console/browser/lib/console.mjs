// Working the console as a reviewer does: sign in, keys, the reason prompt, reading the
// screen; screenshots for docs/CONSOLE.md.
import fs from "node:fs";
import path from "node:path";

/** Signs in with a bearer token; resolves when the queue (or the hash's page) shows. */
export async function signIn(page, baseUrl, token, hash = "#/queue") {
  await page.goto(new URL(hash, baseUrl).href);
  await page.waitForSelector("#token");
  await page.fill("#token", token);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#main .screen");
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

/** Waits for a case page; resolves to its receipt id. */
export async function openedCase(page) {
  await page.waitForSelector("table.compare, .screen-case .empty");
  const h1 = await page.textContent(".case-head h1");
  return (h1 ?? "").replace(/^\S+\s+/, "").replace(/^案件\s*|^Case\s*/, "").trim();
}

/** The receipt ids of the queue page's rows, in order. */
export async function queueIds(page) {
  await page.waitForSelector("table.queue tbody tr, .screen-queue .empty");
  return page.$$eval("table.queue tbody tr td:first-child a", (as) => as.map((a) => a.textContent));
}

/** The live region's last notice. */
export async function notice(page) {
  return (await page.textContent("#notice")) ?? "";
}

/** A screenshot under `dir` (created), named NAME.png; returns its path. */
export async function screenshot(page, dir, name, fullPage = false) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}
