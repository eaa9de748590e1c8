// The signed-in session, shared by the console and GraphiQL: the API's own login, refresh and
// logout mutations, nothing else. Tokens live in this tab's sessionStorage (gone when the tab
// closes, never sent to another site), and the access token (15 minutes) is renewed with the
// refresh token shortly before it expires, one renewal at a time: presenting a refresh token
// that was already rotated ends the session on the server.

const KEY = "motcua.session";
const RENEW_BEFORE_MS = 60_000;

const LOGIN = `mutation Login($username: String!, $password: String!) {
  login(username: $username, password: $password) { accessToken refreshToken expiresAt } }`;
const REFRESH = `mutation Refresh($token: String!) {
  refreshToken(token: $token) { accessToken refreshToken expiresAt } }`;
const LOGOUT = "mutation Logout { logout }";

/** An error answered by the API, with its code (UNAUTHENTICATED, FORBIDDEN, …) and field. */
export class ApiError extends Error {
  constructor(message, code = "INTERNAL_SERVER_ERROR", field = null) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

async function answer(response) {
  let payload;
  try {
    payload = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`, response.status === 503 ? "SERVICE_UNAVAILABLE"
      : "INTERNAL_SERVER_ERROR");
  }
  if (payload.errors && payload.errors.length) {
    const first = payload.errors[0];
    const extensions = first.extensions || {};
    throw new ApiError(first.message, extensions.code, extensions.field);
  }
  return payload.data;
}

async function post(query, variables, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST", headers, body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("network", "NETWORK");
  }
  return answer(response);
}

export class Session extends EventTarget {
  constructor(storage = window.sessionStorage) {
    super();
    this.storage = storage;
    this.renewing = null;
    try {
      this.state = JSON.parse(storage.getItem(KEY) || "null");
    } catch {
      this.state = null;
    }
  }

  get signedIn() { return this.state !== null; }

  get username() { return this.state ? this.state.username : null; }

  save(state) {
    this.state = state;
    if (state) this.storage.setItem(KEY, JSON.stringify(state));
    else this.storage.removeItem(KEY);
    this.dispatchEvent(new Event("change"));
  }

  async signIn(username, password) {
    const data = await post(LOGIN, { username, password });
    this.save({ ...data.login, username });
  }

  async signOut() {
    const token = this.state ? this.state.accessToken : null;
    this.save(null);
    if (token) {
      try { await post(LOGOUT, {}, token); } catch { /* the tokens are dropped here anyway */ }
    }
  }

  /** A valid access token (renewed when it is about to expire), or null when signed out. */
  async token() {
    if (!this.state) return null;
    if (Date.parse(this.state.expiresAt) - Date.now() > RENEW_BEFORE_MS) {
      return this.state.accessToken;
    }
    if (!this.renewing) {
      this.renewing = this.renew().finally(() => { this.renewing = null; });
    }
    return this.renewing;
  }

  async renew() {
    const { refreshToken, username } = this.state;
    try {
      const data = await post(REFRESH, { token: refreshToken });
      this.save({ ...data.refreshToken, username });
      return this.state.accessToken;
    } catch (error) {
      if (error.code !== "NETWORK" && error.code !== "SERVICE_UNAVAILABLE") this.save(null);
      throw error;
    }
  }

  /** Run a GraphQL document as the signed-in user; an expired session signs out. */
  async graphql(query, variables = {}) {
    const token = await this.token();
    try {
      return await post(query, variables, token);
    } catch (error) {
      if (error.code === "UNAUTHENTICATED" && token) this.save(null);
      throw error;
    }
  }

  /** fetch() with the user's token (downloads, and GraphiQL's own requests). */
  async fetch(url, init = {}) {
    const token = await this.token();
    const headers = new Headers(init.headers || {});
    if (token && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
    return fetch(url, { ...init, headers });
  }

  /** A download (CSV) as a Blob; refusals raise ApiError like GraphQL's. */
  async download(url) {
    const response = await this.fetch(url);
    if (!response.ok) await answer(response);
    return response.blob();
  }
}
