// Debian's chromium, driven by playwright-core (no browser download): a fresh profile
// per launch, a 1366×768 window, and every console error, page error, CSP violation and
// JavaScript dialog recorded so a test can assert that none happened.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const kChromium = process.env.KUROMARU_CHROMIUM ?? "/usr/bin/chromium";
export const kFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Launches chromium with a fresh --user-data-dir (Playwright passes it as the persistent
 * context's directory). Returns { context, page, problems, close }.
 */
export async function launch({ locale = "ja-JP", viewport = { width: 1366, height: 768 } } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kuromaru-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: kChromium,
    headless: true,
    args: kFlags,
    viewport,
    locale,
    timezoneId: "Asia/Tokyo",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = watch(page);
  return {
    context,
    page,
    problems,
    async newPage() {
      const p = await context.newPage();
      return { page: p, problems: watch(p) };
    },
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Records what must never happen on a console page. */
export function watch(page) {
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`JavaScript dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  page.on("console", (m) => {
    const text = m.text();
    // A refused request is logged by chromium as an error; the tests assert on the
    // outcome instead. Script errors and CSP violations always count.
    if (m.type() === "error" && !/Failed to load resource: the server responded/.test(text)) {
      problems.push(`console: ${text}`);
    }
  });
  return problems;
}
