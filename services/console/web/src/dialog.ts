// Modal dialogs on the native <dialog> element: focus moves in and back, the rest of the
// page is inert, Esc closes. A live region carries short notices.
import { type Child, h } from "./dom";
import { t } from "./messages";

let dialogCount = 0;

export interface DialogOptions {
  title: string;
  content: Child[];
  className?: string;
  /** Called once with the dialog's return value ("" when closed by Esc). */
  onClose?: (value: string) => void;
}

export function openDialog(opts: DialogOptions): HTMLDialogElement {
  const id = `dlg-title-${++dialogCount}`;
  const before = document.activeElement;
  const dlg = h(
    "dialog",
    { class: `dlg ${opts.className ?? ""}`, "aria-labelledby": id },
    h("h2", { id }, opts.title),
    opts.content,
  );
  dlg.addEventListener("close", () => {
    dlg.remove();
    if (before instanceof HTMLElement && before.isConnected) before.focus();
    opts.onClose?.(dlg.returnValue);
  });
  document.body.appendChild(dlg);
  dlg.showModal();
  return dlg;
}

/**
 * Asks for an optional reason: Enter submits (an empty reason is fine), Esc cancels.
 * Resolves to the reason, or null when cancelled.
 */
export function promptReason(title: string, detail: Child[] = []): Promise<string | null> {
  return new Promise((resolve) => {
    let result: string | null = null;
    const input = h("input", {
      type: "text",
      name: "reason",
      class: "reason-input",
      maxlength: 500,
      autocomplete: "off",
      "aria-describedby": "reason-hint",
    });
    const form = h(
      "form",
      {
        class: "reason-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          result = input.value.trim();
          dlg.close("ok");
        },
      },
      detail,
      h("label", null, t("decision.reason"), input),
      h("p", { id: "reason-hint", class: "hint" }, t("decision.reason_hint")),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", class: "primary" }, t("decision.submit")),
        h("button", { type: "button", onclick: () => dlg.close("") }, t("decision.cancel")),
      ),
    );
    const dlg = openDialog({
      title,
      content: [form],
      className: "dlg-reason",
      onClose: () => resolve(result),
    });
    input.focus();
  });
}

/** A message with one button; resolves when closed. */
export function showMessage(title: string, content: Child[], className = ""): Promise<void> {
  return new Promise((resolve) => {
    const ok = h("button", { type: "button", class: "primary", onclick: () => dlg.close("ok") },
      t("conflict.ok"));
    const dlg = openDialog({
      title,
      content: [content, h("div", { class: "actions" }, ok)],
      className,
      onClose: () => resolve(),
    });
    ok.focus();
  });
}

let noticeTimer: number | undefined;

/** A short notice in the page's live region (read out by screen readers). */
export function notify(text: string, kind: "info" | "error" = "info"): void {
  const region = document.getElementById("notice");
  if (!region) return;
  region.className = `notice ${kind}`;
  region.textContent = text;
  window.clearTimeout(noticeTimer);
  noticeTimer = window.setTimeout(() => {
    region.textContent = "";
    region.className = "notice";
  }, kind === "error" ? 12000 : 6000);
}
