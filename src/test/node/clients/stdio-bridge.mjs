// A stdio-only MCP client (TypeScript SDK v1 over stdio) using Bulwark through `bulwark stdio`.
// usage: node stdio-bridge.mjs URL KEY JAVA JAR PREFIX   Prints one JSON report.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { reporter } from "./scenario.mjs";

const [url, key, java, jar, prefix] = process.argv.slice(2);
const { report, step } = reporter();
const transport = new StdioClientTransport({
  command: java,
  args: ["-jar", jar, "stdio", "--url", url],
  env: { BULWARK_AGENT_KEY: key, PATH: process.env.PATH },
  stderr: "ignore",
});
const client = new Client({ name: "bulwark-it-stdio", version: "1.0.0" }, { capabilities: {} });
await step("connect", async () => { await client.connect(transport); return client.getServerVersion()?.name ?? null; });
await step("tools", async () => (await client.listTools()).tools.map((t) => t.name));
await step("echo", async () => (await client.callTool({ name: `${prefix}__echo`, arguments: { message: "over stdio" } })).content[0].text);
await step("progress", async () => {
  const seen = [];
  const r = await client.callTool(
    { name: `${prefix}__trigger-long-running-operation`, arguments: { duration: 1.5, steps: 3 } },
    CallToolResultSchema,
    { onprogress: (p) => seen.push(p.progress), timeout: 30000 },
  );
  return { progress: seen, text: r.content[0].text };
});
await step("denied", async () => (await client.callTool({ name: `${prefix}__get-env`, arguments: {} })));
await step("close", async () => { await client.close(); return true; });
process.stdout.write(JSON.stringify(report) + "\n");
