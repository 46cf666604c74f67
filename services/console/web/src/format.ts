// Numbers and dates for the reader's locale; 和暦 beside 西暦 for dates and months.
import { locale, t } from "./messages";

function tag(): string {
  return locale() === "en" ? "en-GB" : "ja-JP";
}

export function num(n: number | string | undefined | null, digits = 0): string {
  if (n === undefined || n === null || n === "") return t("none");
  const v = typeof n === "string" ? Number(n) : n;
  if (!Number.isFinite(v)) return String(n);
  return new Intl.NumberFormat(tag(), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(v);
}

export function percent(p: number | undefined | null, digits = 1): string {
  if (p === undefined || p === null || !Number.isFinite(p)) return t("none");
  return new Intl.NumberFormat(tag(), {
    style: "percent",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(p);
}

/** A log2 weight with its sign: "+7.1", "−3.4". */
export function weight(w: number | undefined | null): string {
  if (w === undefined || w === null || !Number.isFinite(w)) return t("none");
  const body = num(Math.abs(w), 1);
  return (w < 0 ? "\u2212" : "+") + body;
}

/** Parses YYYYMMDD, YYYY-MM-DD or YYYYMM (day 1) into a UTC date; null if not a date. */
export function parseDay(s: string | undefined | null): Date | null {
  if (!s) return null;
  const m = /^(\d{4})-?(\d{2})(?:-?(\d{2}))?$/.exec(s);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1));
  return Number.isNaN(d.getTime()) ? null : d;
}

const kWarekiDay = new Intl.DateTimeFormat("ja-JP-u-ca-japanese", {
  era: "long",
  year: "numeric",
  month: "long",
  day: "numeric",
  timeZone: "UTC",
});
const kWarekiMonth = new Intl.DateTimeFormat("ja-JP-u-ca-japanese", {
  era: "long",
  year: "numeric",
  month: "long",
  timeZone: "UTC",
});

export function warekiDay(d: Date): string {
  return kWarekiDay.format(d);
}

export interface DualDate {
  seireki: string;
  wareki: string;
}

/** A day in the reader's locale and in 和暦, or null when `s` is not a day. */
export function day(s: string | undefined | null): DualDate | null {
  const d = parseDay(s);
  if (!d) return null;
  const seireki = new Intl.DateTimeFormat(tag(), {
    year: "numeric",
    month: locale() === "en" ? "short" : "long",
    day: "numeric",
    timeZone: "UTC",
  }).format(d);
  return { seireki, wareki: kWarekiDay.format(d) };
}

/** A service month YYYYMM in the reader's locale and in 和暦. */
export function month(s: string | undefined | null): DualDate | null {
  if (!s || !/^\d{6}$/.test(s)) return null;
  const d = parseDay(s);
  if (!d) return null;
  const seireki = new Intl.DateTimeFormat(tag(), {
    year: "numeric",
    month: locale() === "en" ? "short" : "long",
    timeZone: "UTC",
  }).format(d);
  return { seireki, wareki: kWarekiMonth.format(d) };
}

/** A timestamp (RFC 3339) as local date and time. */
export function dateTime(s: string | undefined | null): string {
  if (!s) return t("none");
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return new Intl.DateTimeFormat(tag(), { dateStyle: "medium", timeStyle: "short" }).format(d);
}

/** The local time of day (for claim expiry). */
export function time(s: string | undefined | null): string {
  if (!s) return t("none");
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return new Intl.DateTimeFormat(tag(), { timeStyle: "short" }).format(d);
}

/** "U+E0A1" for a code point. */
export function codePoint(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
}
