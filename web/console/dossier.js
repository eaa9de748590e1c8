// A dossier's whole story: its facts, the timeline of its processing steps (status from →
// to, by whom, with the note), and every audit entry about it, reads and refusals included.
import { DOSSIER } from "./api.js";
import { entryRow } from "./audit.js";
import { field, fill, h } from "./dom.js";
import { localTime, problem, t, term } from "./i18n.js";

function facts(dossier) {
  const rows = [
    ["dossier.procedure", `${dossier.procedure.name} (${dossier.procedure.code})`],
    ["dossier.unit", dossier.unit.name],
    ["dossier.status", term(dossier.status)],
    ["dossier.timeliness", term(dossier.timeliness)],
    ["dossier.receivedAt", localTime(dossier.receivedAt)],
    ["dossier.dueAt", localTime(dossier.dueAt)],
    ["dossier.finishedAt", localTime(dossier.finishedAt)],
  ].filter(([, value]) => value);
  return h("dl", { class: "facts" }, rows.map(([key, value]) => [h("dt", {}, t(key)), h("dd", {}, value)]));
}

function timeline(dossier) {
  if (!dossier.events.length) return h("p", { class: "empty" }, t("dossier.noEvents"));
  return h("ol", { class: "timeline", id: "timeline" }, dossier.events.map((event) =>
    h("li", {},
      h("time", { datetime: event.at }, localTime(event.at)), " ",
      h("strong", {}, term(`dossier:${event.action}`)), " ",
      h("span", { class: "transition" },
        event.fromStatus ? `${term(event.fromStatus)} → ${term(event.toStatus)}` : term(event.toStatus)),
      event.actor.username ? h("span", { class: "who" }, ` — ${event.actor.username}`) : null,
      event.note ? h("q", {}, event.note) : null)));
}

function history(context, dossier) {
  return h("table", { class: "entries", id: "history" },
    h("thead", {}, h("tr", {}, ["at", "actor", "action", "object", "unit", "outcome"]
      .map((c) => h("th", {}, t(`col.${c}`))))),
    h("tbody", {}, [...dossier.history].reverse().map((entry) => entryRow(context, entry))));
}

export async function dossierView(view, context, code) {
  const input = h("input", { name: "code", value: code, required: true, autocomplete: "off",
    pattern: "[A-Za-z0-9-]+" });
  const form = h("form", { class: "filters", id: "dossier-form" },
    field(t("dossier.code"), input),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("dossier.open"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/dossier/${encodeURIComponent(input.value.trim())}`;
  });
  const body = h("div", { id: "dossier" });
  fill(view, form, body);
  if (!code) {
    fill(body, h("p", {}, t("dossier.prompt")));
    return;
  }
  fill(body, h("p", {}, t("loading")));
  try {
    const { dossier } = await context.session.graphql(DOSSIER, { code });
    if (!dossier) {
      fill(body, h("p", { class: "message error", role: "alert" }, t("dossier.notFound", { code })));
      return;
    }
    fill(body,
      h("h2", {}, dossier.code),
      facts(dossier),
      h("h3", {}, t("dossier.timeline")),
      timeline(dossier),
      h("h3", {}, t("dossier.history")),
      history(context, dossier));
  } catch (error) {
    fill(body, h("p", { class: "message error", role: "alert" }, problem(error)));
  }
}
