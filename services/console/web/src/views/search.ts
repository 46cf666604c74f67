// Searching the roster when no candidate fits; an enrollment found this way can be
// confirmed (the server checks that it exists and records that it came from a search).
import { get, query } from "../api";
import { nameText } from "../chars";
import { openDialog } from "../dialog";
import { h, replace } from "../dom";
import { day, num } from "../format";
import { label, t } from "../messages";
import type { CaseView, SearchResponse, SearchResult } from "../types";
import { errorText } from "./errors";

function field(id: string, text: string, value: string, attrs: Record<string, string> = {}):
  [HTMLElement, HTMLInputElement] {
  const input = h("input", { id, name: id, type: "text", value, autocomplete: "off", ...attrs });
  return [h("label", { for: id }, text, input), input];
}

/** Opens the search dialog; `pick` is called with a result the reviewer chose to confirm. */
export function openSearch(v: CaseView, canConfirm: boolean,
  pick: (r: SearchResult, what: string) => void): void {
  const bd = v.receipt.birth_date?.iso?.replace(/-/g, "") ?? v.receipt.birth_date?.raw ?? "";
  const [kanaL, kana] = field("s-kana", t("search.kana"), nameText(v.receipt.name_kana), { lang: "ja" });
  const [kanjiL, kanji] = field("s-kanji", t("search.kanji"), "", { lang: "ja" });
  const [bdL, birth] = field("s-birth", t("search.birth_date"), bd, { inputmode: "numeric" });
  const [memL, member] = field("s-member", t("search.member"), "");
  const [insL, insurer] = field("s-insurer", t("search.insurer"), "", { inputmode: "numeric" });
  const results = h("div", { class: "search-results", "aria-live": "polite" });

  const run = async (): Promise<void> => {
    const q = { kana: kana.value.trim(), kanji: kanji.value.trim(), birth_date: birth.value.trim(),
      member: member.value.trim(), insurer: insurer.value.trim() };
    if (!q.kana && !q.kanji && !q.member) {
      replace(results, h("p", { class: "form-error", role: "alert" }, t("search.need_more")));
      return;
    }
    replace(results, h("p", { class: "loading" }, t("loading")));
    try {
      const r = await get<SearchResponse>(`/api/v1/roster/search${query({ ...q,
        service_month: v.service_month ?? "", limit: "50" })}`);
      showResults(r?.results ?? [], r?.truncated ?? false);
    } catch (e) {
      replace(results, h("p", { class: "form-error", role: "alert" }, errorText(e)));
    }
  };

  const showResults = (list: SearchResult[], truncated: boolean): void => {
    if (list.length === 0) {
      replace(results, h("p", null, t("search.none")));
      return;
    }
    const buttons: HTMLButtonElement[] = [];
    const rows = list.map((r) => {
      const what = `${r.name_kanji ?? ""} ${r.insurer_number ?? ""} ${r.symbol ?? ""}・${r.number ?? ""}`;
      const b = h("button", { type: "button", onclick: () => { dlg.close("picked"); pick(r, what); } },
        t("search.confirm"));
      if (canConfirm) buttons.push(b);
      return h("tr", null,
        h("td", { lang: "ja" }, r.name_kanji ?? "", h("small", { class: "kana" }, r.name_kana ?? "")),
        h("td", null, day(r.birth_date)?.seireki ?? r.birth_date ?? "",
          h("small", { class: "wareki" }, day(r.birth_date)?.wareki ?? "")),
        h("td", null, label("sex", r.sex)),
        h("td", { class: "mono" }, r.insurer_number ?? "", h("small", { lang: "ja" }, r.insurer_name ?? "")),
        h("td", { class: "mono" }, [r.symbol, r.number].filter(Boolean).join("・") + (r.branch ? ` (${r.branch})` : "")),
        h("td", null, `${day(r.qualified_from)?.seireki ?? ""} – ${r.qualified_until ? day(r.qualified_until)?.seireki : t("case.current")}`,
          h("small", { class: r.valid_in_service_month ? "validity valid" : "validity invalid" },
            r.valid_in_service_month ? t("case.valid_in_month") : t("case.not_valid_in_month"))),
        h("td", null, canConfirm ? b : null));
    });
    const table = h("table", { class: "mini search-table" }, h("tbody", null, rows));
    table.addEventListener("keydown", (e) => {
      const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
      if (i < 0) return;
      const step = e.key === "ArrowDown" || e.key === "j" ? 1 : e.key === "ArrowUp" || e.key === "k" ? -1 : 0;
      if (step === 0) return;
      e.preventDefault();
      buttons[Math.max(0, Math.min(buttons.length - 1, i + step))]?.focus();
    });
    replace(results, h("p", null, t("search.results", { count: num(list.length) })),
      truncated ? h("p", { class: "hint" }, t("search.truncated")) : null, table);
    buttons[0]?.focus();
  };

  const form = h("form", { class: "search-form", onsubmit: (e: Event) => { e.preventDefault(); void run(); } },
    kanaL, kanjiL, bdL, memL, insL,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("search.submit")),
      h("button", { type: "button", onclick: () => dlg.close("") }, t("search.close"))));
  const dlg = openDialog({ title: t("search.title"), content: [form, results], className: "dlg-search" });
  kana.focus();
  kana.select();
}
