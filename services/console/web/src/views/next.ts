// "Next case": the server claims the next unclaimed case of the current filter, passing
// over the cases skipped in this sitting.
import { call } from "../api";
import { notify } from "../dialog";
import { t } from "../messages";
import { lastFilter, skipped } from "../state";
import type { Claim } from "../types";
import { errorText } from "./errors";
import { caseHash, go } from "./view";

export async function nextCase(): Promise<void> {
  try {
    const r = await call<{ receipt_id: string; claim: Claim }>("POST", "/api/v1/queue/next", {
      ...lastFilter(),
      skip: skipped(),
    });
    if (!r) {
      notify(t("queue.queue_empty"));
      go("#/queue");
      return;
    }
    go(caseHash(r.receipt_id));
  } catch (e) {
    notify(errorText(e), "error");
  }
}
