// What a frontend does with the todo API, written as its README tells frontend developers:
// a bearer token from Better Auth's jwtClient(), no credentials mode, and on `token_expired`
// one fresh token and one retry. The browser test calls window.todo.* and reads what the page
// could read: status, body and the exposed headers (a CORS failure shows as a fetch error).
import { createAuthClient } from "better-auth/client";
import { jwtClient } from "better-auth/client/plugins";

const auth = createAuthClient({ baseURL: window.location.origin, plugins: [jwtClient()] });
let token = null;

async function freshToken() {
  const { data, error } = await auth.token();
  if (error) throw new Error(`no token: ${error.status} ${error.message}`);
  token = data.token;
  return token;
}

async function send(api, method, path, body, bearer) {
  const headers = { Authorization: `Bearer ${bearer}` };
  const init = { method, headers };
  if (body != null) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return fetch(api + path, init);
}

async function seen(response, refreshed) {
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  const header = (name) => response.headers.get(name);
  return {
    status: response.status,
    body,
    refreshed,
    requestId: header("X-Request-ID"),
    retryAfter: header("Retry-After"),
    wwwAuthenticate: header("WWW-Authenticate"),
    location: header("Location"),
    contentType: header("Content-Type"),
  };
}

async function call(api, method, path, body) {
  try {
    let response = await send(api, method, path, body, token ?? (await freshToken()));
    let refreshed = false;
    if (response.status === 401) {
      const problem = await response.clone().json();
      if (problem.code === "token_expired") {
        refreshed = true;
        response = await send(api, method, path, body, await freshToken());
      }
    }
    return await seen(response, refreshed);
  } catch (error) {
    return { error: String(error) };
  }
}

// One request with the given token and no retry: what the API answers, as the page reads it.
async function callWith(api, method, path, body, bearer) {
  try {
    return await seen(await send(api, method, path, body, bearer), false);
  } catch (error) {
    return { error: String(error) };
  }
}

window.todo = {
  async signUp(name) {
    const { data, error } = await auth.signUp.email({
      email: `${name}@example.com`,
      password: "a long passphrase",
      name,
    });
    if (error) throw new Error(`sign-up failed: ${error.status} ${error.message}`);
    await freshToken();
    return data.user.id;
  },
  freshToken,
  call,
  callWith,
  // The token the page holds now (to check that a retry used a new one).
  token: () => token,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
document.getElementById("status").textContent = "ready";
