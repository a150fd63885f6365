// Drives Bulwark with the official TypeScript SDK v1 client (protocol 2025-11-25).
// usage: node sdk-v1.mjs URL KEY PREFIX    Prints one JSON report (see scenario.mjs).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { reporter, runScenario, sampled } from "./scenario.mjs";

const [url, key, prefix] = process.argv.slice(2);
const { report, step } = reporter();
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${key}` } },
});
const client = new Client({ name: "bulwark-it-sdk-v1", version: "1.0.0" }, { capabilities: { sampling: {} } });
client.setRequestHandler(CreateMessageRequestSchema, async (req) => sampled("v1", req));

await step("connect", async () => {
  await client.connect(transport);
  return { protocol: transport.protocolVersion ?? null, session: transport.sessionId != null };
});
await runScenario(step, {
  callTool: (params, options) => client.callTool(params, CallToolResultSchema, options),
  listTools: () => client.listTools(),
  listResources: () => client.listResources(),
  readResource: (p) => client.readResource(p),
  getPrompt: (p) => client.getPrompt(p),
}, prefix, "hi v1");
await step("close", async () => { await transport.terminateSession(); await client.close(); return true; });
process.stdout.write(JSON.stringify(report) + "\n");
