#!/usr/bin/env bash
# The baseline: one PR run the way the original spike's test-local-pr.sh did it, with nothing but
# kubectl. Create the token Secret, apply the rendered manifests, wait for the Job to complete, print
# its log, show the Job, delete everything. "@@bench <phase>" lines let the bench time the phases; they
# cost an echo (a bash builtin), not a process.
#
# Environment: KUBECTL (path to kubectl 1.35), KUBECONFIG, NAMESPACE, JOB_NAME, SECRET_NAME,
# MANIFEST (the rendered YAML), GITHUB_PAT, WAIT_TIMEOUT (default 600s), SECRET_VIA (create | apply).
#
# SECRET_VIA=apply is for API servers that refuse `kubectl create secret`'s protobuf body (the bench
# probes once): the same Secret goes to the server as YAML inside the one `kubectl apply`, which saves
# the script one kubectl start, so it only flatters the baseline.
set -euo pipefail

: "${KUBECTL:?set KUBECTL to the kubectl binary}"
: "${KUBECONFIG:?set KUBECONFIG}"
: "${NAMESPACE:?set NAMESPACE}"
: "${JOB_NAME:?set JOB_NAME}"
: "${SECRET_NAME:?set SECRET_NAME}"
: "${MANIFEST:?set MANIFEST}"
: "${GITHUB_PAT:?set GITHUB_PAT}"
export KUBECONFIG

k() { "$KUBECTL" -n "$NAMESPACE" "$@"; }

echo "@@bench started"
if [ "${SECRET_VIA:-create}" = create ]; then
  # stdin keeps the token out of argv (what renderManifests' header tells people to do).
  printf %s "$GITHUB_PAT" | k create secret generic "$SECRET_NAME" --from-file=token=/dev/stdin >/dev/null
  k apply -f "$MANIFEST" >/dev/null
else
  {
    printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: %s\ntype: Opaque\nstringData:\n  token: "%s"\n---\n' \
      "$SECRET_NAME" "$NAMESPACE" "$GITHUB_PAT"
    printf '%s\n' "$(<"$MANIFEST")"
  } | k apply -f - >/dev/null
fi
echo "@@bench applied"

k wait --for=condition=complete "job/$JOB_NAME" --timeout="${WAIT_TIMEOUT:-600s}" >/dev/null
echo "@@bench completed"
k logs -f "job/$JOB_NAME"
k get job "$JOB_NAME"
echo "@@bench finished"

k delete -f "$MANIFEST" >/dev/null
k delete secret "$SECRET_NAME" >/dev/null
echo "@@bench cleaned-up"
