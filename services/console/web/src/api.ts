// Calls to the console's JSON API: same-origin cookie session, the CSRF header on every
// mutation, errors as ApiError with the server's code. A 401 outside sign-in hands
// control to the handler set by the shell (back to the sign-in page, keeping the URL).
import type { ApiErrorBody } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: ApiErrorBody = {},
  ) {
    super(message);
  }
  get field(): string | undefined {
    return this.body.error?.field;
  }
}

let csrfToken = "";
let onUnauthenticated: (() => void) | null = null;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

export interface CallOptions {
  /** Let the request outlive the page (releasing a claim on leaving). */
  keepalive?: boolean;
  /** Do not hand a 401 to the sign-in handler (the sign-in call itself). */
  quiet401?: boolean;
}

/** Calls `method path` with a JSON body; resolves to the parsed body, or null for 204. */
export async function call<T>(
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
  opts: CallOptions = {},
): Promise<T | null> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      keepalive: opts.keepalive === true,
    });
  } catch (e) {
    throw new ApiError(0, "NETWORK", e instanceof Error ? e.message : String(e));
  }
  if (res.status === 204) return null;
  let parsed: unknown = null;
  const text = await res.text();
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!res.ok) {
    const b = (parsed ?? {}) as ApiErrorBody;
    const err = new ApiError(
      res.status,
      b.error?.code ?? String(res.status),
      b.error?.message ?? res.statusText,
      b,
    );
    if (res.status === 401 && !opts.quiet401 && onUnauthenticated) onUnauthenticated();
    throw err;
  }
  return parsed as T;
}

export function get<T>(path: string): Promise<T | null> {
  return call<T>("GET", path);
}

/** A fresh idempotency key for one decision. */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A query string from the non-empty values; arrays become comma-separated. */
export function query(params: Record<string, string | string[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    const s = Array.isArray(v) ? v.join(",") : v;
    if (s !== "") q.set(k, s);
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
