// The panels under the comparison: the selected candidate's evidence waterfall and
// enrollments, the insurer suggestions, the explanations, the history.
import type { Notes } from "../chars";
import { timelineChart, waterfallChart } from "../charts";
import { cls, h } from "../dom";
import { dateTime, month, num, percent, weight } from "../format";
import { label, t } from "../messages";
import { type CandidateView, type CaseView, type EnrollmentRow, type Evidence, stateName } from "../types";
import { caseHash } from "./view";

export function waterfallPanel(c: CandidateView | undefined): HTMLElement | null {
  const wf = c?.waterfall;
  if (!wf) return null;
  return h("section", { class: "panel waterfall-panel", "aria-labelledby": "wf-h" },
    h("h2", { id: "wf-h" }, t("case.waterfall")),
    h("p", { class: "blind-only hint" }, t("case.scores_hidden")),
    h("div", { class: "score" },
      waterfallChart(wf),
      h("p", { class: "hint" }, t("case.waterfall_caption")),
      h("details", null, h("summary", null, t("case.weight")),
        h("table", { class: "mini" },
          h("thead", null, h("tr", null, h("th", { scope: "col" }, t("case.field")),
            h("th", { scope: "col" }, t("case.level")), h("th", { scope: "col", class: "num" }, t("case.weight")))),
          h("tbody", null,
            h("tr", null, h("td", null, t("case.prior")), h("td", null), h("td", { class: "num" }, weight(wf.prior))),
            wf.bars.map((b) => h("tr", null, h("td", null, label("field", b.field)),
              h("td", null, label("level", b.level)), h("td", { class: "num" }, weight(b.weight)))),
            h("tr", { class: "total" }, h("td", null, t("case.total")),
              h("td", null, `${t("case.probability")} ${percent(wf.probability)}`),
              h("td", { class: "num" }, weight(wf.total))))))));
}

function enrollmentKeyOf(e: EnrollmentRow): string {
  return [e.insurer_number, e.symbol, e.number, e.branch, e.qualified_from].map((x) => x ?? "").join("|");
}

export function timelinePanel(c: CandidateView | undefined, serviceMonth: string | undefined): HTMLElement | null {
  const rows = c?.enrollments ?? [];
  if (!c || rows.length === 0) return null;
  const supporting = new Set(c.supporting ?? []);
  const svg = timelineChart(rows, serviceMonth);
  // Enrollments whose evidence supported the candidate (a stale card, for example).
  rows.forEach((r, i) => {
    if (supporting.has(enrollmentKeyOf(r))) svg.querySelectorAll("rect.tl-bar")[i]?.classList.add("tl-support");
  });
  return h("section", { class: "panel timeline-panel", "aria-labelledby": "tl-h" },
    h("h2", { id: "tl-h" }, t("case.enrollments")), svg,
    h("p", { class: "hint" }, t("case.enrollments_caption")));
}

function evidenceTable(ev: Evidence[]): HTMLElement {
  return h("table", { class: "mini" }, h("tbody", null, ev.map((e) => h("tr", null,
    h("td", null, label("field", e.field)), h("td", null, label("level", e.level)),
    h("td", { lang: "ja" }, e.receipt_value ?? ""), h("td", { lang: "ja" }, e.roster_value ?? ""),
    h("td", { class: "num score" }, weight(e.weight))))));
}

export function suggestionsPanel(v: CaseView): HTMLElement | null {
  const list = v.case.result?.insurer_suggestions ?? [];
  if (list.length === 0) return null;
  return h("section", { class: "panel", "aria-labelledby": "sg-h" },
    h("h2", { id: "sg-h" }, t("case.suggestions")),
    h("ol", { class: "suggestions" }, list.map((s) => h("li", null,
      h("span", { class: "mono" }, s.insurer_number ?? ""), " ", h("span", { lang: "ja" }, s.name ?? ""),
      " ", h("span", { class: "prob score" }, percent(s.probability)),
      (s.evidence ?? []).length ? h("details", null, h("summary", null, t("case.suggestion_evidence")),
        evidenceTable(s.evidence ?? [])) : null))));
}

export function explanationsPanel(notes: Notes): HTMLElement | null {
  if (notes.size === 0) return null;
  return h("section", { class: "panel explain", "aria-labelledby": "ex-h" },
    h("h2", { id: "ex-h" }, t("case.explanations")),
    h("ul", null, [...notes.values()].map((n) => h("li", null, n))));
}

export function historyPanel(v: CaseView): HTMLElement | null {
  const events = v.case.history ?? [];
  if (events.length === 0) return null;
  return h("details", { class: "panel history" },
    h("summary", null, `${t("case.history")} (${num(events.length)})`),
    h("table", { class: "mini" }, h("tbody", null, events.map((e) => h("tr", null,
      h("td", null, dateTime(e.at)), h("td", { class: "mono" }, e.actor ?? ""),
      h("td", null, label("action", e.action)),
      h("td", null, `${label("state", e.from_state)} → ${label("state", e.to_state)}`),
      h("td", { class: "num" }, e.version ?? ""), h("td", null, e.comment ?? ""))))));
}

export function sameSignaturePanel(v: CaseView): HTMLElement | null {
  const list = v.same_signature ?? [];
  if (list.length === 0) return null;
  return h("section", { class: "panel", "aria-labelledby": "ss-h" },
    h("h2", { id: "ss-h" }, t("case.same_signature", { count: num(list.length) })),
    h("ul", { class: "same-list" }, list.map((o) => h("li", null,
      h("a", { href: caseHash(o.receipt_id), class: "mono" }, o.receipt_id), " ",
      h("span", { class: cls("badge", `state-${stateName(o.state)}`) }, label("state", o.state)), " ",
      month(o.service_month)?.seireki ?? ""))));
}
