# Sourced by ./bulwark and scripts/test: exports JAVA_HOME as the newest JDK >= 21 found in
# JAVA_HOME, on PATH or under /usr/lib/jvm.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

find_jdk() {
  local candidates=() best="" best_v=0 v home
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for home in /usr/lib/jvm/*; do [ -d "$home" ] && candidates+=("$home"); done
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    v="$(java_major "$home/bin/java")"
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$home"; best_v="$v"; fi
  done
  [ -n "$best" ] || { echo "bulwark: no JDK 21 or newer found (install one, or set JAVA_HOME)" >&2; return 1; }
  echo "$best"
}

# Node.js and npm from Debian's packages when they are missing (needs root).
ensure_node() {
  command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bulwark: installing nodejs and npm with apt-get ..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
  else
    echo "bulwark: Node.js and npm are needed; install them (apt-get install nodejs npm)" >&2
    return 1
  fi
}
