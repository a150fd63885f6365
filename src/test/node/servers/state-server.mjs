// A stdio MCP server (SDK v1) that keeps state, for the isolation-granularity tests.
// whoami   → this process: a random instance id and the pid it sees
// remember → keeps {text} in memory and writes it to /tmp/bulwark-state-memo
// recall   → what this process remembers, and what /tmp/bulwark-state-memo holds (empty if absent)
// fetch    → GET {url} through $HTTP_PROXY (absolute form); answers the proxy's status line or the error
// secrets  → SHA-256 of /run/secrets/token and of $STATE_KEY ("absent" if not there): proves what it got
// stdout carries only the MCP protocol.
import fs from "node:fs";
import net from "node:net";
import crypto from "node:crypto";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const instance = crypto.randomUUID();
const memo = "/tmp/bulwark-state-memo";
let remembered = "";
const text = (t) => ({ content: [{ type: "text", text: t }] });

const mcp = new McpServer({ name: "state-fixture", version: "1.0.0" });
mcp.registerTool("whoami", { description: "Reports this process.", inputSchema: z.object({}),
  annotations: { readOnlyHint: true } }, async () => text(JSON.stringify({ instance, pid: process.pid })));
mcp.registerTool("remember", { description: "Remembers a note.", inputSchema: z.object({ text: z.string() }),
  annotations: { readOnlyHint: true } }, async ({ text: t }) => {
  remembered = t;
  fs.writeFileSync(memo, t);
  return text("ok");
});
mcp.registerTool("recall", { description: "Recalls the note.", inputSchema: z.object({}),
  annotations: { readOnlyHint: true } }, async () => {
  let file = "";
  try { file = fs.readFileSync(memo, "utf8"); } catch { /* absent */ }
  return text(JSON.stringify({ instance, memory: remembered, file }));
});
const sha = (v) => crypto.createHash("sha256").update(v).digest("hex");
mcp.registerTool("secrets", { description: "Digests of its secret file and variable.", inputSchema: z.object({}),
  annotations: { readOnlyHint: true } }, async () => {
  let file = "absent";
  try { file = sha(fs.readFileSync("/run/secrets/token")); } catch { /* absent */ }
  const env = process.env.STATE_KEY === undefined ? "absent" : sha(process.env.STATE_KEY);
  return text(JSON.stringify({ file, env }));
});
mcp.registerTool("fetch", { description: "Fetches a URL through the proxy.", inputSchema: z.object({ url: z.string() }),
  annotations: { readOnlyHint: true } }, async ({ url }) => text(await viaProxy(url)));

function viaProxy(url) {
  const proxy = process.env.HTTP_PROXY;
  if (!proxy) return Promise.resolve("no proxy");
  const p = new URL(proxy);
  return new Promise((resolve) => {
    const s = net.connect({ host: p.hostname, port: Number(p.port) });
    let data = "";
    s.setTimeout(10000, () => { s.destroy(); resolve("timeout"); });
    s.on("connect", () => s.write(`GET ${url} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nConnection: close\r\n\r\n`));
    s.on("data", (d) => { data += d.toString("latin1"); });
    s.on("end", () => resolve(data.split("\r\n")[0]));
    s.on("error", (e) => resolve("error " + e.code));
  });
}

await mcp.connect(new StdioServerTransport());
