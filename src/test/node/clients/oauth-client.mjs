// A real OAuth-capable MCP client (TypeScript SDK v1 with its OAuth client provider) meeting
// Bulwark with no token: it must discover the protected-resource metadata from the 401,
// find the authorization server, run the authorization-code flow with PKCE and the RFC 8707
// resource, and connect with the token it got.
// usage: node oauth-client.mjs URL CLIENT_ID    Prints one JSON report.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";

const [url, clientId] = process.argv.slice(2);
const report = { steps: [] };
const redirectUrl = "http://127.0.0.1:1/callback";
let saved;
let verifier;
let code;
const provider = {
  get redirectUrl() { return redirectUrl; },
  get clientMetadata() {
    return { client_name: "bulwark-it-oauth", redirect_uris: [redirectUrl], grant_types: ["authorization_code"],
      response_types: ["code"], token_endpoint_auth_method: "none", scope: "openid" };
  },
  clientInformation: () => ({ client_id: clientId }),
  tokens: () => saved,
  saveTokens: (t) => { saved = t; report.steps.push("tokens saved"); },
  saveCodeVerifier: (v) => { verifier = v; },
  codeVerifier: () => verifier,
  // The "user agent": follow the authorization request to the redirect and read the code.
  redirectToAuthorization: async (authUrl) => {
    report.authorizationServer = authUrl.origin + authUrl.pathname;
    report.resourceParam = authUrl.searchParams.get("resource");
    const r = await fetch(authUrl, { redirect: "manual" });
    report.authorizeStatus = r.status;
    report.authorizeLocation = r.headers.get("location");
    if (!r.headers.get("location")) report.authorizeBody = (await r.text()).slice(0, 300);
    const location = new URL(r.headers.get("location"), authUrl);
    code = location.searchParams.get("code");
    report.steps.push("authorized");
  },
};
const connect = async () => {
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  const client = new Client({ name: "bulwark-it-oauth", version: "1.0.0" }, { capabilities: {} });
  return { transport, client, connected: client.connect(transport) };
};
try {
  let { transport, client, connected } = await connect();
  try {
    await connected;
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
    report.steps.push("401 challenged");
    await transport.finishAuth(code);
    ({ transport, client, connected } = await connect());
    await connected;
  }
  report.steps.push("connected");
  report.tools = (await client.listTools()).tools.map((t) => t.name);
  await client.close();
} catch (e) {
  report.error = String(e.message ?? e);
}
process.stdout.write(JSON.stringify(report) + "\n");
