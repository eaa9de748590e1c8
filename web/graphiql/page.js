// GraphiQL with a sign-in bar: the token goes with every request GraphiQL sends (unless its
// own headers pane names another Authorization), and is renewed before it expires. One tab is
// opened per example operation of the project (web/graphiql/examples/).
import { Session } from "/console/session.js";

const session = new Session();
const form = document.getElementById("signin-form");
const signedIn = document.getElementById("signed-in");
const message = document.getElementById("signin-message");

function show() {
  form.hidden = session.signedIn;
  signedIn.hidden = !session.signedIn;
  document.getElementById("who").textContent = session.signedIn
    ? `Đã đăng nhập / Signed in: ${session.username}` : "";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  message.textContent = "";
  try {
    await session.signIn(String(data.get("username")), String(data.get("password")));
    form.reset();
  } catch (error) {
    message.textContent = error.code === "UNAUTHENTICATED"
      ? "Sai tài khoản hoặc mật khẩu / Wrong username or password" : error.message;
  }
});
document.getElementById("signout").addEventListener("click", () => session.signOut());
session.addEventListener("change", show);
show();

// GraphiQL 3 can keep the operation name of the tab it showed first after another tab is
// chosen (graphql/graphiql#3632): send a name only when the document defines it.
function ownOperationName(init) {
  if (typeof init.body !== "string") return init;
  let body;
  try {
    body = JSON.parse(init.body);
  } catch {
    return init;
  }
  const defines = (name) => new RegExp(`\\b(query|mutation|subscription)\\s+${name}\\b`)
    .test(body.query || "");
  if (!body.operationName || defines(body.operationName)) return init;
  delete body.operationName;
  return { ...init, body: JSON.stringify(body) };
}

const examples = JSON.parse(document.getElementById("examples").textContent);
const fetcher = window.GraphiQL.createFetcher({
  url: "/graphql",
  fetch: (url, init) => session.fetch(url, ownOperationName(init || {})),
});

const root = window.ReactDOM.createRoot(document.getElementById("graphiql"));
root.render(window.React.createElement(window.GraphiQL, {
  fetcher,
  defaultTabs: examples.map((e) => ({ query: e.query, variables: e.variables || undefined })),
  defaultEditorToolsVisibility: true,
  isHeadersEditorEnabled: true,
  shouldPersistHeaders: false,
}));
