// The inspector console: sign in, then the audit trail (#/audit?…), a dossier's history
// (#/dossier/CODE), and the chain's state in the header. Everything goes through the public
// GraphQL API and /audit/export.csv with the user's own token: the console has no rights.
import { ME, VERIFY } from "./api.js";
import { auditView } from "./audit.js";
import { field, fill, h } from "./dom.js";
import { dossierView } from "./dossier.js";
import { language, problem, setLanguage, t, translate } from "./i18n.js";
import { Session } from "./session.js";

const session = new Session();
const view = document.getElementById("view");
const context = { session, units: new Map(), actions: [], scopes: [] };

function signInView() {
  const message = h("p", { class: "message error", role: "alert" });
  const form = h("form", { class: "signin", id: "signin" },
    h("h2", {}, t("signIn")),
    h("p", {}, t("signIn.intro")),
    field(t("username"), h("input", { name: "username", autocomplete: "username", required: true })),
    field(t("password"), h("input", {
      name: "password", type: "password", autocomplete: "current-password", required: true,
    })),
    h("button", { type: "submit" }, t("signIn")),
    message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    form.querySelector("button").disabled = true;
    try {
      await session.signIn(String(data.get("username")).trim(), String(data.get("password")));
    } catch (error) {
      fill(message, problem(error));
      form.querySelector("button").disabled = false;
    }
  });
  fill(view, form);
  form.querySelector("input").focus();
}

/** The units the user may audit (the grant and two levels below), code → name. */
function collectUnits(me) {
  const units = new Map();
  const visit = (unit, depth) => {
    units.set(unit.code, "\u00a0\u00a0".repeat(depth) + unit.name);
    for (const child of unit.children || []) visit(child, depth + 1);
  };
  for (const grant of me.roles) {
    if (grant.role === "INSPECTOR" || grant.role === "ADMIN") visit(grant.unit, 0);
  }
  return units;
}

async function loadContext() {
  const data = await session.graphql(ME);
  context.me = data.me;
  context.units = collectUnits(data.me);
  context.actions = data.auditActions;
}

async function verifyChain() {
  const badge = document.getElementById("chain");
  badge.hidden = false;
  badge.className = "chain";
  fill(badge, t("chain.checking"));
  try {
    const { verifyAuditTrail: state } = await session.graphql(VERIFY);
    badge.className = state.ok ? "chain ok" : "chain broken";
    const archived = state.archivedThrough;  // months archived: the chain starts after them
    const text = state.ok && archived ? t("chain.okArchived", { n: state.checked - archived, a: archived })
      : state.ok ? t("chain.ok", { n: state.checked })
      : state.firstBadId ? t("chain.broken", { id: state.firstBadId, problem: state.problem })
        : t("chain.brokenNoId", { problem: state.problem });
    fill(badge, h("span", { id: "chain-state", dataset: { ok: String(state.ok) } }, text), " ",
      h("button", { type: "button", class: "link", onclick: verifyChain }, t("chain.check")));
  } catch (error) {
    badge.className = "chain broken";
    fill(badge, problem(error));
  }
}

async function route() {
  const hash = decodeURIComponent(location.hash.slice(1) || "/audit");
  const [path, query = ""] = hash.split("?");
  const parts = path.split("/").filter(Boolean);
  for (const link of document.querySelectorAll("#nav a")) {
    link.classList.toggle("current", link.getAttribute("href").slice(2) === parts[0]);
  }
  if (parts[0] === "dossier") await dossierView(view, context, parts[1] || "");
  else await auditView(view, context, new URLSearchParams(query));
}

async function start() {
  document.documentElement.lang = language();
  translate();
  document.getElementById("language").textContent = language() === "vi" ? "English" : "Tiếng Việt";
  const signedIn = session.signedIn;
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("user").hidden = !signedIn;
  document.getElementById("chain").hidden = true;
  if (!signedIn) {
    signInView();
    return;
  }
  document.getElementById("username").textContent = session.username;
  fill(view, h("p", {}, t("loading")));
  try {
    await loadContext();
  } catch (error) {
    if (!session.signedIn) return; // the session ended: the change event shows sign-in
    fill(view, h("p", { class: "message error", role: "alert" }, problem(error)));
    return;
  }
  verifyChain();
  await route();
}

document.getElementById("language").addEventListener("click", () => {
  setLanguage(language() === "vi" ? "en" : "vi");
  start();
});
document.getElementById("signout").addEventListener("click", () => session.signOut());
session.addEventListener("change", () => {
  // Only signing in or out redraws everything; a renewed token changes nothing visible.
  if (session.signedIn !== Boolean(context.me)) {
    context.me = null;
    start();
  }
});
window.addEventListener("hashchange", () => { if (session.signedIn && context.me) route(); });
start();
