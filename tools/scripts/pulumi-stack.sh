#!/usr/bin/env bash
# Runs one Pulumi command on one app's stack: the CLI-driven Nx targets (preview, deploy, up,
# refresh, destroy) all come through here.
#   tools/scripts/pulumi-stack.sh <appRoot> <pulumi command> [args...]
# Stack:   $PULUMI_STACK (default: dev), created by the first up or preview; any other command
#          refuses a stack that is not there (destroy: nothing to do).
# Backend: $PULUMI_BACKEND_URL, else a file backend in <workspace>/.pulumi-state (git-ignored).
# Policies: preview and up run the compliance pack ($PAYMENTS_DR_POLICY_PACK, default the one
# `nx run policy-pack:build` writes), so a violation stops them as it stops synth.
# Problems a user can fix (no CLI, no credentials, no passphrase) get one line, not a trace.
set -euo pipefail

app_root=${1:?usage: pulumi-stack.sh <appRoot> <command> [args...]}
command=${2:?usage: pulumi-stack.sh <appRoot> <command> [args...]}
shift 2

workspace=$(cd "$(dirname "$0")/../.." && pwd)
stack=${PULUMI_STACK:-dev}

fail() {
  echo "payments-dr: $*" >&2
  # Nx's run-commands collects a task's output when the process exits, and may drop what it had
  # not read by then (nrwl/nx#36863): give it a moment, or the one line that says why goes missing.
  sleep 0.2
  exit 1
}

command -v pulumi >/dev/null 2>&1 ||
  fail "the Pulumi CLI is not installed (needed for '$command'); install it from https://www.pulumi.com/docs/install/ — 'nx run-many -t synth' works without it."

has_aws_credentials() {
  [[ -n "${AWS_ACCESS_KEY_ID:-}" || -n "${AWS_PROFILE:-}" || -n "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ||
    -n "${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" || -n "${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}" ||
    -f "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" || -f "${AWS_CONFIG_FILE:-$HOME/.aws/config}" ]]
}
# Instance and task roles leave no trace in the environment or files: ask AWS when the CLI is
# here, briefly (one attempt, 5 s), so a network that drops packets does not hold this for minutes.
can_call_aws() {
  command -v aws >/dev/null 2>&1 &&
    AWS_MAX_ATTEMPTS=1 aws sts get-caller-identity --cli-connect-timeout 5 --cli-read-timeout 5 >/dev/null 2>&1
}
has_aws_credentials || can_call_aws ||
  fail "no AWS credentials found for '$command' on stack $stack: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use SSO/OIDC) and retry."

if [[ -z "${PULUMI_BACKEND_URL:-}" ]]; then
  mkdir -p "$workspace/.pulumi-state"
  export PULUMI_BACKEND_URL="file://$workspace/.pulumi-state"
  backend_fallback=1
fi
# A self-managed backend (file, S3, …) encrypts secrets with a passphrase unless the stack names
# another secrets provider (awskms://, gcpkms://, azurekeyvault://, hashivault://); Pulumi Cloud
# (https://) manages them itself. The stack's file is named after its last segment, as the CLI
# names it: Pulumi.dev.yaml for acme/dev or organization/<project>/dev too.
stack_file="$workspace/$app_root/Pulumi.${stack##*/}.yaml"
if [[ "$PULUMI_BACKEND_URL" != https://* ]] &&
  ! grep -Eq '^secretsprovider: *["'"'"']?(awskms|gcpkms|azurekeyvault|hashivault)://' "$stack_file" 2>/dev/null; then
  [[ -n "${PULUMI_CONFIG_PASSPHRASE:-}" || -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]] ||
    fail "the $PULUMI_BACKEND_URL backend encrypts secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE)."
fi
# Said every time: someone logged in elsewhere (`pulumi login`) would otherwise find their stacks
# missing, or an `up` creating new ones here.
if [[ -n "${backend_fallback:-}" ]]; then
  echo "payments-dr: PULUMI_BACKEND_URL is unset: using the workspace's file backend $PULUMI_BACKEND_URL, not the one 'pulumi login' chose" >&2
fi

policy_args=()
if [[ "$command" == "preview" || "$command" == "up" ]]; then
  policy_pack=${PAYMENTS_DR_POLICY_PACK:-$workspace/dist/libs/policy-pack/pack}
  [[ -f "$policy_pack/PulumiPolicy.yaml" ]] ||
    fail "the policy pack is not built at $policy_pack: run 'npx nx run policy-pack:build' (the nx targets do it for you)."
  policy_args=(--policy-pack "$policy_pack")
fi

cd "$workspace/$app_root"
# Only up and preview create the stack (a first deploy). Any other command would act on a new,
# empty stack while the real one sits on another backend or under another name: a refresh that
# finds nothing and says it succeeded. Refuse instead; a destroy has nothing to do.
if [[ "$command" == "up" || "$command" == "preview" ]]; then
  pulumi stack select --create "$stack" --non-interactive >/dev/null
elif ! select_errors=$(pulumi stack select "$stack" --non-interactive 2>&1 >/dev/null); then
  if [[ "$select_errors" != *"no stack named"* ]]; then
    select_errors=$(tr '\n' ' ' <<<"$select_errors")
    fail "cannot select stack $stack of $app_root on $PULUMI_BACKEND_URL: ${select_errors% }"
  fi
  where="no stack $stack of $app_root on $PULUMI_BACKEND_URL"
  if [[ "$command" == "destroy" ]]; then
    echo "payments-dr: $where: nothing to destroy." >&2
    exit 0
  fi
  fail "$where: nothing to $command. Check PULUMI_BACKEND_URL and PULUMI_STACK (Pulumi Cloud: PULUMI_BACKEND_URL=https://api.pulumi.com and PULUMI_STACK=<org>/<stack>)."
fi

# Destroy only while the writer is at home: away from it, the destroy order fails halfway
# (writer-home.mjs says why). The primary-region stack's outputs name both; no such stack,
# nothing deployed to protect. Any other failure to read them refuses: it proves nothing.
# That stack is the one this stack's payments-dr:primaryStack names, else $stack in
# apps/primary-region on this backend (what `nx run primary-region:…` selects), as the programs'
# default names it (in the stack's own organization).
if [[ "$command" == "destroy" && "${PAYMENTS_DR_DESTROY_AWAY_FROM_HOME:-}" != 1 ]]; then
  override="PAYMENTS_DR_DESTROY_AWAY_FROM_HOME=1 destroys anyway"
  primary_stack=$stack
  if [[ "$app_root" != apps/primary-region ]] && configured=$(pulumi config get payments-dr:primaryStack --stack "$stack" 2>/dev/null); then
    primary_stack=$configured
  fi
  errors_file=$(mktemp)
  read_ok=true
  primary_outputs=$(cd "$workspace/apps/primary-region" && pulumi stack output --stack "$primary_stack" --json 2>"$errors_file") || read_ok=false
  read_errors=$(tr '\n' ' ' <"$errors_file")
  rm -f "$errors_file"
  if [[ "$read_ok" == true ]]; then
    reason=$(NODE_NO_WARNINGS=1 node "$workspace/tools/scripts/writer-home.mjs" <<<"$primary_outputs" 2>&1) ||
      fail "not destroying $app_root ($stack): $reason ($override)"
  elif [[ "$read_errors" != *"no stack named"* ]]; then
    fail "not destroying $app_root ($stack): cannot read the outputs of $primary_stack to check where the database's writer is: ${read_errors}($override)"
  fi
fi
# ${a[@]+"${a[@]}"}: an empty array under `set -u` is an error in bash before 4.4 (macOS's 3.2).
exec pulumi "$command" --stack "$stack" ${policy_args[@]+"${policy_args[@]}"} "$@"
