// The receipt and each candidate side by side, field by field: original values, their
// normalized forms, agreement marks and weights; names character by character.
import { type Notes, renderName } from "../chars";
import { cls, h } from "../dom";
import { day, percent, weight } from "../format";
import { label, t } from "../messages";
import type { BirthDate, Candidate, CandidateView, CaseView, Char, FieldRow } from "../types";

const kFieldOrder = [
  "name_kanji", "name_kana", "birth_date", "sex", "insurer", "member", "postal_code",
  "address", "insurer_name", "employer", "enrollment",
];

const kAgreementMark: Record<string, string> = {
  agree: "✓",
  partial: "≈",
  disagree: "✗",
  missing: "–",
};

function dateBlock(bd: BirthDate | null | undefined): Node {
  if (!bd || (!bd.iso && !bd.raw)) return document.createTextNode(t("none"));
  const d = day(bd.iso);
  if (!d) return h("span", { class: "mono" }, bd.raw ?? "");
  const raw = bd.raw && bd.raw.replace(/-/g, "") !== (bd.iso ?? "").replace(/-/g, "") ? bd.raw : "";
  return h("span", { class: "dual" }, d.seireki,
    h("small", { class: "wareki", lang: "ja" }, bd.wareki || d.wareki),
    raw ? h("small", { class: "raw mono" }, raw) : null);
}

function text(v: string | undefined): Node {
  return document.createTextNode(v && v !== "" ? v : t("none"));
}

function member(symbol?: string, number?: string, branch?: string): string {
  const sn = [symbol, number].filter((x) => x).join("・");
  return sn + (branch ? ` (${branch})` : "");
}

function normalizedLine(original: string | undefined, normalized: string | undefined): Node | null {
  if (!normalized || normalized === original) return null;
  return h("small", { class: "norm" }, h("span", { class: "norm-label" }, t("case.normalized")),
    h("span", { lang: "ja" }, normalized));
}

function fieldsOf(c: CandidateView | undefined): Map<string, FieldRow> {
  return new Map((c?.fields ?? []).map((f) => [f.field, f]));
}

function receiptCell(field: string, v: CaseView, sel: CandidateView | undefined,
  notes: Notes): (Node | null)[] {
  const r = v.receipt;
  const row = fieldsOf(sel).get(field);
  const names = (own: Char[] | undefined, aligned: Char[] | undefined): Node =>
    renderName(aligned ?? own, notes);
  let value: Node;
  switch (field) {
    case "name_kanji": value = names(r.name_kanji, sel?.receipt_name_kanji); break;
    case "name_kana": value = names(r.name_kana, sel?.receipt_name_kana); break;
    case "birth_date": value = dateBlock(r.birth_date); break;
    case "sex": value = text(r.sex ? label("sex", r.sex) : ""); break;
    case "insurer": value = h("span", { class: "mono" }, r.insurer_number || t("none")); break;
    case "member": value = h("span", { class: "mono" },
      member(r.symbol, r.number, r.branch) || t("none")); break;
    case "postal_code": value = text(r.postal_code); break;
    case "address": value = h("span", { lang: "ja" }, r.address || t("none")); break;
    case "insurer_name": value = text(r.insurer_name); break;
    case "employer": value = text(r.employer); break;
    default: value = text(row?.receipt_original);
  }
  const norm = field === "birth_date" ? null
    : normalizedLine(row?.receipt_original, row?.receipt_normalized);
  return [value, norm];
}

function candidateValue(field: string, c: CandidateView, raw: Candidate | undefined,
  row: FieldRow | undefined, notes: Notes): Node {
  switch (field) {
    case "name_kanji": return renderName(c.name_kanji, notes);
    case "name_kana": return renderName(c.name_kana, notes);
    case "birth_date": return dateBlock(c.birth_date);
    case "sex": return text(row?.roster_original ? label("sex", row.roster_original) : "");
    case "insurer": return h("span", { class: "mono" }, row?.roster_original || raw?.insurer_number || t("none"));
    case "member": return h("span", { class: "mono" }, row?.roster_original ||
      member(raw?.symbol, raw?.number, raw?.branch) || t("none"));
    case "enrollment": {
      const from = day(raw?.qualified_from)?.seireki ?? t("none");
      const until = raw?.qualified_until ? day(raw.qualified_until)?.seireki : t("case.current");
      return h("span", null, `${from} – ${until}`, h("small", {
        class: cls("validity", raw?.valid_in_service_month ? "valid" : "invalid") },
      raw?.valid_in_service_month ? t("case.valid_in_month") : t("case.not_valid_in_month")));
    }
    default: return h("span", { lang: "ja" }, row?.roster_original || t("none"));
  }
}

function candidateCell(field: string, c: CandidateView, raw: Candidate | undefined,
  selected: boolean, notes: Notes): HTMLTableCellElement {
  const row = fieldsOf(c).get(field);
  const a = row?.agreement ?? "";
  if (row?.explanation_key) {
    const text = label("explain", row.explanation_key);
    notes.set(text, text);
  }
  const norm = field === "birth_date" || field === "enrollment" ? null
    : normalizedLine(row?.roster_original, row?.roster_normalized);
  return h("td", { class: cls("cand", a && `agree-${a}`, selected && "sel") },
    h("div", { class: "cell-main" }, candidateValue(field, c, raw, row, notes),
      a ? h("span", { class: cls("mark", `mark-${a}`), title: label("level", row?.level) },
        h("span", { "aria-hidden": "true" }, kAgreementMark[a] ?? "?"),
        h("span", { class: "sr-only" }, label("agreement", a))) : null),
    norm,
    row && row.weight !== undefined ? h("small", { class: "weight score" },
      `${label("level", row.level)} ${weight(row.weight)}`) : null);
}

/** The comparison table; `onSelect(i)` when a candidate's header is chosen. */
export function compareTable(v: CaseView, selected: number, notes: Notes,
  onSelect: (i: number) => void): HTMLElement {
  const cands = v.candidates;
  const sel = cands[selected];
  const raw = v.case.result?.candidates ?? [];
  const present = new Set<string>();
  for (const c of cands) for (const f of c.fields ?? []) present.add(f.field);
  const r = v.receipt as Record<string, unknown>;
  for (const f of kFieldOrder) if (r[f] || (f === "member" && (r["symbol"] || r["number"])) || (f === "insurer" && r["insurer_number"])) present.add(f);
  const fields = kFieldOrder.filter((f) => present.has(f))
    .concat([...present].filter((f) => !kFieldOrder.includes(f)));

  const head = h("tr", null,
    h("th", { scope: "col", class: "field-col" }, t("case.field")),
    h("th", { scope: "col", class: "receipt-col" }, t("case.receipt")),
    cands.map((c, i) => h("th", { scope: "col", class: cls("cand", i === selected && "sel") },
      h("button", { type: "button", class: "cand-head", "aria-pressed": i === selected ? "true" : "false",
        "data-rank": c.rank, onclick: () => onSelect(i) },
      h("span", { class: "cand-rank" }, h("kbd", null, String(c.rank)), t("case.candidate", { rank: c.rank })),
      c.person_label ? h("span", { class: "person" }, t("case.person", { label: c.person_label })) : null,
      h("span", { class: "prob score" }, percent(c.probability))))));
  const body = fields.map((f) => h("tr", null,
    h("th", { scope: "row", class: "field-col" }, label("field", f)),
    h("td", { class: "receipt-col" }, receiptCell(f, v, sel, notes)),
    cands.map((c, i) => candidateCell(f, c, raw[c.rank - 1] ?? raw[i], i === selected, notes))));
  return h("div", { class: "compare-wrap" },
    h("table", { class: "compare" }, h("thead", null, head), h("tbody", null, body)));
}
