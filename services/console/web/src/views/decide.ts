// Decisions: confirm, no match, reopen (undo), skip. Each names the case version the
// reviewer saw and a fresh idempotency key. A conflict reloads the case and says what
// changed; nothing is overwritten. After a decision, the same person's other open cases
// are offered for the same decision, each applied as its own decision.
import { ApiError, call, get, newKey } from "../api";
import { notify, openDialog, promptReason, showMessage } from "../dialog";
import { type Child, cls, h } from "../dom";
import { dateTime, month } from "../format";
import { label, t } from "../messages";
import { addSkipped, peekUndo, popUndo, pushUndo } from "../state";
import type { CaseView, DecisionResponse, EnrollmentKey, SameSignature } from "../types";
import { enrollmentKey, sameEnrollment, stateName } from "../types";
import { errorText } from "./errors";
import { nextCase } from "./next";
import { caseHash, go } from "./view";

export interface CaseContext {
  view: CaseView;
  /** Fetches the case again and redraws it. */
  reload: () => Promise<void>;
  /** The claim is no longer held (decided or released): do not renew or release it. */
  dropClaim: () => void;
}

type Decision = { kind: "confirm"; key: EnrollmentKey; fromSearch: boolean } | { kind: "no-match" };

const kOpen = new Set(["PENDING_REVIEW", "UNMATCHED", "AUTO_RESOLVED"]);
let busy = false;

function casePath(id: string, what: string): string {
  return `/api/v1/cases/${encodeURIComponent(id)}/${what}`;
}

function post(id: string, version: string, d: Decision, reason: string): Promise<DecisionResponse | null> {
  const base = { expected_version: version, idempotency_key: newKey(), reason };
  if (d.kind === "confirm") {
    return call<DecisionResponse>("POST", casePath(id, "confirm"),
      { ...base, candidate: enrollmentKey(d.key), from_search: d.fromSearch });
  }
  return call<DecisionResponse>("POST", casePath(id, "no-match"), base);
}

/** What a 409 says happened, in words. */
function conflictLines(e: ApiError): Child[] {
  if (e.code === "CLAIMED") {
    return [h("p", null, t("conflict.claimed", { subject: e.body.claim?.subject ?? "?" }))];
  }
  const ev = e.body.current?.last_event;
  return [
    h("p", null, t("conflict.lead")),
    h("p", { class: "conflict-what" }, ev ? t("conflict.what", {
      actor: ev.actor ?? "?", at: dateTime(ev.at), action: label("action", ev.action),
      from: label("state", ev.from_state), to: label("state", ev.to_state), version: ev.version ?? "?",
    }) : t("conflict.unknown")),
  ];
}

async function failed(e: unknown, ctx: CaseContext | null): Promise<void> {
  if (e instanceof ApiError && e.status === 409) {
    if (ctx) await ctx.reload();
    await showMessage(t("conflict.title"), conflictLines(e), "dlg-conflict");
    return;
  }
  if (e instanceof ApiError && e.status === 401) return;
  notify(errorText(e), "error");
}

async function decide(ctx: CaseContext, d: Decision, title: string, detail: Child[]): Promise<void> {
  if (busy) return;
  const v = ctx.view;
  if (!kOpen.has(stateName(v.case.state))) {
    notify(t("decision.not_allowed"), "error");
    return;
  }
  const reason = await promptReason(title, detail);
  if (reason === null) return;
  busy = true;
  try {
    const r = await post(v.case.receipt_id, v.case.version, d, reason);
    ctx.dropClaim();
    const id = v.case.receipt_id;
    if (r) pushUndo({ receipt_id: id, version: r.case.version, action: d.kind });
    notify(r?.replayed ? t("decision.replayed")
      : t(d.kind === "confirm" ? "decision.confirmed" : "decision.no_matched", { id }));
    await offerSameSignature(v, d, reason);
    await nextCase();
  } catch (e) {
    await failed(e, ctx);
  } finally {
    busy = false;
  }
}

export function confirmCandidate(ctx: CaseContext, rank: number): Promise<void> {
  const c = ctx.view.case.result?.candidates?.[rank - 1];
  if (!c) {
    notify(t("decision.no_such_candidate", { rank }), "error");
    return Promise.resolve();
  }
  const shown = ctx.view.candidates[rank - 1];
  const who = shown ? (shown.name_kanji ?? []).map((x) => x.text).join("") : "";
  return decide(ctx, { kind: "confirm", key: c, fromSearch: false },
    t("decision.confirm_title", { rank }),
    [h("p", { class: "decision-what", lang: "ja" }, who, " ",
      h("span", { class: "mono" }, [c.insurer_number, c.symbol, c.number].filter(Boolean).join(" ")))]);
}

export function confirmFromSearch(ctx: CaseContext, key: EnrollmentKey, what: string): Promise<void> {
  return decide(ctx, { kind: "confirm", key, fromSearch: true }, t("decision.confirm_search_title"),
    [h("p", { class: "decision-what", lang: "ja" }, what)]);
}

export function markNoMatch(ctx: CaseContext): Promise<void> {
  return decide(ctx, { kind: "no-match" }, t("decision.no_match_title"), []);
}

/** Releases the claim, remembers the skip for this sitting, and takes the next case. */
export async function skipCase(ctx: CaseContext): Promise<void> {
  const id = ctx.view.case.receipt_id;
  addSkipped(id);
  ctx.dropClaim();
  try {
    await call("DELETE", casePath(id, "claim"));
  } catch {
    // The lease expires on its own.
  }
  notify(t("decision.skipped", { id }));
  await nextCase();
}

async function reopen(id: string, version: string, title: string): Promise<boolean> {
  const reason = await promptReason(title, [h("p", { class: "mono" }, id)]);
  if (reason === null) return false;
  await call<DecisionResponse>("POST", casePath(id, "reopen"),
    { expected_version: version, idempotency_key: newKey(), reason });
  notify(t("decision.reopened", { id }));
  return true;
}

/** Undoes this sitting's last decision by reopening the version it produced. */
export async function undoLast(ctx: CaseContext | null): Promise<void> {
  const last = peekUndo();
  if (!last) {
    notify(t("decision.nothing_to_undo"));
    return;
  }
  if (busy) return;
  busy = true;
  try {
    if (await reopen(last.receipt_id, last.version, t("decision.undo_title"))) {
      popUndo();
      go(caseHash(last.receipt_id));
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) popUndo();
    await failed(e, ctx && ctx.view.case.receipt_id === last.receipt_id ? ctx : null);
  } finally {
    busy = false;
  }
}

/** Reopens a decided case (the one on screen). */
export async function reopenCase(ctx: CaseContext): Promise<void> {
  if (busy) return;
  const c = ctx.view.case;
  const state = stateName(c.state);
  if (kOpen.has(state) && state !== "AUTO_RESOLVED") {
    notify(t("decision.not_allowed"), "error");
    return;
  }
  busy = true;
  try {
    if (await reopen(c.receipt_id, c.version, t("decision.reopen_title"))) await ctx.reload();
  } catch (e) {
    await failed(e, ctx);
  } finally {
    busy = false;
  }
}

function applicable(o: SameSignature, d: Decision): boolean {
  if (d.kind === "no-match" || !o.candidates) return true;
  return o.candidates.some((k) => sameEnrollment(k, d.key));
}

/** Offers the same person's other open cases; applies the decision to each one checked. */
async function offerSameSignature(v: CaseView, d: Decision, reason: string): Promise<void> {
  const others = (v.same_signature ?? []).filter((o) => kOpen.has(stateName(o.state)));
  if (others.length === 0) return;
  const boxes: [SameSignature, HTMLInputElement][] = [];
  const items = others.map((o, i) => {
    const ok = applicable(o, d);
    const taken = !!o.claim && !o.claim.mine;
    const box = h("input", { type: "checkbox", id: `same-${i}`, checked: ok && !taken,
      disabled: !ok || taken });
    boxes.push([o, box]);
    return h("li", { class: cls(!ok || taken ? "unavailable" : "") },
      box, h("label", { for: `same-${i}` }, h("span", { class: "mono" }, o.receipt_id), " ",
        month(o.service_month)?.seireki ?? "", " ",
        h("span", { class: `badge state-${stateName(o.state)}` }, label("state", o.state)),
        !ok ? h("small", null, t("same.unavailable")) : null,
        taken ? h("small", null, t("same.taken", { subject: o.claim?.subject ?? "" })) : null));
  });
  const chosen = await new Promise<SameSignature[] | null>((resolve) => {
    let result: SameSignature[] | null = null;
    const apply = h("button", { type: "submit", class: "primary" }, t("same.apply"));
    const form = h("form", {
      onsubmit: (e: Event) => {
        e.preventDefault();
        result = boxes.filter(([, b]) => b.checked).map(([o]) => o);
        dlg.close("ok");
      },
    }, h("p", null, t("same.lead")), h("ul", { class: "same-list" }, items),
    h("div", { class: "actions" }, apply,
      h("button", { type: "button", onclick: () => dlg.close("") }, t("same.skip"))));
    const dlg = openDialog({ title: t("same.title"), content: [form], className: "dlg-same",
      onClose: () => resolve(result) });
    apply.focus();
  });
  if (!chosen || chosen.length === 0) return;
  let done = 0;
  const problems: string[] = [];
  for (const o of chosen) {
    try {
      // Opening claims the case and gives its current version.
      const cv = await get<CaseView>(`/api/v1/cases/${encodeURIComponent(o.receipt_id)}`);
      if (!cv) continue;
      const r = await post(o.receipt_id, cv.case.version, d, reason);
      if (r) pushUndo({ receipt_id: o.receipt_id, version: r.case.version, action: d.kind });
      done++;
    } catch (e) {
      problems.push(t("same.failed", { id: o.receipt_id, message: errorText(e, o.receipt_id) }));
      // Opening claimed it; give it back rather than let the lease run out.
      call("DELETE", casePath(o.receipt_id, "claim")).catch(() => undefined);
    }
  }
  notify([t("same.done", { done })].concat(problems).join(" "), problems.length ? "error" : "info");
}
