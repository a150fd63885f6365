// A stdio MCP server (SDK v1) that keeps state, for the isolation-granularity tests.
// whoami   → this process: a random instance id and the pid it sees
// remember → keeps {text} in memory and writes it to /tmp/bulwark-state-memo
// recall   → what this process remembers, and what /tmp/bulwark-state-memo holds (empty if absent)
// stdout carries only the MCP protocol.
import fs from "node:fs";
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
await mcp.connect(new StdioServerTransport());
