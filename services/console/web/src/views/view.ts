import type { KeyMap } from "../keys";

// What a screen gives the shell: its keys, and a way to clean up when the reader leaves.
export interface View {
  keys?: KeyMap;
  /** Stops timers, releases claims; called before the next screen renders. */
  leave?: () => void;
}

export interface RouteArgs {
  root: HTMLElement;
  parts: string[];
  params: URLSearchParams;
}

/** Navigates to a route inside the console ("#/case/R1"). */
export function go(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

export function caseHash(id: string): string {
  return `#/case/${encodeURIComponent(id)}`;
}
