// Searching the audit trail: the filters live in the address (#/audit?actor=…&from=…), so a
// search can be bookmarked or sent to a colleague; pages follow the API's keyset cursors.
import { AUDIT_LOG, auditFilter, exportUrl } from "./api.js";
import { field, fill, h, select } from "./dom.js";
import { showEntry, unitName } from "./entry.js";
import { actionLabel, localTime, problem, t } from "./i18n.js";

const PAGE_SIZE = 25;
const FIELDS = ["actor", "action", "objectType", "objectId", "unitCode", "outcome", "from", "to"];

function filterForm(context, values) {
  const any = ["", t("filter.any")];
  const text = (name) => h("input", { name, value: values.get(name) || "", autocomplete: "off" });
  const date = (name) => h("input", { name, type: "date", value: values.get(name) || "" });
  return h("form", { class: "filters", id: "filters" },
    field(t("filter.actor"), text("actor")),
    field(t("filter.action"), select("action",
      [any, ...context.actions.map((a) => [a, actionLabel(a)])], values.get("action") || "")),
    field(t("filter.objectType"), text("objectType")),
    field(t("filter.objectId"), text("objectId")),
    field(t("filter.unit"), select("unitCode", [any, ...context.units], values.get("unitCode") || "")),
    field(t("filter.outcome"), select("outcome",
      [any, ...["ALLOWED", "DENIED", "ERROR"].map((o) => [o, t(`outcome.${o}`)])],
      values.get("outcome") || "")),
    field(t("filter.from"), date("from")),
    field(t("filter.to"), date("to")),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, t("search")),
      h("button", { type: "button", class: "secondary", id: "clear",
        onclick: () => { location.hash = "#/audit"; } }, t("clear")),
      h("button", { type: "button", class: "secondary", id: "export" }, t("export"))));
}

function row(context, entry) {
  const open = () => showEntry(context, entry);
  const object = [entry.objectType, entry.objectId].filter(Boolean).join(" ");
  return h("tr", { tabindex: 0, class: `outcome-${entry.outcome}`, dataset: { id: entry.id },
    onclick: open, onkeydown: (e) => { if (e.key === "Enter") open(); } },
  h("td", {}, localTime(entry.at)),
  h("td", {}, entry.actor.username || entry.actor.kind),
  h("td", {}, actionLabel(entry.action), entry.occurrences > 1 ? ` ×${entry.occurrences}` : ""),
  h("td", {}, object),
  h("td", {}, unitName(context, entry.unitPath)),
  h("td", {}, t(`outcome.${entry.outcome}`)));
}

async function download(context, filter, status) {
  fill(status, t("loading"));
  try {
    const blob = await context.session.download(exportUrl(filter));
    const file = `nhat-ky-kiem-tra-${new Date().toISOString().slice(0, 10)}.csv`;
    const link = h("a", { href: URL.createObjectURL(blob), download: file });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    fill(status, t("exported", { file }));
  } catch (error) {
    fill(status, problem(error));
  }
}

export async function auditView(view, context, values) {
  const form = filterForm(context, values);
  const status = h("p", { class: "message", id: "status", role: "status" });
  const results = h("div", { id: "results" });
  fill(view, form, status, results);
  const filter = auditFilter(Object.fromEntries(values));
  // Pages already seen are kept: going back shows what was there, not entries added since.
  const pages = [];
  let page = 0;

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const query = new URLSearchParams();
    for (const name of FIELDS) if (String(data.get(name) || "").trim()) query.set(name, data.get(name));
    const target = `#/audit?${query}`;
    if (location.hash !== target) location.hash = target;
    else { pages.length = 0; page = 0; show(); } // the same search again: fresh results
  });
  form.querySelector("#export").addEventListener("click", () => download(context, filter, status));

  async function show() {
    if (!pages[page]) {
      fill(results, h("p", {}, t("loading")));
      try {
        const after = page ? pages[page - 1].pageInfo.endCursor : null;
        pages[page] = (await context.session.graphql(AUDIT_LOG,
          { filter, first: PAGE_SIZE, after })).auditLog;
      } catch (error) {
        fill(results, h("p", { class: "message error", role: "alert" }, problem(error)));
        return;
      }
    }
    const connection = pages[page];
    const entries = connection.edges.map((e) => e.node);
    const pager = h("nav", { class: "pager" },
      h("button", { type: "button", class: "secondary", id: "previous", disabled: page === 0,
        onclick: () => { page -= 1; show(); } }, t("previous")),
      h("span", { id: "page" }, t("page", { n: page + 1 })),
      h("button", { type: "button", class: "secondary", id: "next",
        disabled: !connection.pageInfo.hasNextPage, onclick: () => { page += 1; show(); } }, t("next")));
    if (!entries.length) {
      fill(results, h("p", { class: "empty" }, t("noEntries")), page ? pager : null);
      return;
    }
    fill(results, h("table", { class: "entries" },
      h("thead", {}, h("tr", {}, ["at", "actor", "action", "object", "unit", "outcome"]
        .map((c) => h("th", {}, t(`col.${c}`))))),
      h("tbody", {}, entries.map((entry) => row(context, entry)))), pager);
  }

  await show();
}

export { row as entryRow };
