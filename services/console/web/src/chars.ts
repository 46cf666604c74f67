// Names character by character: placeholders (● 〓 ■), private-use 外字, variation
// sequences and folded forms are highlighted where they stand, with the other side's
// character or the folded form above them (ruby), and an explanation collected for the
// list under the comparison.
import { cls, h } from "./dom";
import { codePoint } from "./format";
import { t } from "./messages";
import type { Char } from "./types";

/** Explanations collected while rendering, deduplicated, in order of appearance. */
export type Notes = Map<string, string>;

function annotated(base: Node | string, above: string | undefined, klass: string,
  note: string): HTMLElement {
  const ruby = above
    ? h("ruby", null, base, h("rp", null, "("), h("rt", null, above), h("rp", null, ")"))
    : base;
  return h("mark", { class: `ch ${klass}`, title: note }, ruby);
}

function selectorOf(text: string): string {
  const cps = Array.from(text);
  return cps.length > 1 ? codePoint(cps[cps.length - 1]!) : "";
}

function charNode(c: Char, notes: Notes | null): Node {
  const kind = c.kind ?? "plain";
  const add = (text: string): string => {
    notes?.set(text, text);
    return text;
  };
  switch (kind) {
    case "wildcard": {
      const note = add(c.against
        ? t("char.wildcard_against", { ch: c.text, against: c.against })
        : t("char.wildcard", { ch: c.text }));
      return annotated(c.text, c.against, "ch-wild", note);
    }
    case "gaiji": {
      const code = codePoint(c.text);
      const note = add(c.against
        ? t("char.gaiji_against", { code, against: c.against })
        : t("char.gaiji", { code }));
      const box = h("span", { class: "gaiji-box", "aria-label": code }, code);
      return annotated(box, c.against, "ch-gaiji", note);
    }
    case "ivs": {
      const note = add(t("char.ivs", {
        ch: c.text, code: selectorOf(c.text), folded: c.folded ?? c.text }));
      return annotated(c.text, undefined, "ch-ivs", note);
    }
    case "variant": {
      const note = add(t("char.variant", { ch: c.text, folded: c.folded ?? "" }));
      return annotated(c.text, c.folded, "ch-variant", note);
    }
    case "kana_fold": {
      const note = add(t("char.kana_fold", { ch: c.text, folded: c.folded ?? "" }));
      return annotated(c.text, c.folded, "ch-kana", note);
    }
    default:
      if (c.against) {
        // The candidate's character where the receipt has a placeholder.
        return h("mark", { class: "ch ch-at", title: t("case.against", { ch: c.text }) }, c.text);
      }
      return document.createTextNode(c.text);
  }
}

/** A name as a span of characters; plain runs are merged into one text node. */
export function renderName(chars: Char[] | undefined, notes: Notes | null,
  extraClass = ""): HTMLElement {
  const span = h("span", { class: cls("name", extraClass), lang: "ja" });
  let run = "";
  for (const c of chars ?? []) {
    if ((c.kind ?? "plain") === "plain" && !c.against) {
      run += c.text;
      continue;
    }
    if (run) span.appendChild(document.createTextNode(run));
    run = "";
    span.appendChild(charNode(c, notes));
  }
  if (run) span.appendChild(document.createTextNode(run));
  return span;
}

/** The plain text of a name (for labels). */
export function nameText(chars: Char[] | undefined): string {
  return (chars ?? []).map((c) => c.text).join("");
}
