#!/usr/bin/env bash
# Writes `pulumi stack output --json` of each app's stack to <dir>/<app>.json: the files the DR
# and keys CLIs read with `--outputs <dir>` when the Pulumi backend cannot be reached.
#   .github/scripts/stack-outputs.sh <dir> <org>/<stack> <app>...
# Exits 3 when a stack is not deployed yet (no such stack, or no outputs): the one failure a
# pull request's preview may skip on. Any other exits 1: the token, the network, or a "[secret]"
# for an output the CLIs read (they need those in clear). The outputs that are secrets by design
# (secret-outputs.json beside this script: the health check token, whoever holds it gets past
# WAF's /health limits) stay "[secret]" in the file, and so in the 90-day artifacts: never add
# --show-secrets here. Each app's test holds its secret outputs to that list.
set -euo pipefail

dir=${1:?usage: stack-outputs.sh <dir> <org>/<stack> <app>...}
stack=${2:?usage: stack-outputs.sh <dir> <org>/<stack> <app>...}
shift 2
[[ $# -gt 0 ]] || { echo "stack-outputs.sh: no app given" >&2; exit 2; }

workspace=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

NOT_DEPLOYED=3
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
for app in "$@"; do
  file="$dir/$app.json"
  if ! (cd "$workspace/apps/$app" && pulumi stack output --json --stack "$stack") >"$file" 2>"$errors"; then
    cat "$errors" >&2
    if grep -q "no stack named" "$errors"; then
      echo "stack-outputs.sh: $app ($stack): no such stack: deploy it first" >&2
      exit "$NOT_DEPLOYED"
    fi
    echo "stack-outputs.sh: $app ($stack): pulumi stack output failed (above)" >&2
    exit 1
  fi
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions.
  node -e '
    const [file, app, stack, notDeployed, byDesign] = process.argv.slice(1);
    const { readFileSync } = require("node:fs");
    const outputs = JSON.parse(readFileSync(file, "utf8"));
    const fail = (why) => { console.error(`stack-outputs.sh: ${app} (${stack}): ${why}`); process.exit(1); };
    if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) fail("the outputs are not a JSON object");
    if (Object.keys(outputs).length === 0) {
      console.error(`stack-outputs.sh: ${app} (${stack}): the stack has no outputs: deploy it first`);
      process.exit(Number(notDeployed));
    }
    const SECRET_BY_DESIGN = new Set(JSON.parse(readFileSync(byDesign, "utf8")));
    const secrets = Object.keys(outputs).filter((key) => !SECRET_BY_DESIGN.has(key) && JSON.stringify(outputs[key]).includes("\"[secret]\""));
    if (secrets.length > 0) fail(`secret outputs (${secrets.join(", ")}) print as "[secret]": the CLIs cannot use them`);
    console.log(`${file}: ${Object.keys(outputs).length} outputs`);
  ' "$file" "$app" "$stack" "$NOT_DEPLOYED" "$workspace/.github/scripts/secret-outputs.json"
done
