// A remote MCP server of the stateless generation only (2026-07-28; initialize refused),
// built with the official TypeScript server SDK v2. Listens on 127.0.0.1 only.
// usage: node modern-server.mjs PORT   Prints "LISTENING <port>" when ready.
import http from "node:http";
import { McpServer, createMcpHandler, inputRequired, acceptedContent } from "@modelcontextprotocol/server";
import { z } from "zod";

const factory = () => {
  const s = new McpServer({ name: "modern-fixture", version: "1.0.0" });
  s.registerTool("echo", { description: "Echoes its text", inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: "text", text: `modern echo: ${text}` }] }));
  s.registerTool("slow", { description: "Reports progress twice", inputSchema: z.object({}) }, async (_a, ctx) => {
    for (let i = 1; i <= 2; i++) {
      await ctx.mcpReq.notify?.({ method: "notifications/progress",
        params: { progressToken: ctx.mcpReq._meta?.progressToken ?? 0, progress: i, total: 2 } });
      await new Promise((r) => setTimeout(r, 100));
    }
    return { content: [{ type: "text", text: "slow done" }] };
  });
  s.registerTool("deploy", { description: "Asks for confirmation first", inputSchema: z.object({ env: z.string() }) },
    async ({ env }, ctx) => {
      const schema = z.object({ confirm: z.boolean() });
      const answer = acceptedContent(ctx.mcpReq.inputResponses, "confirm", schema);
      if (answer?.confirm !== true) {
        return inputRequired({
          inputRequests: { confirm: inputRequired.elicit({ message: `Deploy to ${env}?`, requestedSchema: schema }) },
          requestState: "state-for-" + env,
        });
      }
      return { content: [{ type: "text", text: `deployed to ${env}` }] };
    });
  return s;
};
const handler = createMcpHandler(factory, { legacy: "reject", keepAliveMs: 1000 });
const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const ac = new AbortController();
  res.on("close", () => ac.abort());
  const request = new Request(`http://127.0.0.1${req.url}`, {
    method: req.method, headers: req.headers, signal: ac.signal, duplex: "half",
    body: ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks),
  });
  const r = await handler.fetch(request);
  res.writeHead(r.status, Object.fromEntries(r.headers));
  if (r.body) for await (const c of r.body) res.write(c);
  res.end();
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => console.log("LISTENING " + server.address().port));
