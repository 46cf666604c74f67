// The console's shell: session recovery, the top bar, the router over location.hash,
// and the keys that work everywhere.
import { ApiError, call, get, setCsrfToken, setUnauthenticatedHandler } from "./api";
import { notify, openDialog } from "./dialog";
import { h, replace } from "./dom";
import { installKeyboard, keyHelpContent, setGlobalKeys, setScreenKeys } from "./keys";
import { locale, setLocale, t } from "./messages";
import { blind, clearSitting, currentSession, hasRole, setBlind, setSession } from "./state";
import type { Session } from "./types";
import { renderAdmin } from "./views/admin";
import { renderCase } from "./views/case";
import { undoLast } from "./views/decide";
import { renderQueue } from "./views/queue";
import { renderSignin } from "./views/signin";
import type { RouteArgs, View } from "./views/view";

let current: View = {};
let signinMessage = "";

function main(): HTMLElement {
  return document.getElementById("main") as HTMLElement;
}

function showHelp(): void {
  const close = h("button", { type: "button", onclick: () => dlg.close("") }, t("help.close"));
  const dlg = openDialog({ title: t("help.title"), content: [keyHelpContent(), h("div", { class: "actions" }, close)],
    className: "dlg-help" });
  close.focus();
}

function toggleBlind(): void {
  setBlind(!blind());
  renderTopBar();
}

function renderTopBar(): void {
  const bar = document.getElementById("top") as HTMLElement;
  const s = currentSession();
  document.title = t("app.title");
  const langButton = h("button", { type: "button", class: "link", lang: locale() === "ja" ? "en" : "ja",
    "aria-label": t("nav.language_aria"), onclick: () => {
      setLocale(locale() === "ja" ? "en" : "ja");
      renderTopBar();
      void route();
    } }, t("nav.language"));
  if (!s) {
    replace(bar, h("span", { class: "brand" }, t("app.title")), h("span", { class: "spacer" }), langButton);
    return;
  }
  replace(bar,
    h("a", { class: "skip", href: "#main", onclick: (e: Event) => { e.preventDefault(); main().focus(); } },
      t("app.skip_to_main")),
    h("span", { class: "brand" }, t("app.title")),
    h("nav", { "aria-label": t("app.title") },
      h("a", { href: "#/queue" }, t("nav.queue")),
      hasRole("admin") ? h("a", { href: "#/admin" }, t("nav.admin")) : null),
    h("span", { class: "spacer" }),
    h("button", { type: "button", class: "toggle", "aria-pressed": blind() ? "true" : "false",
      "aria-label": t("nav.blind_aria"), onclick: toggleBlind }, t("nav.blind"), h("kbd", null, "b")),
    h("button", { type: "button", class: "link", onclick: showHelp }, t("nav.keys")),
    langButton,
    h("span", { class: "who", title: t("nav.signed_in_as", { subject: s.subject }) }, s.subject),
    h("button", { type: "button", class: "link", onclick: () => void signOut() }, t("nav.signout")));
}

async function signOut(): Promise<void> {
  current.leave?.();
  current = {};
  try {
    await call("DELETE", "/api/v1/session");
  } catch {
    // The session is gone either way.
  }
  setSession(null);
  setCsrfToken("");
  clearSitting();
  signinMessage = t("signin.signed_out");
  location.hash = "#/queue";
  showSignin();
}

function showSignin(): void {
  current.leave?.();
  current = {};
  setScreenKeys({});
  renderTopBar();
  main().setAttribute("aria-busy", "false");
  current = renderSignin(main(), signinMessage, () => {
    signinMessage = "";
    renderTopBar();
    void route();
  });
}

let generation = 0;

/**
 * Renders the screen of location.hash into a fresh container. A screen that finishes
 * loading after the reader has moved on is left at once and never shown. #main is
 * aria-busy while a screen loads; the screen's container names its route (data-route)
 * once its keys work, so assistive technology and tests can tell which screen is ready.
 */
async function route(): Promise<void> {
  const mine = ++generation;
  current.leave?.();
  current = {};
  setScreenKeys({});
  if (!currentSession()) {
    showSignin();
    return;
  }
  const hash = location.hash;
  const [path, q] = hash.replace(/^#\/?/, "").split("?", 2) as [string, string | undefined];
  const parts = path.split("/").filter((p) => p !== "");
  const root = h("div", { class: `screen screen-${parts[0] ?? "queue"}` });
  main().setAttribute("aria-busy", "true");
  replace(main(), root);
  const args: RouteArgs = { root, parts, params: new URLSearchParams(q ?? "") };
  const render = parts[0] === "case" ? renderCase : parts[0] === "admin" ? renderAdmin : renderQueue;
  const view = await render(args);
  if (mine !== generation) {
    view.leave?.();
    return;
  }
  current = view;
  setScreenKeys(view.keys ?? {});
  root.dataset["route"] = hash;
  main().setAttribute("aria-busy", "false");
}

async function boot(): Promise<void> {
  setLocale(locale());
  document.body.classList.toggle("blind", blind());
  installKeyboard();
  setGlobalKeys({
    "?": showHelp,
    b: toggleBlind,
    u: () => void undoLast(null),
  });
  setUnauthenticatedHandler(() => {
    if (!currentSession()) return;
    setSession(null);
    signinMessage = t("signin.expired");
    showSignin();
  });
  window.addEventListener("hashchange", () => void route());
  try {
    const s = await get<Session>("/api/v1/session");
    if (s) {
      setSession(s);
      setCsrfToken(s.csrf_token);
    }
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) notify(t("error.network"), "error");
  }
  renderTopBar();
  await route();
}

void boot();
