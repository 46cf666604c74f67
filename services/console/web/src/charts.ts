// Charts as SVG elements built node by node (text as text nodes, no canvas): the evidence
// waterfall, the enrollment timeline, and the admin pages' bars.
import { s } from "./dom";
import { day, month, num, parseDay, percent, weight } from "./format";
import { label, t } from "./messages";
import type { EnrollmentRow, Waterfall } from "./types";

interface Step {
  name: string;
  title: string;
  from: number;
  to: number;
  klass: string;
}

/** Splink's waterfall: the prior, one floating bar per field, the total. */
export function waterfallChart(wf: Waterfall): SVGSVGElement {
  const steps: Step[] = [];
  steps.push({ name: t("case.prior"), title: `${t("case.prior")} ${weight(wf.prior)}`,
    from: 0, to: wf.prior, klass: "wf-prior" });
  let cum = wf.prior;
  for (const b of wf.bars) {
    const name = label("field", b.field);
    steps.push({
      name,
      title: `${name}: ${label("level", b.level)} ${weight(b.weight)}`,
      from: cum,
      to: cum + b.weight,
      klass: b.weight >= 0 ? "wf-pos" : "wf-neg",
    });
    cum += b.weight;
  }
  steps.push({ name: t("case.total"), title: `${t("case.total")} ${weight(wf.total)}`,
    from: 0, to: wf.total, klass: "wf-total" });

  const W = 540, H = 240, top = 28, bottom = 56, left = 40, right = 8;
  const plotW = W - left - right, plotH = H - top - bottom;
  const values = steps.flatMap((st) => [st.from, st.to]).concat([0]);
  let lo = Math.min(...values), hi = Math.max(...values);
  if (hi - lo < 1) hi = lo + 1;
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const y = (v: number): number => top + ((hi - v) / (hi - lo)) * plotH;
  const slot = plotW / steps.length;
  const bw = Math.min(44, slot * 0.68);

  const svg = s("svg", {
    class: "chart waterfall",
    viewBox: `0 0 ${W} ${H}`,
    role: "img",
    "aria-label": `${t("case.waterfall")}: ${t("case.total")} ${weight(wf.total)}, ` +
      `${t("case.probability")} ${percent(wf.probability)}`,
  });
  const step = Math.max(1, Math.round((hi - lo) / 5));
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
    svg.appendChild(s("line", { class: v === 0 ? "axis-zero" : "grid", x1: left, x2: W - right,
      y1: y(v), y2: y(v) }));
    svg.appendChild(s("text", { class: "tick", x: left - 4, y: y(v) + 4, "text-anchor": "end" },
      String(v)));
  }
  steps.forEach((st, i) => {
    const cx = left + slot * i + slot / 2;
    const y1 = y(Math.max(st.from, st.to)), y2 = y(Math.min(st.from, st.to));
    svg.appendChild(s("rect", { class: `bar ${st.klass}`, x: cx - bw / 2, y: y1, width: bw,
      height: Math.max(1.5, y2 - y1) }, s("title", null, st.title)));
    const delta = st.to - st.from;
    const above = delta >= 0 || st.klass === "wf-total" || st.klass === "wf-prior";
    svg.appendChild(s("text", { class: "wf-val", x: cx, y: above && delta >= 0 ? y1 - 4 : y2 + 12,
      "text-anchor": "middle" }, weight(st.klass === "wf-total" || st.klass === "wf-prior" ?
        st.to : delta)));
    if (i + 1 < steps.length - 1) {
      svg.appendChild(s("line", { class: "wf-link", x1: cx + bw / 2, x2: cx + slot - bw / 2,
        y1: y(st.to), y2: y(st.to) }));
    }
    svg.appendChild(s("text", { class: "wf-name", x: cx, y: H - bottom + 16,
      "text-anchor": "end", transform: `rotate(-35 ${cx} ${H - bottom + 16})` }, st.name));
  });
  svg.appendChild(s("text", { class: "wf-prob", x: W - right, y: 16, "text-anchor": "end" },
    `${t("case.probability")} ${percent(wf.probability)}`));
  return svg;
}

const kDayMs = 86400000;

function addMonths(d: Date, n: number): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
}

/** The candidate person's enrollments on a time axis, the service month marked. */
export function timelineChart(rows: EnrollmentRow[], serviceMonth: string | undefined,
  today = new Date()): SVGSVGElement {
  const sm = parseDay(serviceMonth ?? "");
  const dates: number[] = [];
  for (const r of rows) {
    const f = parseDay(r.qualified_from);
    const u = parseDay(r.qualified_until);
    if (f) dates.push(f.getTime());
    dates.push((u ?? today).getTime());
  }
  if (sm) dates.push(sm.getTime());
  if (dates.length === 0) dates.push(today.getTime());
  const start = addMonths(new Date(Math.min(...dates)), -6);
  const end = addMonths(new Date(Math.max(...dates)), 7);

  const W = 600, labelW = 200, rowH = 30, top = 30, right = 12;
  const H = top + rows.length * rowH + 8;
  const span = Math.max(kDayMs, end.getTime() - start.getTime());
  const x = (d: Date): number => labelW + ((d.getTime() - start.getTime()) / span) *
    (W - labelW - right);
  const svg = s("svg", { class: "chart timeline", viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": t("case.enrollments") });

  const years = end.getUTCFullYear() - start.getUTCFullYear();
  const every = years > 24 ? 10 : years > 12 ? 5 : years > 6 ? 2 : 1;
  for (let yr = start.getUTCFullYear() + 1; yr <= end.getUTCFullYear(); yr++) {
    if (yr % every !== 0) continue;
    const d = new Date(Date.UTC(yr, 0, 1));
    svg.appendChild(s("line", { class: "grid", x1: x(d), x2: x(d), y1: top - 4, y2: H - 4 }));
    svg.appendChild(s("text", { class: "tick", x: x(d), y: top - 8, "text-anchor": "middle" },
      String(yr)));
  }
  rows.forEach((r, i) => {
    const yTop = top + i * rowH;
    const from = parseDay(r.qualified_from) ?? start;
    const until = parseDay(r.qualified_until);
    const x1 = x(from), x2 = x(until ?? end);
    const name = [r.insurer_number, r.insurer_name].filter(Boolean).join(" ");
    const member = [r.symbol, r.number].filter(Boolean).join("・") + (r.branch ? `-${r.branch}` : "");
    const period = `${day(r.qualified_from)?.seireki ?? "?"} – ${
      until ? day(r.qualified_until)?.seireki : t("case.current")}`;
    const validity = r.valid_in_service_month ? t("case.valid_in_month")
      : t("case.not_valid_in_month");
    const insurerName = r.insurer_name ?? "";
    svg.appendChild(s("text", { class: "tl-label", x: 4, y: yTop + 12 },
      `${r.insurer_number ?? ""}  ${member}`));
    svg.appendChild(s("text", { class: "tl-sub", x: 4, y: yTop + 24 },
      insurerName.length > 15 ? insurerName.slice(0, 14) + "…" : insurerName));
    const klass = ["bar", "tl-bar", r.is_candidate ? "tl-cand" : "",
      r.valid_in_service_month ? "tl-valid" : "", until ? "" : "tl-open"].join(" ");
    svg.appendChild(s("rect", { class: klass, x: x1, y: yTop + 5, width: Math.max(2, x2 - x1),
      height: rowH - 12, rx: 3 }, s("title", null, `${name} ${member}\n${period}\n${validity}`)));
  });
  if (sm) {
    const xs = x(sm);
    svg.appendChild(s("line", { class: "tl-month", x1: xs, x2: xs, y1: top - 2, y2: H - 2 }));
    svg.appendChild(s("text", { class: "tl-month-label", x: xs + 3, y: 10 },
      month(serviceMonth)?.seireki ?? ""));
  }
  return svg;
}

/** Horizontal bars, one per entry. */
export function barChart(entries: [string, number][], klass = ""): SVGSVGElement {
  const W = 640, rowH = 26, labelW = 130, right = 70;
  const H = entries.length * rowH + 4;
  const max = Math.max(1, ...entries.map(([, v]) => v));
  const svg = s("svg", { class: `chart bars ${klass}`, viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": entries.map(([k, v]) => `${k} ${num(v)}`).join(", ") });
  entries.forEach(([k, v], i) => {
    const y0 = i * rowH + 2;
    svg.appendChild(s("text", { class: "tick", x: labelW - 6, y: y0 + 15, "text-anchor": "end" }, k));
    const w = ((W - labelW - right) * v) / max;
    svg.appendChild(s("rect", { class: `bar bar-${i}`, x: labelW, y: y0 + 3, width: Math.max(1, w),
      height: rowH - 8 }));
    svg.appendChild(s("text", { class: "tick", x: labelW + w + 6, y: y0 + 15 }, num(v)));
  });
  return svg;
}

export interface DaySeries {
  date: string;
  values: number[];
}

/** Stacked columns by day (one colour per series), for the cases-by-day chart. */
export function stackedColumns(days: DaySeries[], series: string[]): SVGSVGElement {
  const W = 1200, H = 240, top = 10, bottom = 28, left = 48, right = 8;
  const plotW = W - left - right, plotH = H - top - bottom;
  const max = Math.max(1, ...days.map((d) => d.values.reduce((a, b) => a + b, 0)));
  const svg = s("svg", { class: "chart columns", viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": series.join(", ") });
  const slot = plotW / Math.max(1, days.length);
  const y = (v: number): number => top + plotH - (v / max) * plotH;
  svg.appendChild(s("line", { class: "axis-zero", x1: left, x2: W - right, y1: y(0), y2: y(0) }));
  svg.appendChild(s("text", { class: "tick", x: left - 4, y: y(max) + 4, "text-anchor": "end" },
    num(max)));
  days.forEach((d, i) => {
    let acc = 0;
    d.values.forEach((v, k) => {
      if (v <= 0) return;
      svg.appendChild(s("rect", { class: `bar series-${k}`, x: left + i * slot + 1, y: y(acc + v),
        width: Math.max(1, slot - 2), height: y(acc) - y(acc + v) },
        s("title", null, `${d.date} ${series[k]} ${num(v)}`)));
      acc += v;
    });
    if (days.length <= 16 || i % Math.ceil(days.length / 12) === 0) {
      svg.appendChild(s("text", { class: "tick", x: left + i * slot + slot / 2, y: H - 10,
        "text-anchor": "middle" }, d.date.slice(5)));
    }
  });
  return svg;
}
