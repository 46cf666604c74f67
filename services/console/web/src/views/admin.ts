// Admin pages (role admin): cases by state and by day, reviewers' throughput and
// agreement, the roster and model in service, rematch progress, one case's audit trail.
import { get } from "../api";
import { barChart, stackedColumns } from "../charts";
import { h, replace } from "../dom";
import { dateTime, num, percent } from "../format";
import { label, t } from "../messages";
import { hasRole } from "../state";
import type { AuditRecord, Overview } from "../types";
import { kStates } from "../types";
import { showError } from "./errors";
import { caseHash, go, type RouteArgs, type View } from "./view";

function dl(entries: [string, string | Node][]): HTMLElement {
  return h("dl", { class: "facts" }, entries.map(([k, v]) => [h("dt", null, k), h("dd", null, v)]));
}

function auditForm(value = ""): HTMLElement {
  const input = h("input", { id: "audit-id", type: "text", value, autocomplete: "off", required: true });
  return h("form", { class: "inline-form", onsubmit: (e: Event) => {
    e.preventDefault();
    go(`#/admin/audit/${encodeURIComponent(input.value.trim())}`);
  } }, h("label", { for: "audit-id" }, t("queue.col.receipt")), input,
  h("button", { type: "submit" }, t("admin.audit_open")));
}

function overviewSections(o: Overview): HTMLElement[] {
  const byState = kStates.map((st) => [label("state", st), o.counts_by_state?.[st] ?? 0] as [string, number]);
  const days = (o.cases_by_day ?? []).slice(-60);
  const series = [t("admin.col.auto_resolved"), t("admin.col.confirmed"), t("admin.col.rejected")];
  const r = o.rematch;
  const total = Number(r?.total ?? 0), examined = Number(r?.examined ?? 0);
  return [
    h("section", { class: "panel", "aria-labelledby": "a-state" }, h("h2", { id: "a-state" }, t("admin.by_state")),
      barChart(byState, "by-state")),
    h("section", { class: "panel wide", "aria-labelledby": "a-day" }, h("h2", { id: "a-day" }, t("admin.by_day")),
      stackedColumns(days.map((d) => ({ date: d.date, values: [d.auto_resolved ?? 0, d.confirmed ?? 0, d.rejected ?? 0] })), series),
      h("p", { class: "legend" }, series.map((s, i) => h("span", { class: `key series-${i}` }, s))),
      h("details", null, h("summary", null, t("admin.col.date")), h("table", { class: "mini" },
        h("thead", null, h("tr", null, ["admin.col.date", "admin.col.created", "admin.col.auto_resolved",
          "admin.col.confirmed", "admin.col.rejected"].map((k) => h("th", { scope: "col" }, t(k as Parameters<typeof t>[0]))))),
        h("tbody", null, days.map((d) => h("tr", null, h("td", null, d.date), h("td", { class: "num" }, num(d.created)),
          h("td", { class: "num" }, num(d.auto_resolved)), h("td", { class: "num" }, num(d.confirmed)),
          h("td", { class: "num" }, num(d.rejected)))))))),
    h("section", { class: "panel wide", "aria-labelledby": "a-rev" }, h("h2", { id: "a-rev" }, t("admin.reviewers")),
      h("table", { class: "mini" },
        h("thead", null, h("tr", null, ["admin.col.subject", "admin.col.decisions", "admin.col.confirmed",
          "admin.col.rejected", "admin.col.reopened", "admin.col.agreement"].map((k, i) =>
          h("th", { scope: "col", class: i ? "num" : null }, t(k as Parameters<typeof t>[0]))))),
        h("tbody", null, (o.reviewers ?? []).map((rv) => h("tr", null, h("td", { class: "mono" }, rv.subject),
          h("td", { class: "num" }, num(rv.decisions)), h("td", { class: "num" }, num(rv.confirmed)),
          h("td", { class: "num" }, num(rv.rejected)), h("td", { class: "num" }, num(rv.reopened)),
          h("td", { class: "num" }, percent(rv.agreement))))))),
    h("section", { class: "panel", "aria-labelledby": "a-roster" }, h("h2", { id: "a-roster" }, t("admin.roster")),
      dl([[t("admin.roster.version"), h("span", { class: "mono" }, o.roster?.version || t("none"))],
        [t("admin.roster.rows"), num(o.roster?.counts?.["rows"])],
        [t("admin.roster.persons"), num(o.roster?.counts?.["persons"])],
        [t("admin.roster.insurers"), num(o.roster?.counts?.["insurers"])],
        [t("admin.roster.loaded_at"), dateTime(o.roster?.loaded_at)],
        [t("admin.roster.snapshot"), o.roster?.snapshot_path || t("none")],
        [t("admin.roster.deltas"), num(o.roster?.delta_paths?.length ?? 0)],
        [t("admin.roster.directory"), o.roster?.directory_version || t("none")]])),
    h("section", { class: "panel", "aria-labelledby": "a-model" }, h("h2", { id: "a-model" }, t("admin.model")),
      dl([[t("admin.model.version"), h("span", { class: "mono" }, o.model?.version || t("none"))],
        [t("admin.model.source"), o.model?.source || t("none")],
        [t("admin.model.fitted_at"), dateTime(o.model?.fitted_at)],
        [t("admin.model.labelled_pairs"), num(o.model?.labelled_pairs)]])),
    h("section", { class: "panel", "aria-labelledby": "a-rematch" }, h("h2", { id: "a-rematch" }, t("admin.rematch")),
      r ? [h("progress", { max: Math.max(1, total), value: examined, "aria-label": t("admin.rematch") }),
        h("p", null, label("rematch", r.state), " ", t("admin.rematch.progress", { examined: num(examined),
          total: num(total), resolved: num(r.resolved), changed: num(r.changed), errors: num(r.errors) })),
        r.message ? h("p", { class: "hint" }, r.message) : null]
        : h("p", null, t("admin.rematch_none"))),
    h("section", { class: "panel", "aria-labelledby": "a-audit" }, h("h2", { id: "a-audit" }, t("admin.audit")),
      auditForm()),
  ];
}

export async function renderAdmin({ root, parts }: RouteArgs): Promise<View> {
  const keys = { q: () => go("#/queue") };
  if (!hasRole("admin")) {
    replace(root, h("p", { class: "page-error", role: "alert" }, t("admin.forbidden")));
    return { keys };
  }
  replace(root, h("p", { class: "loading" }, t("loading")));
  if (parts[1] === "audit" && parts[2]) {
    await renderAudit(root, decodeURIComponent(parts[2]));
    return { keys };
  }
  try {
    const o = await get<Overview>("/api/v1/admin/overview");
    replace(root, h("h1", null, t("admin.heading")), h("div", { class: "admin-grid" }, overviewSections(o ?? {})));
  } catch (e) {
    showError(root, e);
  }
  return { keys };
}

async function renderAudit(root: HTMLElement, id: string): Promise<void> {
  try {
    const r = await get<{ records: AuditRecord[] }>(`/api/v1/cases/${encodeURIComponent(id)}/audit`);
    const records = r?.records ?? [];
    replace(root,
      h("p", null, h("a", { href: "#/admin" }, t("admin.heading")), " · ",
        h("a", { href: caseHash(id) }, id)),
      h("h1", null, t("admin.audit_heading", { id })), auditForm(id),
      h("table", { class: "mini audit" },
        h("thead", null, h("tr", null, ["admin.col.at", "admin.col.actor", "admin.col.role", "admin.col.action",
          "admin.col.versions", "admin.col.request", "admin.col.detail"].map((k) =>
          h("th", { scope: "col" }, t(k as Parameters<typeof t>[0]))))),
        h("tbody", null, records.map((a) => h("tr", null, h("td", null, dateTime(a.at)),
          h("td", { class: "mono" }, a.actor ?? ""), h("td", null, a.role ?? ""),
          h("td", null, label("action", a.action)),
          h("td", { class: "num" }, `${a.version_before ?? "0"} → ${a.version_after ?? "0"}`),
          h("td", { class: "mono" }, a.request_id ?? ""), h("td", null, a.detail ?? ""))))));
  } catch (e) {
    showError(root, e, id);
  }
}
