// The queue: filters with counts, one row per case, claim badges; j/k move, Enter opens,
// n takes the next unclaimed case.
import { ApiError, get, query } from "../api";
import { cls, h, replace } from "../dom";
import { month, num, percent, weight } from "../format";
import { label, t } from "../messages";
import { kDefaultFilter, setLastFilter } from "../state";
import type { QueueFilter, QueueResponse, QueueRow } from "../types";
import { kReasons, kStates } from "../types";
import { showError } from "./errors";
import { nextCase } from "./next";
import { caseHash, go, type RouteArgs, type View } from "./view";

export function filterFromParams(p: URLSearchParams): QueueFilter {
  const state = (p.get("state") ?? "").split(",").filter((x) => x !== "");
  return {
    state: state.length ? state : [...kDefaultFilter.state],
    month_from: p.get("month_from") ?? "",
    month_to: p.get("month_to") ?? "",
    insurer: p.get("insurer") ?? "",
    reason: p.get("reason") ?? "",
  };
}

function queueHash(f: QueueFilter, pageToken = ""): string {
  return `#/queue${query({ ...f, page_token: pageToken || undefined })}`;
}

function monthInput(id: string, value: string, text: string): [HTMLElement, HTMLInputElement] {
  const input = h("input", { id, type: "month", value: value ? `${value.slice(0, 4)}-${value.slice(4)}` : "" });
  return [h("label", { for: id }, text), input];
}

function claimBadge(row: QueueRow): Node | null {
  if (!row.claim) return null;
  return h("span", { class: cls("badge", row.claim.mine ? "claim-mine" : "claim-other") },
    row.claim.mine ? t("queue.claim.mine") : t("queue.claim.other", { subject: row.claim.subject }));
}

function monthCell(m: string | undefined): Node {
  const d = month(m);
  if (!d) return document.createTextNode(m ?? t("none"));
  return h("span", { class: "dual" }, d.seireki, h("small", { class: "wareki" }, d.wareki));
}

function rowNode(row: QueueRow, i: number, open: (i: number) => void): HTMLTableRowElement {
  const tr = h(
    "tr",
    { tabindex: -1, "data-index": i, "aria-selected": "false", onclick: () => open(i) },
    h("td", null, h("a", { href: caseHash(row.receipt_id), class: "mono" }, row.receipt_id)),
    h("td", null, h("span", { class: `badge state-${row.state}` }, label("state", row.state))),
    h("td", null, monthCell(row.service_month)),
    h("td", { class: "mono" }, row.billed_insurer_number || t("none")),
    h("td", { class: "mono" }, row.top_insurer_number || t("none")),
    h("td", { class: "num score" }, percent(row.top_probability)),
    h("td", { class: "num score" }, row.lead === null || row.lead === undefined ? t("none")
      : weight(row.lead)),
    h("td", { class: "num" }, num(row.candidate_count ?? 0)),
    h("td", null, (row.reasons ?? []).map((r) => h("span", { class: "badge reason" }, label("reason", r)))),
    h("td", null, claimBadge(row)),
  );
  return tr;
}

export async function renderQueue({ root, params }: RouteArgs): Promise<View> {
  const filter = filterFromParams(params);
  setLastFilter(filter);
  const pageToken = params.get("page_token") ?? "";
  replace(root, h("p", { class: "loading" }, t("loading")));
  let data: QueueResponse | null;
  try {
    data = await get<QueueResponse>(`/api/v1/queue${query({ ...filter, page_size: "50",
      page_token: pageToken || undefined })}`);
  } catch (e) {
    showError(root, e as ApiError);
    return {};
  }
  const rows = data?.cases ?? [];
  const counts = data?.counts ?? {};
  const apply = (f: QueueFilter): void => go(queueHash(f));

  const stateChips = kStates.map((st) => {
    const on = filter.state.includes(st);
    return h("button", {
      type: "button", class: cls("chip", `state-${st}`), "aria-pressed": on ? "true" : "false",
      onclick: () => {
        const next = on ? filter.state.filter((x) => x !== st) : [...filter.state, st];
        apply({ ...filter, state: next.length ? next : [st] });
      },
    }, label("state", st), h("span", { class: "count" }, num(counts.by_state?.[st] ?? 0)));
  });
  const reasonChips = [
    h("button", { type: "button", class: "chip", "aria-pressed": filter.reason ? "false" : "true",
      onclick: () => apply({ ...filter, reason: "" }) }, t("queue.all_reasons")),
    ...kReasons.concat(Object.keys(counts.by_reason ?? {}).filter((r) => !kReasons.includes(r)))
      .map((r) => h("button", {
        type: "button", class: "chip", "aria-pressed": filter.reason === r ? "true" : "false",
        onclick: () => apply({ ...filter, reason: filter.reason === r ? "" : r }),
      }, label("reason", r), h("span", { class: "count" }, num(counts.by_reason?.[r] ?? 0)))),
  ];
  const [fromLabel, fromInput] = monthInput("month-from", filter.month_from, t("queue.month_from"));
  const [toLabel, toInput] = monthInput("month-to", filter.month_to, t("queue.month_to"));
  const insurer = h("input", { id: "insurer", type: "text", inputmode: "numeric",
    pattern: "[0-9]{6}|[0-9]{8}", maxlength: 8, value: filter.insurer, autocomplete: "off" });
  const form = h("form", {
    class: "filter-form",
    onsubmit: (e: Event) => {
      e.preventDefault();
      apply({ ...filter, month_from: fromInput.value.replace("-", ""),
        month_to: toInput.value.replace("-", ""), insurer: insurer.value.trim() });
    },
  }, fromLabel, fromInput, toLabel, toInput, h("label", { for: "insurer" }, t("queue.insurer")),
  insurer, h("button", { type: "submit" }, t("queue.apply")),
  h("button", { type: "button", onclick: () => apply({ ...kDefaultFilter }) }, t("queue.clear")));

  let selected = -1;
  const trs: HTMLTableRowElement[] = [];
  const select = (i: number): void => {
    if (trs.length === 0) return;
    const j = Math.max(0, Math.min(trs.length - 1, i));
    trs[selected]?.setAttribute("aria-selected", "false");
    selected = j;
    trs[j]!.setAttribute("aria-selected", "true");
    trs[j]!.focus();
  };
  const open = (i: number): void => {
    const row = rows[i];
    if (row) go(caseHash(row.receipt_id));
  };
  rows.forEach((row, i) => trs.push(rowNode(row, i, open)));
  const tbody = h("tbody", null, trs);
  tbody.addEventListener("focusin", (e) => {
    const tr = (e.target as HTMLElement).closest("tr");
    if (tr && tr.dataset["index"]) {
      trs[selected]?.setAttribute("aria-selected", "false");
      selected = Number(tr.dataset["index"]);
      tr.setAttribute("aria-selected", "true");
    }
  });
  const cols: [string, string][] = [
    ["queue.col.receipt", ""], ["queue.col.state", ""], ["queue.col.month", ""],
    ["queue.col.billed", ""], ["queue.col.top", ""], ["queue.col.probability", "num score"],
    ["queue.col.lead", "num score"], ["queue.col.candidates", "num"], ["queue.col.reasons", ""],
    ["queue.col.claim", ""],
  ];
  const table = h("table", { class: "queue", role: "grid", "aria-readonly": "true",
    "aria-describedby": "queue-caption" },
    h("caption", { id: "queue-caption", class: "sr-only" }, t("queue.table_caption")),
    h("thead", null, h("tr", null, cols.map(([k, c]) => h("th", { scope: "col", class: c || null },
      t(k as Parameters<typeof t>[0]))))),
    tbody);

  replace(root,
    h("div", { class: "queue-head" },
      h("h1", null, t("queue.heading")),
      h("span", { class: "total" }, t("queue.total", { count: num(counts.total ?? rows.length) })),
      h("button", { type: "button", class: "primary", onclick: () => void nextCase() },
        t("queue.next_case"))),
    h("section", { class: "filters", "aria-label": t("queue.filters") },
      h("div", { class: "chips", role: "group", "aria-label": t("queue.state") },
        h("span", { class: "chips-label" }, t("queue.state")), stateChips),
      h("div", { class: "chips", role: "group", "aria-label": t("queue.reason") },
        h("span", { class: "chips-label" }, t("queue.reason")), reasonChips),
      form),
    rows.length ? table : h("p", { class: "empty" }, t("queue.empty")),
    h("nav", { class: "pager" },
      pageToken ? h("a", { href: queueHash(filter) }, t("queue.first_page")) : null,
      data?.next_page_token ? h("a", { href: queueHash(filter, data.next_page_token) },
        t("queue.next_page")) : null),
  );
  const keys = {
    j: () => select(selected + 1),
    k: () => select(selected - 1),
    ArrowDown: () => select(selected + 1),
    ArrowUp: () => select(selected - 1),
    Enter: () => open(selected < 0 ? 0 : selected),
    o: () => open(selected < 0 ? 0 : selected),
    n: () => void nextCase(),
    "/": () => insurer.focus(),
  };
  if (trs.length) select(0);
  return { keys };
}
