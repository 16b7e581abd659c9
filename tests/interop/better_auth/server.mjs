// A minimal Better Auth server, as a Next.js app would configure it: email and password
// sign-in and the jwt() plugin (EdDSA keys created on first use, published at /api/auth/jwks).
// Users live in memory; tests start one server per run on a free loopback port.
//
// With PAGE=1 it also serves, on the same origin as the auth routes (as a Next.js app does),
// a page whose script is page/app.js bundled with the real better-auth client: the browser
// test drives it. JWT_EXPIRATION_TIME shortens the tokens' life (default 15m, as Better Auth).
import http from "node:http";
import { readFile } from "node:fs/promises";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins";

const port = Number(process.env.PORT);
const baseURL = `http://127.0.0.1:${port}`;

const auth = betterAuth({
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET,
  database: memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] }),
  emailAndPassword: { enabled: true },
  plugins: [jwt({ jwt: { expirationTime: process.env.JWT_EXPIRATION_TIME ?? "15m" } })],
});
const authRoutes = toNodeHandler(auth);

const page = process.env.PAGE === "1" ? await bundledPage() : null;

async function bundledPage() {
  const esbuild = await import("esbuild");
  const built = await esbuild.build({
    entryPoints: [new URL("./page/app.js", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    target: "es2022",
    write: false,
    logLevel: "error",
  });
  return {
    "/": ["text/html", await readFile(new URL("./page/index.html", import.meta.url))],
    "/app.js": ["text/javascript", built.outputFiles[0].contents],
  };
}

http
  .createServer((request, response) => {
    const file = page?.[request.url];
    if (request.method === "GET" && file) {
      response.writeHead(200, { "Content-Type": file[0] });
      response.end(file[1]);
      return;
    }
    authRoutes(request, response);
  })
  .listen(port, "127.0.0.1", () => console.log(`listening on ${baseURL}`));
