#!/usr/bin/env bash
# Writes `pulumi stack output --json` of each app's stack to <dir>/<app>.json: the files the DR
# and keys CLIs read with `--outputs <dir>` when the Pulumi backend cannot be reached.
#   .github/scripts/stack-outputs.sh <dir> <org>/<stack> <app>...
# Fails when a stack has no outputs (not deployed yet) or prints a "[secret]" for an output the
# CLIs read: they need those in clear. The outputs that are secrets by design (the health check
# token: whoever holds it gets past WAF's /health limits) stay "[secret]" in the file, and so in
# the 90-day artifacts: never add --show-secrets here.
set -euo pipefail

dir=${1:?usage: stack-outputs.sh <dir> <org>/<stack> <app>...}
stack=${2:?usage: stack-outputs.sh <dir> <org>/<stack> <app>...}
shift 2
[[ $# -gt 0 ]] || { echo "stack-outputs.sh: no app given" >&2; exit 2; }

workspace=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

for app in "$@"; do
  file="$dir/$app.json"
  (cd "$workspace/apps/$app" && pulumi stack output --json --stack "$stack") >"$file"
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions.
  node -e '
    const [file, app, stack] = process.argv.slice(1);
    const outputs = JSON.parse(require("node:fs").readFileSync(file, "utf8"));
    const fail = (why) => { console.error(`stack-outputs.sh: ${app} (${stack}): ${why}`); process.exit(1); };
    if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) fail("the outputs are not a JSON object");
    if (Object.keys(outputs).length === 0) fail("the stack has no outputs: deploy it first");
    const SECRET_BY_DESIGN = new Set(["healthCheckToken"]);
    const secrets = Object.keys(outputs).filter((key) => !SECRET_BY_DESIGN.has(key) && JSON.stringify(outputs[key]).includes("\"[secret]\""));
    if (secrets.length > 0) fail(`secret outputs (${secrets.join(", ")}) print as "[secret]": the CLIs cannot use them`);
    console.log(`${file}: ${Object.keys(outputs).length} outputs`);
  ' "$file" "$app" "$stack"
done
