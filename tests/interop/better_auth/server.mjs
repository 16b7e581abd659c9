// A minimal Better Auth server, as a Next.js app would configure it: email and password
// sign-in and the jwt() plugin (EdDSA keys created on first use, published at /api/auth/jwks).
// Users live in memory; the test starts one server per run on a free loopback port.
import http from "node:http";
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
  plugins: [jwt()],
});

http
  .createServer(toNodeHandler(auth))
  .listen(port, "127.0.0.1", () => console.log(`listening on ${baseURL}`));
