// One case: the header with its state and claim, the field-by-field comparison, the
// selected candidate's evidence and enrollments, and the decision keys. Opening the case
// claims it; the claim is renewed every minute and released on leaving.
import { ApiError, call, get } from "../api";
import type { Notes } from "../chars";
import { h, replace } from "../dom";
import { dateTime, month, time } from "../format";
import { label, t } from "../messages";
import { hasRole } from "../state";
import { type CaseView, type Claim, stateName } from "../types";
import { compareTable } from "./compare";
import { type CaseContext, confirmCandidate, confirmFromSearch, markNoMatch, reopenCase, skipCase, undoLast } from "./decide";
import { showError } from "./errors";
import { explanationsPanel, historyPanel, sameSignaturePanel, suggestionsPanel, timelinePanel, waterfallPanel } from "./panels";
import { openSearch } from "./search";
import { type RouteArgs, type View, go } from "./view";

const kRenewMs = 60_000;
const kOpenStates = new Set(["PENDING_REVIEW", "UNMATCHED"]);

function claimBanner(v: CaseView, lost: boolean): HTMLElement {
  const c: Claim | null = v.claim;
  let text = "";
  let klass = "banner";
  if (lost) {
    text = t("case.claim.lost");
    klass += " warn";
  } else if (!hasRole("reviewer")) {
    text = t("case.read_only");
  } else if (c && !c.mine) {
    text = t("case.claim.other", { subject: c.subject, time: time(c.expires_at) });
    klass += " warn";
  } else if (c?.mine) {
    text = t("case.claim.mine", { time: time(c.expires_at) });
  } else if (["CONFIRMED", "REJECTED"].includes(stateName(v.case.state))) {
    text = t("case.closed");
  }
  return h("p", { class: klass, role: "status", id: "claim-banner" }, text);
}

function header(v: CaseView, lost: boolean): HTMLElement {
  const c = v.case;
  const m = month(v.service_month);
  const resolved = c.resolved?.insurer_number ? [c.resolved.insurer_number, c.resolved.symbol,
    c.resolved.number].filter(Boolean).join(" ") : "";
  return h("header", { class: "case-head" },
    h("div", { class: "case-title" },
      h("a", { href: "#/queue", class: "back" }, t("case.back")),
      h("h1", null, t("case.heading", { id: c.receipt_id })),
      h("span", { class: `badge state-${stateName(c.state)}` }, label("state", c.state)),
      (v.reasons ?? []).map((r) => h("span", { class: "badge reason" }, label("reason", r))),
      hasRole("admin") ? h("a", { href: `#/admin/audit/${encodeURIComponent(c.receipt_id)}`, class: "audit-link" },
        t("case.audit_link")) : null),
    h("dl", { class: "case-meta" },
      h("dt", null, t("case.month")), h("dd", null, m ? [m.seireki, " ", h("small", { class: "wareki" }, m.wareki)] : t("none")),
      h("dt", null, t("case.version")), h("dd", { class: "mono" }, c.version),
      h("dt", null, t("case.created")), h("dd", null, dateTime(c.created_at)),
      resolved ? [h("dt", null, t("case.resolved")), h("dd", { class: "mono" }, resolved)] : null),
    claimBanner(v, lost),
    h("p", { class: "hint keys-hint" }, t("case.decide_hint")));
}

export async function renderCase({ root, parts }: RouteArgs): Promise<View> {
  const id = decodeURIComponent(parts[1] ?? "");
  let v: CaseView;
  let selected = 0;
  let held = false;
  let lost = false;
  let timer: number | undefined;
  const path = `/api/v1/cases/${encodeURIComponent(id)}`;

  const load = async (): Promise<boolean> => {
    try {
      const r = await get<CaseView>(path);
      if (!r) return false;
      v = r;
    } catch (e) {
      showError(root, e, id);
      return false;
    }
    held = !!v.claim?.mine && kOpenStates.has(stateName(v.case.state));
    lost = false;
    selected = Math.min(selected, Math.max(0, v.candidates.length - 1));
    return true;
  };

  const release = (keepalive: boolean): void => {
    if (!held) return;
    held = false;
    call("DELETE", `${path}/claim`, undefined, { keepalive }).catch(() => undefined);
  };
  const onPageHide = (): void => release(true);

  const ctx: CaseContext = {
    get view() { return v; },
    reload: async () => { if (await load()) draw(); },
    dropClaim: () => { held = false; },
  };

  const renew = async (): Promise<void> => {
    if (!held) return;
    try {
      const r = await call<{ claim: Claim }>("PUT", `${path}/claim`);
      if (r?.claim) v.claim = r.claim;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        held = false;
        lost = true;
        v.claim = e.body.claim ?? v.claim;
      }
    }
    document.getElementById("claim-banner")?.replaceWith(claimBanner(v, lost));
  };

  const draw = (): void => {
    const notes: Notes = new Map();
    const sel = v.candidates[selected];
    // The receipt's own fields show even with no candidate: they are what the reviewer
    // searches the roster with.
    const table = compareTable(v, selected, notes, (i) => { selected = i; draw(); focusSelected(); });
    const none = v.candidates.length ? null : h("p", { class: "empty" }, t("case.no_candidates"));
    const lower = h("div", { class: "case-lower" }, waterfallPanel(sel), timelinePanel(sel, v.service_month));
    replace(root, header(v, lost), table, none, explanationsPanel(notes), lower, suggestionsPanel(v),
      sameSignaturePanel(v), historyPanel(v));
  };

  const focusSelected = (): void => {
    root.querySelectorAll<HTMLButtonElement>("button.cand-head")[selected]?.focus();
  };
  const move = (step: number): void => {
    if (v.candidates.length === 0) return;
    selected = Math.max(0, Math.min(v.candidates.length - 1, selected + step));
    draw();
    focusSelected();
  };
  const mayDecide = (): boolean => hasRole("reviewer") && !(v.claim && !v.claim.mine) && !lost;
  const guarded = (fn: () => void) => () => {
    if (mayDecide()) fn();
    else document.getElementById("claim-banner")?.classList.add("flash");
  };

  replace(root, h("p", { class: "loading" }, t("loading")));
  if (!(await load())) {
    return { keys: { q: () => go("#/queue"), u: () => void undoLast(null) } };
  }
  draw();
  if (held) timer = window.setInterval(() => void renew(), kRenewMs);
  window.addEventListener("pagehide", onPageHide);

  const keys: Record<string, () => void> = {
    n: guarded(() => void markNoMatch(ctx)),
    s: () => void skipCase(ctx),
    u: () => void undoLast(ctx),
    r: guarded(() => void reopenCase(ctx)),
    j: () => move(1),
    k: () => move(-1),
    ArrowRight: () => move(1),
    ArrowLeft: () => move(-1),
    q: () => go("#/queue"),
    "/": () => openSearch(v, mayDecide(), (r, what) => void confirmFromSearch(ctx, r, what)),
  };
  for (let i = 1; i <= 5; i++) keys[String(i)] = guarded(() => void confirmCandidate(ctx, i));
  return {
    keys,
    leave: () => {
      window.clearInterval(timer);
      window.removeEventListener("pagehide", onPageHide);
      release(false);
    },
  };
}
