// Keyboard first: one keydown listener for the page. A screen installs its keys; a few
// keys work everywhere. Keys are ignored while typing in a field (Esc leaves the field)
// and while a dialog is open (the dialog handles its own keys; Esc closes it).
import { h } from "./dom";
import type { MsgKey } from "./messages";
import { t } from "./messages";

export type KeyMap = Record<string, (e: KeyboardEvent) => void>;

let screenKeys: KeyMap = {};
let globalKeys: KeyMap = {};

export function setScreenKeys(m: KeyMap): void {
  screenKeys = m;
}

export function setGlobalKeys(m: KeyMap): void {
  globalKeys = m;
}

function typing(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable) return true;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement) {
    return !["checkbox", "radio", "button", "submit", "reset"].includes(el.type);
  }
  return false;
}

function onKeyDown(e: KeyboardEvent): void {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  if (document.querySelector("dialog[open]")) return;
  if (typing(e.target)) {
    if (e.key === "Escape" && e.target instanceof HTMLElement) e.target.blur();
    return;
  }
  const target = e.target;
  if (
    (e.key === "Enter" || e.key === " ") &&
    (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement ||
      target instanceof HTMLInputElement)
  ) {
    return;  // the focused control's own activation
  }
  const fn = screenKeys[e.key] ?? globalKeys[e.key];
  if (!fn) return;
  e.preventDefault();
  fn(e);
}

export function installKeyboard(): void {
  document.addEventListener("keydown", onKeyDown);
}

/** The keys help: [keys, what they do] by section. */
export const kKeyHelp: { section: MsgKey; keys: [string, MsgKey][] }[] = [
  {
    section: "help.case",
    keys: [
      ["1 – 5", "key.confirm"],
      ["n", "key.no_match"],
      ["s", "key.skip"],
      ["u", "key.undo"],
      ["r", "key.reopen"],
      ["j / k", "key.move_candidate"],
      ["/", "key.search"],
      ["q", "key.back"],
      ["Enter", "key.enter_reason"],
    ],
  },
  {
    section: "help.queue",
    keys: [
      ["j / k", "key.move_row"],
      ["Enter", "key.open_row"],
      ["n", "key.next_case"],
      ["/", "key.filter"],
      ["u", "key.undo"],
    ],
  },
  {
    section: "help.global",
    keys: [
      ["b", "key.blind"],
      ["?", "key.help"],
      ["Esc", "key.escape"],
    ],
  },
];

export function keyHelpContent(): HTMLElement {
  return h(
    "div",
    { class: "keyhelp" },
    kKeyHelp.map((sec) =>
      h(
        "section",
        null,
        h("h3", null, t(sec.section)),
        h(
          "dl",
          null,
          sec.keys.map(([k, what]) => [h("dt", null, h("kbd", null, k)), h("dd", null, t(what))]),
        ),
      ),
    ),
  );
}
