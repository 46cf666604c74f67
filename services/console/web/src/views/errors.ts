// Turning API errors into words for the reader.
import { ApiError } from "../api";
import { h, replace } from "../dom";
import { t } from "../messages";

export function errorText(e: unknown, id = ""): string {
  if (!(e instanceof ApiError)) return t("error.generic", { message: String(e) });
  if (e.status === 0) return t("error.network");
  if (e.code === "CSRF") return t("error.csrf");
  if (e.status === 403) return t("error.forbidden");
  if (e.status === 404 && id) return t("error.not_found", { id });
  if (e.status === 413) return t("error.too_large");
  if (e.status === 429 || e.status === 503) return t("error.busy");
  return t("error.generic", { message: e.message + (e.field ? ` (${e.field})` : "") });
}

/** Replaces the screen with an error (the 401 case is already handled by the shell). */
export function showError(root: HTMLElement, e: unknown, id = ""): void {
  if (e instanceof ApiError && e.status === 401) return;
  replace(root, h("p", { class: "page-error", role: "alert" }, errorText(e, id)));
}
