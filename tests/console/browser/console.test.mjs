// The reviewer console in a real browser (Debian's chromium through playwright-core)
// against the real `kuromaru serve`: a generated roster, receipts reconciled over gRPC,
// reviewers working by keyboard alone, and every outcome checked through the gRPC API
// (state, audit subject, feed entry), never through the console itself.
//
//   KUROMARU=build/services/kuromaru node --test tests/console/browser/console.test.mjs
//   (after `npm ci --ignore-scripts` in tests/console/browser/, or through CTest:
//   `ctest -R console_browser`; KUROMARU_CONSOLE_SHOTS=DIR keeps the screenshots that
//   docs/CONSOLE.md shows)
//
// No fixed sleeps: every step waits on a condition — a screen is ready when the shell
// clears #main's aria-busy and names the route on the screen (lib/console.mjs ready()),
// a claim is released when its DELETE has been answered.
//
// Test plan — every scenario the console must pass, in this order, on one server:
//  1. sign-in: an unknown token and a `claims` token are refused with a message; a
//     reviewer's token opens the queue (PENDING_REVIEW first) with the session cookie.
//  2. the queue by keyboard alone: j/k move the selection, Enter opens the case, q goes
//     back; "next case" (n) opens the first unclaimed case of the same filter. Then
//     confirm: `1`, a reason, Enter → gRPC: CONFIRMED, resolved = candidate 1's
//     enrollment, the CONFIRMED audit row's actor is the reviewer, a feed change with
//     state CONFIRMED; the console moves on to the next case.
//  3. no match: `n`, Enter with an empty reason → gRPC: REJECTED, audit actor, feed.
//     undo: `u`, Enter → gRPC: the case is PENDING_REVIEW again, a REOPENED audit row by
//     the reviewer, a feed change; the console shows the reopened case as pending.
//  4. search and confirm: on a case whose search finds an enrollment beyond its
//     candidates, `/`, Enter (kana and birth date prefilled), j to that result, Enter,
//     Enter → gRPC: CONFIRMED with exactly that enrollment; the audit records the search.
//  5. two reviewers claiming at once: A opens a case; B's queue shows it as taken, B's
//     "next case" opens another one, and B opening A's case sees who holds it and cannot
//     decide it (in the console, and gRPC refuses B too: unchanged); A leaving releases
//     the claim and B may then claim it.
//  6. a conflict: A has a case open in two tabs and leaves it in one, which releases A's
//     claim; B decides the case over gRPC (refused while A held it, accepted now); A's
//     `1` + Enter in the other tab shows who decided what, the case reloads as decided,
//     and gRPC still holds B's decision.
//  7. markup in a name or address: a receipt whose name and address hold <img onerror>
//     and <script> is reconciled and opened: with no candidate the receipt's fields still
//     show, the markup shows as text, no element is made from it, no script runs (no
//     dialog, no page error, no CSP violation).
//  8. CSRF: a mutation without the X-CSRF-Token header is refused (403 CSRF) and changes
//     nothing (gRPC); the same request with the header gets past the check.
//  9. blind mode: `b` hides every score (probabilities, weights, waterfall) and the
//     choice survives a reload; the language switch is remembered the same way.
// 10. admin: an admin sees the admin pages and a case's audit trail; a reviewer sees no
//     admin link and the API refuses it.
// 11. sign-out: the session ends (the API answers 401), the page returns to sign-in, and
//     the audit shows every decision above under the right subject.
// Screenshots of the queue and of a case with ● are taken along the way.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { spawnSync } from "node:child_process";

import { launch } from "./lib/browser.mjs";
import {
  giveReason, keys, movedOn, openedCase, queueIds, ready, screenshot, signIn, signOut, visit,
} from "./lib/console.mjs";
import { changesOf, kStatus, reviewClient } from "./lib/grpc.mjs";
import { kKuromaru, startServer } from "./lib/server.mjs";

const shots = process.env.KUROMARU_CONSOLE_SHOTS ?? path.join(process.cwd(), "console-shots");

let server;
let a;  // reviewer A's browser
let grpcReviewer;
let grpcReviewerB;
let grpcClaims;
let grpcAdmin;
const decisions = [];  // [receipt id, audit action, actor] of every decision made

async function caseState(id) {
  const c = await grpcReviewer.getCase(id);
  return { state: c.state, version: c.version, resolved: c.resolved };
}

async function auditActions(id) {
  return (await grpcAdmin.exportAudit(id)).map((r) => `${r.action}:${r.actor}`);
}

function sameKey(x, y) {
  return ["insurer_number", "symbol", "number", "branch"].every((f) => (x?.[f] ?? "") === (y?.[f] ?? ""));
}

/** Runs `action` and resolves once the console has released its claim on case `id`. */
async function releasing(page, id, action) {
  const released = page.waitForResponse((r) => r.request().method() === "DELETE" &&
    r.url().endsWith(`/api/v1/cases/${encodeURIComponent(id)}/claim`));
  await action();
  assert.equal((await released).status(), 204);
}

/**
 * A pending case whose search as the console prefills it (the receipt's kana and birth
 * date) finds an enrollment that is not one of its candidates: the roster search's
 * reason to be. Resolves to { id, receipt, index (of that result), target (its key) }.
 */
async function searchableCase() {
  const { cases } = await grpcReviewer.listCases({
    states: ["CASE_STATE_PENDING_REVIEW"], order: "ORDER_PRIORITY", page_size: 100,
  });
  for (const summary of cases) {
    const c = await grpcReviewer.getCase(summary.receipt_id);
    if (!c.receipt.name_kana || !c.receipt.birth_date) continue;
    const { matches } = await grpcReviewer.searchRoster({
      name_kana: c.receipt.name_kana, birth_date: c.receipt.birth_date,
      service_month: c.result.normalized?.service_month ?? "", limit: 50,
    });
    const index = matches.findIndex((m) => !c.result.candidates.some((k) =>
      sameKey(k, m.enrollment) && k.qualified_from === m.enrollment.qualified_from));
    if (index >= 0) {
      return { id: c.receipt_id, receipt: c.receipt, index, target: matches[index].enrollment };
    }
  }
  throw new Error("no pending case whose search finds an enrollment beyond its candidates");
}

/** The class list of the state badge in the case page's header. */
function stateBadge(page) {
  return page.getAttribute(".case-head .badge[class*='state-']", "class");
}

before(async () => {
  server = await startServer();
  grpcReviewer = reviewClient(server.grpc, server.tokens.reviewerA);
  grpcReviewerB = reviewClient(server.grpc, server.tokens.reviewerB);
  grpcClaims = reviewClient(server.grpc, server.tokens.claims);
  grpcAdmin = reviewClient(server.grpc, server.tokens.admin);
  a = await launch();
});

after(async () => {
  await a?.close();
  for (const c of [grpcReviewer, grpcReviewerB, grpcClaims, grpcAdmin]) c?.close();
  await server?.stop();
});

describe("reviewer console", () => {
  test("sign-in refuses unknown and claims tokens, admits a reviewer", async () => {
    const { page } = a;
    await page.goto(server.consoleUrl);
    await page.fill("#token", "not-a-token");
    await keys(page, "Enter");
    await page.waitForFunction(() => /認識されません/.test(document.querySelector(".form-error")?.textContent ?? ""));
    await page.fill("#token", server.tokens.claims);
    await keys(page, "Enter");
    await page.waitForFunction(() => /権限/.test(document.querySelector(".form-error")?.textContent ?? ""));
    await signIn(page, server.consoleUrl, server.tokens.reviewerA);
    const ids = await queueIds(page);
    assert.ok(ids.length > 1, "the queue has cases");
    assert.equal((await grpcReviewer.getCase(ids[0])).state, "CASE_STATE_PENDING_REVIEW");
    const cookies = await a.context.cookies();
    const session = cookies.find((c) => c.name === "km_session");
    assert.ok(session && session.httpOnly && session.sameSite === "Strict");
    await screenshot(page, shots, "console-queue");
  });

  test("the queue by keyboard alone, then confirm candidate 1", async () => {
    const { page } = a;
    const ids = await queueIds(page);
    const selectedRow = () => page.getAttribute("table.queue tbody tr[aria-selected='true']", "data-index");
    assert.equal(await selectedRow(), "0");
    await keys(page, "j");
    assert.equal(await selectedRow(), "1");
    await keys(page, "k");
    assert.equal(await selectedRow(), "0");
    await keys(page, "Enter");
    assert.equal(await openedCase(page, ids[0]), ids[0]);
    await keys(page, "q");
    assert.deepEqual((await queueIds(page)).slice(0, 1), ids.slice(0, 1));
    await keys(page, "n");
    const id = await openedCase(page);
    assert.equal(id, ids[0], "next case is the first unclaimed one");

    const before = await grpcReviewer.getCase(id);
    const top = before.result.candidates[0];
    await keys(page, "1");
    await giveReason(page, "保険証の切替を確認");
    await movedOn(page, id);
    const after = await caseState(id);
    assert.equal(after.state, "CASE_STATE_CONFIRMED");
    assert.ok(sameKey(after.resolved, top), "resolved to candidate 1");
    assert.ok((await auditActions(id)).includes("CONFIRMED:reviewer-a"));
    decisions.push([id, "CONFIRMED", "reviewer-a"]);
    const feed = await changesOf(grpcClaims, id);
    assert.equal(feed.at(-1).state, "CASE_STATE_CONFIRMED");
  });

  test("no match with an empty reason, then undo", async () => {
    const { page } = a;
    const id = await openedCase(page);
    assert.equal((await caseState(id)).state, "CASE_STATE_PENDING_REVIEW");
    await keys(page, "n");
    await giveReason(page, "");
    await movedOn(page, id);
    assert.equal((await caseState(id)).state, "CASE_STATE_REJECTED");
    assert.ok((await auditActions(id)).includes("MARKED_NO_MATCH:reviewer-a"));
    decisions.push([id, "MARKED_NO_MATCH", "reviewer-a"]);
    assert.equal((await changesOf(grpcClaims, id)).at(-1).state, "CASE_STATE_REJECTED");

    await keys(page, "u");
    await giveReason(page, "押し間違い");
    await openedCase(page, id);
    assert.equal((await caseState(id)).state, "CASE_STATE_PENDING_REVIEW");
    assert.ok((await auditActions(id)).includes("REOPENED:reviewer-a"));
    decisions.push([id, "REOPENED", "reviewer-a"]);
    assert.equal((await changesOf(grpcClaims, id)).at(-1).state, "CASE_STATE_PENDING_REVIEW");
    assert.match(await stateBadge(page), /\bstate-PENDING_REVIEW\b/);
  });

  test("search the roster and confirm an enrollment that is not a candidate", async () => {
    const { page } = a;
    const { id, receipt, index, target } = await searchableCase();
    await visit(page, server.consoleUrl, `#/case/${encodeURIComponent(id)}`);
    await openedCase(page, id);
    await keys(page, "/");
    await page.waitForSelector("dialog.dlg-search[open]");
    // Prefilled from the receipt: the kana name and the birth date.
    const spaced = (x) => x.replace(/[\s\u3000]+/g, " ").trim();
    assert.equal(spaced(await page.inputValue("#s-kana")), spaced(receipt.name_kana));
    assert.match(await page.inputValue("#s-birth"), /^\d{8}$/);
    await keys(page, "Enter");
    await page.waitForSelector(".search-table button:focus");
    for (let i = 0; i < index; i++) await keys(page, "j");
    const row = await page.evaluate(() => {
      const tr = document.activeElement?.closest("tr");
      return tr ? [...tr.children].map((td) => td.textContent ?? "") : [];
    });
    assert.ok(row[3]?.startsWith(target.insurer_number), `row ${index} is ${row.join(" | ")}`);
    assert.ok(row[4]?.includes(target.number), `row ${index} is ${row.join(" | ")}`);
    await keys(page, "Enter");
    await giveReason(page, "名簿検索で発見");
    await movedOn(page, id);
    const after = await caseState(id);
    assert.equal(after.state, "CASE_STATE_CONFIRMED");
    assert.deepEqual(after.resolved, target);
    const confirmed = (await grpcAdmin.exportAudit(id)).filter((r) => r.action === "CONFIRMED");
    assert.equal(confirmed.length, 1);
    assert.equal(confirmed[0].actor, "reviewer-a");
    assert.match(confirmed[0].detail, /^rank=search /, "the audit records the search");
    decisions.push([id, "CONFIRMED", "reviewer-a"]);
  });

  test("two reviewers claiming at once", async () => {
    const b = await launch();
    try {
      const id = await openedCase(a.page);  // A holds the case on screen
      await signIn(b.page, server.consoleUrl, server.tokens.reviewerB);
      const row = b.page.locator("table.queue tbody tr", { hasText: id });
      assert.equal(await row.count(), 1, "B's queue lists A's case");
      assert.match(await row.textContent(), /reviewer-a/);
      await keys(b.page, "n");
      const other = await openedCase(b.page);
      assert.notEqual(other, id, "next case passes over a claimed one");

      await releasing(b.page, other, () => b.page.goto(new URL(`#/case/${id}`, server.consoleUrl).href));
      await openedCase(b.page, id);
      assert.match(await b.page.getAttribute("#claim-banner", "class"), /\bwarn\b/);
      assert.match(await b.page.textContent("#claim-banner"), /reviewer-a/);
      const version = (await caseState(id)).version;
      await keys(b.page, "1");
      await b.page.waitForSelector("#claim-banner.flash");
      assert.equal(await b.page.$("dialog.dlg-reason"), null, "B cannot decide A's case");
      await assert.rejects(grpcReviewerB.markNoMatch(id, version),
        (e) => e.code === kStatus.FAILED_PRECONDITION && /reviewer-a/.test(e.details));
      assert.equal((await caseState(id)).version, version);

      await releasing(a.page, id, () => keys(a.page, "q"));
      await queueIds(a.page);
      await b.page.reload();
      await openedCase(b.page, id);
      assert.doesNotMatch(await b.page.getAttribute("#claim-banner", "class"), /\bwarn\b/);
      assert.match(await b.page.textContent("#claim-banner"), /あなたが担当/);
      await releasing(b.page, id, () => keys(b.page, "q"));
      assert.deepEqual(b.problems, []);
    } finally {
      await b.close();
    }
  });

  test("a conflict shows what changed and overwrites nothing", async () => {
    const { page } = a;
    await queueIds(page);
    await keys(page, "n");
    const id = await openedCase(page);
    const c = await grpcReviewer.getCase(id);
    assert.ok(c.result.candidates.length > 0);
    // While A holds the case, B's decision is refused.
    await assert.rejects(grpcReviewerB.markNoMatch(id, c.version),
      (e) => e.code === kStatus.FAILED_PRECONDITION);
    // A also has the case open in a second tab and leaves it there: that releases A's
    // claim, while the first tab still shows the case as it was.
    const tab = await a.newPage();
    try {
      await visit(tab.page, server.consoleUrl, `#/case/${encodeURIComponent(id)}`);
      await openedCase(tab.page, id);
      await releasing(tab.page, id, () => keys(tab.page, "q"));
      assert.deepEqual(tab.problems, []);
    } finally {
      await tab.page.close();
    }
    const decided = await grpcReviewerB.markNoMatch(id, c.version, "別人");
    assert.equal(decided.case.state, "CASE_STATE_REJECTED");
    decisions.push([id, "MARKED_NO_MATCH", "reviewer-b"]);

    await page.bringToFront();
    await keys(page, "1");
    await giveReason(page, "");
    await page.waitForSelector("dialog.dlg-conflict[open]");
    const said = await page.textContent("dialog.dlg-conflict");
    assert.match(said, /reviewer-b/);
    assert.match(said, /該当なし/);
    await keys(page, "Enter");
    await page.waitForSelector("dialog.dlg-conflict", { state: "detached" });
    assert.match(await stateBadge(page), /\bstate-REJECTED\b/, "the case reloaded as decided");
    const after = await caseState(id);
    assert.equal(after.state, "CASE_STATE_REJECTED");
    assert.equal(after.version, decided.case.version);
    assert.ok(!(await auditActions(id)).includes("CONFIRMED:reviewer-a"), "A's decision was not applied");
  });

  test("markup in a name or address stays text", async () => {
    const receipt = {
      receipt_id: "R-MARKUP-1", service_month: "202404", insurer_number: "",
      name_kanji: "<img src=x onerror=alert(1)>山●", name_kana: "ヤマサキ ハナ",
      birth_date: "19480712", sex: "2", address: "<script>window.pwned=1</script>東京都新宿区",
    };
    const file = path.join(server.dir, "markup.jsonl");
    fs.writeFileSync(file, JSON.stringify(receipt) + "\n");
    const r = spawnSync(kKuromaru, ["reconcile", "--server", server.grpc, "--token-file",
      server.tokenFiles.claims, "--receipts", file, "--out", path.join(server.dir, "markup.out")]);
    assert.equal(r.status, 0, String(r.stderr));
    const { page, problems } = a;
    await visit(page, server.consoleUrl, "#/case/R-MARKUP-1");
    await openedCase(page, "R-MARKUP-1");
    const receiptColumn = await page.textContent("table.compare");
    assert.match(receiptColumn, /<img src=x onerror=alert\(1\)>山/);
    assert.match(receiptColumn, /<script>window\.pwned=1<\/script>東京都新宿区/);
    assert.equal(await page.$$eval("#main img, #main script", (els) => els.length), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.deepEqual(problems, []);
  });

  test("a mutation without the CSRF header is refused", async () => {
    const { page } = a;
    const id = "R-MARKUP-1";  // open, and held by A: only the missing header stops this
    const before = await caseState(id);
    const post = (x) => page.evaluate(async ({ id, version, withToken }) => {
      const headers = { "Content-Type": "application/json" };
      if (withToken) {
        headers["X-CSRF-Token"] = (await (await fetch("/api/v1/session")).json()).csrf_token;
      }
      const res = await fetch(`/api/v1/cases/${encodeURIComponent(id)}/no-match`, {
        method: "POST", headers,
        body: JSON.stringify({ expected_version: version, idempotency_key: `csrf-test-${withToken}`, reason: "" }),
      });
      return { status: res.status, body: await res.json() };
    }, x);
    const refused = await post({ id, version: before.version, withToken: false });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "CSRF");
    assert.equal((await caseState(id)).version, before.version);
    // With the header (and a stale version, so that nothing is decided) the request
    // gets past the check to the case itself.
    const stale = await post({ id, version: String(Number(before.version) + 100), withToken: true });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, "ABORTED");
    assert.deepEqual(await caseState(id), before);
  });

  test("blind mode hides every score and is remembered", async () => {
    const { page } = a;
    const rows = await (async () => {
      // Unmatched cases too: a person found with no enrollment valid in the month
      // is no match, and may be the one with ● and candidates.
      await visit(page, server.consoleUrl, "#/queue?reason=wildcard_name&state=PENDING_REVIEW,UNMATCHED");
      return page.$$eval("table.queue tbody tr", (trs) => trs.map((tr) => Number(tr.children[7]?.textContent)));
    })();
    const at = rows.findIndex((n) => n > 0);
    assert.ok(at >= 0, "a case with ● and candidates");
    for (let i = 0; i < at; i++) await keys(page, "j");
    await keys(page, "Enter");
    await openedCase(page);
    assert.ok((await page.locator("table.compare mark.ch-wild", { hasText: "●" }).count()) > 0);
    await screenshot(page, shots, "console-case-wildcard");
    const scores = () => page.locator(".score:visible").count();
    assert.ok((await scores()) > 0, "scores show");
    await keys(page, "b");
    assert.equal(await scores(), 0);
    await page.reload();
    await openedCase(page);
    assert.equal(await scores(), 0);
    await keys(page, "b");
    assert.ok((await scores()) > 0);

    await page.click("#top button[lang='en']");
    await page.reload();
    await openedCase(page);
    assert.equal(await page.getAttribute("html", "lang"), "en");
    assert.equal(await page.title(), "kuromaru review console");
    await page.click("#top button[lang='ja']");
    await ready(page);
    assert.equal(await page.getAttribute("html", "lang"), "ja");
  });

  test("admin pages for the admin role only", async () => {
    const { page } = a;
    assert.equal(await page.locator("nav a[href='#/admin']").count(), 0);
    const status = await page.evaluate(async () => (await fetch("/api/v1/admin/overview")).status);
    assert.equal(status, 403);
    const adm = await launch();
    try {
      await signIn(adm.page, server.consoleUrl, server.tokens.admin, "#/admin");
      await adm.page.waitForSelector(".admin-grid");
      await adm.page.fill("#audit-id", "R-MARKUP-1");
      await keys(adm.page, "Enter");
      await adm.page.waitForSelector("table.audit tbody tr");
      assert.match(await adm.page.textContent("table.audit"), /reviewer-a/);
      assert.deepEqual(adm.problems, []);
    } finally {
      await adm.close();
    }
  });

  test("sign-out ends the session", async () => {
    const { page } = a;
    await signOut(page);
    const status = await page.evaluate(async () => (await fetch("/api/v1/session")).status);
    assert.equal(status, 401);
    for (const [id, action, actor] of decisions) {
      assert.ok((await auditActions(id)).includes(`${action}:${actor}`), `${id} ${action} by ${actor}`);
    }
    assert.deepEqual(a.problems, []);
  });
});
