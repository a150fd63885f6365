// Calls one tool through Bulwark with an official client that answers elicitation requests.
// usage: node call-tool.mjs SDK URL KEY TOOL ARGS_JSON ELICIT_CONTENT_JSON [AGENT_KEY]
//   SDK: v1 | v2-legacy | v2-auto
//   AGENT_KEY: with a user's token as KEY, the agent's own key (Bulwark-Agent-Authorization)
// Prints one JSON object: {protocol, result | error, progress, elicited}.
const [sdk, url, key, tool, args, elicitContent, agentKey] = process.argv.slice(2);
const out = { progress: [], elicited: [] };
const sent = { Authorization: `Bearer ${key}` };
if (agentKey) sent["Bulwark-Agent-Authorization"] = `Bearer ${agentKey}`;
const headers = { requestInit: { headers: sent } };
let client;
let call;
if (sdk === "v1") {
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
  const { CallToolResultSchema, ElicitRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");
  client = new Client({ name: "call-tool-v1", version: "1" }, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    out.elicited.push(req.params.message);
    return { action: "accept", content: JSON.parse(elicitContent) };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), headers));
  out.protocol = "2025-11-25";
  call = (p) => client.callTool(p, CallToolResultSchema, { onprogress: (x) => out.progress.push(x.progress) });
} else {
  const { Client, StreamableHTTPClientTransport } = await import("@modelcontextprotocol/client");
  client = new Client({ name: "call-tool-v2", version: "2" },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: sdk === "v2-auto" ? "auto" : "legacy" } });
  client.setRequestHandler("elicitation/create", async (req) => {
    out.elicited.push(req.params.message);
    return { action: "accept", content: JSON.parse(elicitContent) };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), headers));
  out.protocol = client.getNegotiatedProtocolVersion();
  call = (p) => client.callTool(p, { onprogress: (x) => out.progress.push(x.progress) });
}
try {
  out.result = await call({ name: tool, arguments: JSON.parse(args) });
} catch (e) {
  out.error = { code: e.code ?? null, message: String(e.message) };
}
await client.close();
process.stdout.write(JSON.stringify(out) + "\n");
