// The scenario every official client runs against Bulwark, written once. A client script
// adapts its SDK to `api` and prints the report; the Java tests assert on it.

/** A report and a step runner: each step's value, or the error it ended with. */
export function reporter() {
  const report = {};
  const step = async (name, fn) => {
    try {
      report[name] = await fn();
    } catch (e) {
      report[name] = { error: { name: e.constructor.name, code: e.code ?? null, message: String(e.message) } };
    }
  };
  return { report, step };
}

/** A sampling answer that names the client, so a test can tell who answered. */
export function sampled(who, req) {
  return {
    role: "assistant",
    model: "test-model",
    content: { type: "text", text: `sampled by the ${who} client: ${req.params.messages.length} message(s)` },
  };
}

/**
 * api: { callTool(params, { onprogress, signal, timeout }), listTools(), listResources(),
 * readResource(params), getPrompt(params) } in the SDK's own shapes.
 */
export async function runScenario(step, api, prefix, greeting) {
  const tool = (name) => `${prefix}__${name}`;
  await step("tools", async () => (await api.listTools()).tools.map((t) => t.name));
  await step("echo", async () => (await api.callTool({ name: tool("echo"), arguments: { message: greeting } })).content[0].text);
  await step("progress", async () => {
    const seen = [];
    const r = await api.callTool({ name: tool("trigger-long-running-operation"), arguments: { duration: 1, steps: 3 } },
      { onprogress: (p) => seen.push(p.progress), timeout: 30000 });
    return { progress: seen, text: r.content[0].text };
  });
  await step("sampling", async () =>
    (await api.callTool({ name: tool("trigger-sampling-request"), arguments: { prompt: "hello", maxTokens: 20 } }))
      .content.map((c) => c.text ?? "").join("\n"));
  await step("cancel", async () => {
    const ac = new AbortController();
    const seen = [];
    try {
      await api.callTool({ name: tool("trigger-long-running-operation"), arguments: { duration: 30, steps: 30 } },
        { signal: ac.signal, onprogress: (p) => { seen.push(p.progress); if (seen.length === 1) ac.abort("test cancels"); } });
      return { completed: true };
    } catch (e) {
      return { completed: false, progressBeforeCancel: seen.length, message: String(e.message) };
    }
  });
  await step("resource", async () => {
    const { resources } = await api.listResources();
    const r = await api.readResource({ uri: resources[0].uri });
    return { listed: resources.length, uri: r.contents[0].uri, chars: (r.contents[0].text ?? "").length };
  });
  await step("prompt", async () =>
    (await api.getPrompt({ name: tool("args-prompt"), arguments: { city: "Paris" } })).messages[0].content.text);
  await step("hidden", async () => api.callTool({ name: "fs__write_file", arguments: { path: "/tmp/x", content: "x" } }));
}
