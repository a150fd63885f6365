// A hostile probe for the enclave tests: each action tries one way out of the sandbox and
// reports what happened as one JSON line on stdout. No dependencies, so an enclave needs to
// see only this file and the node binary.
// usage: node enclave-probe.mjs ACTION [ARG...]
//   status                 uid, gid, capabilities, no_new_privs, seccomp, network interfaces
//   read PATH | write PATH | list PATH
//   connect HOST PORT      a TCP connection
//   dns NAME               a name lookup
//   exec CMD [ARG...]      runs a program, reports exit status and output
//   procs                  the processes visible in /proc, with their command lines
//   hold NAME              writes /tmp/NAME, prints {"holding":NAME} and stays alive
//   forkbomb N             starts up to N child processes; reports how many started
//   memhog MB              allocates and touches MB megabytes
//   proxy-connect HOST PORT  CONNECT through $HTTPS_PROXY, then a GET / through the tunnel
//   proxy-get URL          a plain-HTTP GET of URL through $HTTP_PROXY (absolute form)
import fs from "node:fs";
import net from "node:net";
import dns from "node:dns/promises";
import { spawn, spawnSync } from "node:child_process";

const [action, ...args] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const failure = (e) => ({ ok: false, code: e.code ?? String(e.message) });

async function run() {
  switch (action) {
    case "status": {
      const status = Object.fromEntries(fs.readFileSync("/proc/self/status", "utf8").trim().split("\n")
        .map((l) => l.split(":\t")).map(([k, v]) => [k, (v ?? "").trim()]));
      const ifaces = fs.readFileSync("/proc/net/dev", "utf8").trim().split("\n").slice(2)
        .map((l) => l.trim().split(":")[0]);
      return { uid: status.Uid, gid: status.Gid, capEff: status.CapEff, capPrm: status.CapPrm, capBnd: status.CapBnd,
        noNewPrivs: status.NoNewPrivs, seccomp: status.Seccomp, interfaces: ifaces, home: process.env.HOME,
        env: Object.keys(process.env).sort() };
    }
    case "read":
      try { return { ok: true, content: fs.readFileSync(args[0], "utf8") }; } catch (e) { return failure(e); }
    case "write":
      try { fs.writeFileSync(args[0], "written from an enclave\n"); return { ok: true }; } catch (e) { return failure(e); }
    case "list":
      try { return { ok: true, entries: fs.readdirSync(args[0]) }; } catch (e) { return failure(e); }
    case "connect":
      return await new Promise((resolve) => {
        const s = net.connect({ host: args[0], port: Number(args[1]) });
        s.setTimeout(3000, () => { s.destroy(); resolve({ ok: false, code: "TIMEOUT" }); });
        s.on("connect", () => { s.destroy(); resolve({ ok: true }); });
        s.on("error", (e) => resolve(failure(e)));
      });
    case "dns":
      try { return { ok: true, addresses: await dns.lookup(args[0], { all: true }) }; } catch (e) { return failure(e); }
    case "exec": {
      const r = spawnSync(args[0], args.slice(1), { encoding: "utf8", timeout: 10000, stdio: ["ignore", "pipe", "pipe"] });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error ? r.error.code : null };
    }
    case "procs":
      return { procs: fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).map((p) => {
        try { return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replaceAll("\0", " ").trim(); } catch { return "?"; }
      }) };
    case "hold":
      fs.writeFileSync(`/tmp/${args[0]}`, "mine\n");
      out({ holding: args[0] });
      setInterval(() => {}, 60_000); // stays alive until killed
      return await new Promise(() => {});
    case "forkbomb": {
      const children = [];
      let error = null;
      for (let i = 0; i < Number(args[0]) && !error; i++) {
        await new Promise((resolve) => {
          const c = spawn("/bin/sleep", ["30"], { stdio: "ignore" });
          c.on("spawn", () => { children.push(c); resolve(); });
          c.on("error", (e) => { error = e.code ?? String(e.message); resolve(); });
        });
      }
      children.forEach((c) => c.kill("SIGKILL"));
      return { spawned: children.length, error };
    }
    case "memhog": {
      const chunks = [];
      for (let mb = 0; mb < Number(args[0]); mb += 16) {
        chunks.push(Buffer.alloc(16 << 20, 1));
      }
      return { allocatedMb: chunks.length * 16 };
    }
    case "proxy-connect":
      return await throughProxy(process.env.HTTPS_PROXY, `CONNECT ${args[0]}:${args[1]} HTTP/1.1\r\nHost: ${args[0]}:${args[1]}\r\n\r\n`,
        `GET / HTTP/1.1\r\nHost: ${args[0]}:${args[1]}\r\nConnection: close\r\n\r\n`);
    case "proxy-get":
      return await throughProxy(process.env.HTTP_PROXY,
        `GET ${args[0]} HTTP/1.1\r\nHost: ${new URL(args[0]).host}\r\nConnection: close\r\n\r\n`, null);
    default:
      return { error: `unknown action ${action}` };
  }
}

// Talks to the proxy named by an environment variable: sends `first`; for a tunnel, once the
// proxy answers 200, sends `then` through it. Reports the proxy's status and what came back.
function throughProxy(proxyUrl, first, then) {
  if (!proxyUrl) {
    return Promise.resolve({ ok: false, code: "NO_PROXY_ENV" });
  }
  const p = new URL(proxyUrl);
  return new Promise((resolve) => {
    const s = net.connect({ host: p.hostname, port: Number(p.port) });
    let data = "";
    let status = null;
    s.setTimeout(10000, () => { s.destroy(); resolve({ ok: false, code: "TIMEOUT", status, data }); });
    s.on("connect", () => s.write(first));
    s.on("data", (d) => {
      data += d.toString("latin1");
      if (status === null && data.includes("\r\n\r\n")) {
        status = Number(data.split(" ")[1]);
        if (then && status === 200) {
          data = data.slice(data.indexOf("\r\n\r\n") + 4);
          s.write(then);
        }
      }
    });
    s.on("end", () => resolve({ ok: status === 200, status, data }));
    s.on("error", (e) => resolve({ ...failure(e), status, data }));
  });
}

out(await run());
process.exit(0);
