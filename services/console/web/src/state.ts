// What the console remembers: preferences across visits (localStorage), the sitting's
// skip list and undo stack for this tab (sessionStorage), the session in memory.
import type { QueueFilter, Session } from "./types";

const kBlindKey = "kuromaru.console.blind";
const kSkipKey = "kuromaru.console.skip";
const kUndoKey = "kuromaru.console.undo";
const kFilterKey = "kuromaru.console.filter";

function read<T>(store: Storage, key: string, fallback: T): T {
  try {
    const v = store.getItem(key);
    return v === null ? fallback : (JSON.parse(v) as T);
  } catch {
    return fallback;
  }
}

function write(store: Storage, key: string, value: unknown): void {
  try {
    store.setItem(key, JSON.stringify(value));
  } catch {
    // Unavailable storage only loses the memory across reloads.
  }
}

let session: Session | null = null;

export function currentSession(): Session | null {
  return session;
}

export function setSession(s: Session | null): void {
  session = s;
}

export function hasRole(role: string): boolean {
  return session?.roles.includes(role) ?? false;
}

export function blind(): boolean {
  return read(localStorage, kBlindKey, false);
}

export function setBlind(on: boolean): void {
  write(localStorage, kBlindKey, on);
  document.body.classList.toggle("blind", on);
}

export function skipped(): string[] {
  return read<string[]>(sessionStorage, kSkipKey, []);
}

export function addSkipped(id: string): void {
  const list = skipped().filter((x) => x !== id);
  list.push(id);
  write(sessionStorage, kSkipKey, list.slice(-500));
}

/** A decision this reviewer made in this sitting, undoable by reopening that version. */
export interface UndoEntry {
  receipt_id: string;
  version: string;
  action: "confirm" | "no-match";
}

export function pushUndo(e: UndoEntry): void {
  const list = read<UndoEntry[]>(sessionStorage, kUndoKey, []);
  list.push(e);
  write(sessionStorage, kUndoKey, list.slice(-100));
}

export function popUndo(): UndoEntry | null {
  const list = read<UndoEntry[]>(sessionStorage, kUndoKey, []);
  const e = list.pop() ?? null;
  write(sessionStorage, kUndoKey, list);
  return e;
}

export function peekUndo(): UndoEntry | null {
  const list = read<UndoEntry[]>(sessionStorage, kUndoKey, []);
  return list[list.length - 1] ?? null;
}

export const kDefaultFilter: QueueFilter = {
  state: ["PENDING_REVIEW"],
  month_from: "",
  month_to: "",
  insurer: "",
  reason: "",
};

/** The queue filter last used, which "next case" and skip follow. */
export function lastFilter(): QueueFilter {
  return { ...kDefaultFilter, ...read<Partial<QueueFilter>>(sessionStorage, kFilterKey, {}) };
}

export function setLastFilter(f: QueueFilter): void {
  write(sessionStorage, kFilterKey, f);
}

export function clearSitting(): void {
  try {
    sessionStorage.removeItem(kSkipKey);
    sessionStorage.removeItem(kUndoKey);
  } catch {
    // Nothing to clear.
  }
}
