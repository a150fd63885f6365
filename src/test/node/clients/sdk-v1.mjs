// Drives Bulwark with the official TypeScript SDK v1 client (protocol 2025-11-25).
// usage: node sdk-v1.mjs URL KEY PREFIX
// Prints one JSON object (the report) on stdout; the Java test asserts on it.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const [url, key, prefix] = process.argv.slice(2);
const report = {};
const step = async (name, fn) => {
  try {
    report[name] = await fn();
  } catch (e) {
    report[name] = { error: { name: e.constructor.name, code: e.code ?? null, message: String(e.message) } };
  }
};

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${key}` } },
});
const client = new Client({ name: "bulwark-it-sdk-v1", version: "1.0.0" }, { capabilities: { sampling: {} } });
client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
  role: "assistant",
  model: "test-model",
  content: { type: "text", text: "sampled by the v1 client: " + req.params.messages.length + " message(s)" },
}));

await step("connect", async () => {
  await client.connect(transport);
  return { protocol: transport.protocolVersion ?? null, session: transport.sessionId != null };
});
await step("tools", async () => (await client.listTools()).tools.map((t) => t.name));
await step("echo", async () => (await client.callTool({ name: `${prefix}__echo`, arguments: { message: "hi v1" } })).content[0].text);
await step("progress", async () => {
  const seen = [];
  const r = await client.callTool(
    { name: `${prefix}__trigger-long-running-operation`, arguments: { duration: 1, steps: 3 } },
    CallToolResultSchema,
    { onprogress: (p) => seen.push(p.progress), timeout: 30000 },
  );
  return { progress: seen, text: r.content[0].text };
});
await step("sampling", async () =>
  (await client.callTool({ name: `${prefix}__trigger-sampling-request`, arguments: { prompt: "hello", maxTokens: 20 } }))
    .content.map((c) => c.text ?? "").join("\n"));
await step("cancel", async () => {
  const ac = new AbortController();
  const seen = [];
  try {
    await client.callTool(
      { name: `${prefix}__trigger-long-running-operation`, arguments: { duration: 30, steps: 30 } },
      CallToolResultSchema,
      { signal: ac.signal, onprogress: (p) => { seen.push(p.progress); if (seen.length === 1) ac.abort("test cancels"); } },
    );
    return { completed: true };
  } catch (e) {
    return { completed: false, progressBeforeCancel: seen.length, message: String(e.message) };
  }
});
await step("resource", async () => {
  const { resources } = await client.listResources();
  const r = await client.readResource({ uri: resources[0].uri });
  return { listed: resources.length, uri: r.contents[0].uri, chars: (r.contents[0].text ?? "").length };
});
await step("prompt", async () =>
  (await client.getPrompt({ name: `${prefix}__args-prompt`, arguments: { city: "Paris" } })).messages[0].content.text);
await step("hidden", async () => (await client.callTool({ name: "fs__write_file", arguments: { path: "/tmp/x", content: "x" } })));
await step("close", async () => { await transport.terminateSession(); await client.close(); return true; });
process.stdout.write(JSON.stringify(report) + "\n");
