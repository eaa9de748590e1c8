// One audit entry in full: who, what, on which object, the outcome, and the changed fields
// old → new (secrets are already "***" in the trail itself).
import { fill, h } from "./dom.js";
import { actionLabel, localTime, t } from "./i18n.js";

/** The unit of a path ("/49/502/20335/") by name when the user's units include it. */
export function unitName(context, path) {
  if (!path) return "";
  const code = path.split("/").filter(Boolean).pop();
  const name = context.units.get(code);
  return name ? `${name.trim()} (${code})` : code;
}

function shown(value) {
  if (value === null || value === undefined) return "—";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function changes(entry) {
  const items = Object.entries(entry.changes || {});
  if (!items.length) return h("p", { class: "empty" }, t("entry.noChanges"));
  return h("table", { class: "changes" },
    h("thead", {}, h("tr", {}, h("th", {}, t("entry.field")), h("th", {}, t("entry.old")),
      h("th", {}, ""), h("th", {}, t("entry.new")))),
    h("tbody", {}, items.map(([name, pair]) => {
      const [before, after] = Array.isArray(pair) ? pair : [null, pair];
      return h("tr", {}, h("th", { scope: "row" }, name), h("td", { class: "old" }, shown(before)),
        h("td", { class: "arrow" }, "→"), h("td", { class: "new" }, shown(after)));
    })));
}

export function showEntry(context, entry) {
  let dialog = document.getElementById("entry");
  if (!dialog) {
    dialog = h("dialog", { id: "entry", "aria-labelledby": "entry-title" });
    document.body.append(dialog);
  }
  const facts = [
    ["entry.seq", entry.seq],
    ["entry.at", localTime(entry.at)],
    ["entry.actor", entry.actor.username || "—"],
    ["entry.kind", entry.actor.kind],
    ["entry.roles", entry.actor.roles],
    ["entry.action", actionLabel(entry.action)],
    ["entry.object", [entry.objectType, entry.objectId].filter(Boolean).join(" ")],
    ["entry.unit", unitName(context, entry.unitPath)],
    ["entry.outcome", t(`outcome.${entry.outcome}`)],
    ["entry.reason", entry.reason],
    ["entry.operation", entry.operationName],
    ["entry.request", entry.requestId],
    ["entry.address", entry.clientAddress],
    ["entry.occurrences", entry.occurrences > 1 ? entry.occurrences : null],
  ].filter(([, value]) => value !== null && value !== undefined && value !== "");
  const dossier = entry.objectType === "Dossier" && entry.objectId
    ? h("p", {}, h("a", { href: `#/dossier/${encodeURIComponent(entry.objectId)}`,
      onclick: () => dialog.close() }, t("entry.dossier", { code: entry.objectId })))
    : null;
  fill(dialog,
    h("h2", { id: "entry-title" }, t("entry.title", { id: entry.id })),
    h("dl", { class: "facts" }, facts.map(([key, value]) => [h("dt", {}, t(key)), h("dd", {}, String(value))])),
    h("h3", {}, t("entry.changes")),
    changes(entry),
    dossier,
    h("button", { type: "button", id: "close-entry", onclick: () => dialog.close() }, t("close")));
  dialog.showModal();
}
