// Sign-in with a bearer token of the token file; the server answers with a session
// cookie and the CSRF token the console sends with every change.
import { ApiError, call, setCsrfToken } from "../api";
import { h, replace } from "../dom";
import { t } from "../messages";
import { setSession } from "../state";
import type { Session } from "../types";
import type { View } from "./view";

export function renderSignin(root: HTMLElement, message: string, onDone: () => void): View {
  const token = h("input", {
    id: "token",
    name: "token",
    type: "password",
    autocomplete: "current-password",
    required: true,
    spellcheck: "false",
  });
  const status = h("p", { class: "form-error", role: "alert" }, message);
  const form = h(
    "form",
    {
      class: "signin",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        status.textContent = "";
        try {
          const s = await call<Session>("POST", "/api/v1/session", { token: token.value.trim() },
            { quiet401: true });
          if (!s) throw new ApiError(500, "INTERNAL", "empty answer");
          setSession(s);
          setCsrfToken(s.csrf_token);
          token.value = "";
          onDone();
        } catch (err) {
          const code = err instanceof ApiError ? err.status : 0;
          status.textContent = code === 401 ? t("signin.unknown")
            : code === 403 ? t("signin.forbidden")
            : code === 0 ? t("error.network")
            : t("error.generic", { message: (err as Error).message });
          token.select();
        }
      },
    },
    h("h1", null, t("signin.heading")),
    h("p", null, t("signin.lead")),
    h("label", { for: "token" }, t("signin.token")),
    token,
    h("button", { type: "submit", class: "primary" }, t("signin.submit")),
    status,
  );
  replace(root, h("div", { class: "signin-wrap" }, form));
  token.focus();
  return {};
}
