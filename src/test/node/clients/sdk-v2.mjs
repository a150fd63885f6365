// Drives Bulwark with the official TypeScript SDK v2 client (@modelcontextprotocol/client).
// usage: node sdk-v2.mjs URL KEY PREFIX MODE   (MODE: legacy = 2025-11-25 initialize,
// auto = server/discover probe then 2026-07-28 if offered, 2026-07-28 = pinned)
// Prints one JSON report (see scenario.mjs).
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { reporter, runScenario, sampled } from "./scenario.mjs";

const [url, key, prefix, modeArg] = process.argv.slice(2);
const mode = modeArg === "legacy" || modeArg === "auto" ? modeArg : { pin: modeArg };
const { report, step } = reporter();
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${key}` } },
});
const client = new Client({ name: "bulwark-it-sdk-v2", version: "2.0.0" },
  { capabilities: { sampling: {} }, versionNegotiation: { mode } });
client.setRequestHandler("sampling/createMessage", async (req) => sampled("v2", req));

await step("connect", async () => {
  await client.connect(transport);
  return { era: client.getProtocolEra(), protocol: client.getNegotiatedProtocolVersion(), server: client.getServerVersion()?.name ?? null };
});
await runScenario(step, client, prefix, "hi v2");
await step("close", async () => { await client.close(); return true; });
process.stdout.write(JSON.stringify(report) + "\n");
