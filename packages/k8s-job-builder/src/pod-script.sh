# pr-pod: the script the pull request's pod runs. POSIX sh that runs under busybox ash (docker:24-git),
# with busybox find/sed/grep/awk/sort/tee, git, and docker buildx.
#
# Every path and setting comes from the environment (the Job sets them; see pod-script-env.ts), never from
# literals, because test runtimes remap mounted paths through env values:
#   PR_POD_WORKSPACE        writable folder (an emptyDir); the clone goes to $PR_POD_WORKSPACE/src
#   PR_POD_TERMINATION_LOG  the container's terminationMessagePath; the report is written there
#   PR_POD_CHECKOUT         head | merge (onto the base branch's current tip)
#   PR_POD_PIN_BASE         true: checkout merge onto PR_BASE_SHA instead of the base branch's tip
#   PR_POD_BUILD            true | false; PR_POD_BAKE true | false
#   PR_POD_BUILDER_NAME, PR_POD_NAMESPACE, PR_POD_BUILDX_DRIVER_OPTS   the buildx Kubernetes driver
#   PR_POD_BUILDX_DRIVER    kubernetes (default) | remote | docker; PR_POD_BUILDX_ENDPOINT for remote (required) and
#                           docker (optional, else DOCKER_HOST)
#   PR_POD_REGISTRY         optional: push every image there, named by PR_POD_IMAGE_TEMPLATE (default
#                           {registry}/{owner}/{repo}/{target}:pr-{pr}-{sha7}); PR_POD_REGISTRY_INSECURE true for
#                           plain HTTP; PR_POD_REGISTRY_AUTH the mounted .dockerconfigjson; PR_POD_CACHE registry|none
#   PR_POD_BUILD_NETWORK    optional: buildx --network for RUN steps (none | host | default)
#   PR_POD_GIT_TOKEN        optional; read by git's credential helper only, at use time
#   PR_POD_TRACE            true turns on `set -x` (the token is never expanded by this script)
#   PR_POD_LOCAL_CHANGES    optional (`pr-pod run --source`): the folder of the mounted local-changes ConfigMap,
#                           holding local.bundle (unpushed commits on top of PR_HEAD_SHA) and/or local.diff
#                           (uncommitted changes, `git diff --binary`); PR_POD_LOCAL_HEAD_SHA is the bundle's head
#   PR_* (pr-context's prPodEnv): PR_REPO, PR_NUMBER, PR_HEAD_SHA, PR_HEAD_REF, PR_BASE_REF, PR_BASE_SHA,
#                                 PR_CLONE_URL, PR_BASE_CLONE_URL
# Exit codes (the table is exported as PR_POD_EXIT_CODES; a test keeps the two in sync):
EXIT_OK=0
EXIT_CONFIG=10
EXIT_AUTH=11
EXIT_CLONE=12
EXIT_MERGE_CONFLICT=13
EXIT_VERIFY=14
EXIT_BUILDER=15
EXIT_BUILD=16
EXIT_LOCAL_BUNDLE=17
EXIT_LOCAL_DIFF=18
EXIT_UNREACHABLE=19
EXIT_TERMINATED=143

set -u
if [ "${PR_POD_TRACE:-false}" = true ]; then set -x; fi

PR_POD_REPORT_MARKER='::pr-pod-report::'
PR_POD_CUT_MARKER='::pr-pod-report-cut::'
PR_POD_MESSAGE_LIMIT=4096

# --- small helpers ----------------------------------------------------------------------------------------

pr_pod_log() {
  printf '[pr-pod] %s\n' "$*"
}

# Milliseconds on a monotonic clock (/proc/uptime has centiseconds), or wall-clock seconds * 1000.
pr_pod_now_ms() {
  if read -r _pr_pod_up _pr_pod_idle < /proc/uptime 2>/dev/null; then
    case $_pr_pod_up in
      *.??)
        _pr_pod_cs=${_pr_pod_up#*.}
        echo "$(( ${_pr_pod_up%.*} * 1000 + ${_pr_pod_cs#0} * 10 ))"
        return ;;
    esac
  fi
  echo "$(( $(date +%s) * 1000 ))"
}

# JSON string escaping without jq: quotes, backslashes and every control character; other bytes (UTF-8 file
# names included) pass through unchanged.
PR_POD_AWK_ESCAPE='BEGIN { for (i = 1; i < 32; i++) e[sprintf("%c", i)] = sprintf("\\u%04x", i); e["\t"] = "\\t"; e["\r"] = "\\r"; e["\""] = "\\\""; e["\\"] = "\\\\" }
function esc(s,   out, n, i, c) { out = ""; n = length(s); for (i = 1; i <= n; i++) { c = substr(s, i, 1); out = out ((c in e) ? e[c] : c) }; return out }'

# pr_pod_json_str VALUE -> "escaped" (newlines inside VALUE become \n); awk only when something needs escaping
pr_pod_json_str() {
  case $1 in
    *[\"\\]* | *[[:cntrl:]]*)
      printf '%s\n' "$1" | awk "$PR_POD_AWK_ESCAPE"'
{ out = (NR > 1 ? out "\\n" : "") esc($0) } END { printf "\"%s\"", out }' ;;
    *) printf '"%s"' "$1" ;;
  esac
}

# pr_pod_json_lines FILE -> ["line 1","line 2"] (one string per line; a missing file is [])
pr_pod_json_lines() {
  if [ ! -s "$1" ]; then printf '[]'; return; fi
  awk "$PR_POD_AWK_ESCAPE"'
{ out = out (NR > 1 ? "," : "") "\"" esc($0) "\"" } END { printf "[%s]", out }' "$1"
}

# pr_pod_json_lines_where FILE STATUS [MAX] -> the second tab-separated field of lines whose first field is
# STATUS (at most MAX of them)
pr_pod_json_lines_where() {
  if [ ! -s "$1" ]; then printf '[]'; return; fi
  awk -F '\t' -v want="$2" -v max="${3:-0}" "$PR_POD_AWK_ESCAPE"'
$1 == want && (max == 0 || n < max) { out = out (n++ ? "," : "") "\"" esc($2) "\"" } END { printf "[%s]", out }' "$1"
}

# @@VERIFY_FILES_SNIPPET@@

# --- the report --------------------------------------------------------------------------------------------

R_STAGE=config
R_ERROR=
R_SHA=
R_BASE_SHA=
R_FILES_FILE=
R_ARTIFACTS_DIR=
R_BUILDS_FILE=
R_DURATIONS=
R_FINISHED=0
PR_POD_T0=$(pr_pod_now_ms)

pr_pod_add_duration() {
  R_DURATIONS="$R_DURATIONS${R_DURATIONS:+,}\"$1\":$2"
}

# pr_pod_report_json EXIT_CODE SHORT(0|1)
pr_pod_report_json() {
  _pr_pod_ok=false
  if [ "$1" = 0 ]; then _pr_pod_ok=true; fi
  printf '{"version":1,"ok":%s,"exitCode":%s,"stage":"%s"' "$_pr_pod_ok" "$1" "$R_STAGE"
  if [ -n "$R_ERROR" ]; then
    if [ "$2" = 1 ]; then
      printf ',"error":%s' "$(pr_pod_json_str "$(printf '%s' "$R_ERROR" | head -c 1024)")"
    else
      printf ',"error":%s' "$(pr_pod_json_str "$R_ERROR")"
    fi
  fi
  if [ -n "${PR_REPO:-}" ]; then printf ',"repo":%s' "$(pr_pod_json_str "$PR_REPO")"; fi
  case ${PR_NUMBER:-x} in
    '' | *[!0-9]*) ;;
    *) printf ',"pr":%s' "$PR_NUMBER" ;;
  esac
  printf ',"checkout":%s' "$(pr_pod_json_str "${PR_POD_CHECKOUT:-head}")"
  if [ -n "${PR_HEAD_SHA:-}" ]; then printf ',"headSha":%s' "$(pr_pod_json_str "$PR_HEAD_SHA")"; fi
  if [ -n "$R_BASE_SHA" ]; then printf ',"baseSha":"%s"' "$R_BASE_SHA"; fi
  if [ -n "$R_SHA" ]; then printf ',"sha":"%s"' "$R_SHA"; fi
  if [ -n "$R_FILES_FILE" ] && [ -f "$R_FILES_FILE" ]; then
    if [ "$2" = 1 ]; then
      printf ',"files":{"found":[],"missing":%s,"optionalFound":[],"optionalMissing":[]}' \
        "$(pr_pod_json_lines_where "$R_FILES_FILE" missing 20)"
    else
      printf ',"files":{"found":%s,"missing":%s,"optionalFound":%s,"optionalMissing":%s}' \
        "$(pr_pod_json_lines_where "$R_FILES_FILE" found)" \
        "$(pr_pod_json_lines_where "$R_FILES_FILE" missing)" \
        "$(pr_pod_json_lines_where "$R_FILES_FILE" optional-found)" \
        "$(pr_pod_json_lines_where "$R_FILES_FILE" optional-missing)"
    fi
  fi
  if [ "$2" = 0 ] && [ -n "$R_ARTIFACTS_DIR" ] && [ -d "$R_ARTIFACTS_DIR" ]; then
    printf ',"artifacts":{"dockerfiles":%s,"bakeFiles":%s,"composeFiles":%s,"charts":%s}' \
      "$(pr_pod_json_lines "$R_ARTIFACTS_DIR/dockerfiles")" \
      "$(pr_pod_json_lines "$R_ARTIFACTS_DIR/bake")" \
      "$(pr_pod_json_lines "$R_ARTIFACTS_DIR/compose")" \
      "$(pr_pod_json_lines "$R_ARTIFACTS_DIR/charts")"
  fi
  if [ "$2" = 0 ] && [ -n "$R_BUILDS_FILE" ] && [ -s "$R_BUILDS_FILE" ]; then
    printf ',"builds":[%s]' "$(awk '{ printf "%s%s", (NR > 1 ? "," : ""), $0 }' "$R_BUILDS_FILE")"
  fi
  printf ',"durationsMs":{%s%s"total":%s}' "$R_DURATIONS" "${R_DURATIONS:+,}" "$(( $(pr_pod_now_ms) - PR_POD_T0 ))"
  if [ "$2" = 1 ]; then printf ',"truncated":true'; fi
  printf '}'
}

# Writes the report (the termination message, cut to the kubelet's 4096 bytes with a short form) and prints
# it once on a marked log line, then exits with CODE. Runs once, also from the TERM trap.
pr_pod_finish() {
  _pr_pod_code=$1
  if [ "$R_FINISHED" = 1 ]; then exit "$_pr_pod_code"; fi
  R_FINISHED=1
  if [ -n "${2:-}" ]; then R_ERROR=$2; fi
  if [ "$_pr_pod_code" = 0 ]; then R_STAGE=done; fi
  _pr_pod_json=$(pr_pod_report_json "$_pr_pod_code" 0)
  if [ -n "${PR_POD_TERMINATION_LOG:-}" ]; then
    _pr_pod_size=$(printf '%s' "$_pr_pod_json" | wc -c)
    if [ "$_pr_pod_size" -le "$PR_POD_MESSAGE_LIMIT" ]; then
      printf '%s' "$_pr_pod_json" 2>/dev/null > "$PR_POD_TERMINATION_LOG"
    else
      _pr_pod_short=$(pr_pod_report_json "$_pr_pod_code" 1)
      if [ "$(printf '%s' "$_pr_pod_short" | wc -c)" -le "$PR_POD_MESSAGE_LIMIT" ]; then
        printf '%s' "$_pr_pod_short" 2>/dev/null > "$PR_POD_TERMINATION_LOG"
      else
        { printf '%s' "$_pr_pod_short" | head -c 4000; printf '\n%s' "$PR_POD_CUT_MARKER"; } 2>/dev/null > "$PR_POD_TERMINATION_LOG"
      fi
    fi || pr_pod_log "could not write the report to PR_POD_TERMINATION_LOG"
  fi
  if [ "$_pr_pod_code" != 0 ]; then
    pr_pod_log "failed in stage $R_STAGE (exit $_pr_pod_code): $R_ERROR"
  else
    pr_pod_log "done"
  fi
  printf '%s%s\n' "$PR_POD_REPORT_MARKER" "$_pr_pod_json"
  exit "$_pr_pod_code"
}

# --- cleanup on any exit ---------------------------------------------------------------------------------

PR_POD_BUILDER_CREATED=0
pr_pod_cleanup() {
  if [ "$PR_POD_BUILDER_CREATED" = 1 ]; then
    PR_POD_BUILDER_CREATED=0
    pr_pod_log "removing buildx builder $PR_POD_BUILDER_NAME"
    docker buildx rm "$PR_POD_BUILDER_NAME" > /dev/null 2>&1 || pr_pod_log "could not remove buildx builder $PR_POD_BUILDER_NAME"
  fi
}
trap pr_pod_cleanup EXIT
trap 'pr_pod_finish "$EXIT_TERMINATED" "terminated by a signal (the Job deadline, or the run was cancelled)"' TERM INT HUP

# --- stage: config ---------------------------------------------------------------------------------------

pr_pod_require() {
  eval "_pr_pod_value=\${$1:-}"
  if [ -z "$_pr_pod_value" ]; then
    pr_pod_finish "$EXIT_CONFIG" "$1 is not set: the Job must set it (rebuild the Job with @pr-pod/k8s-job-builder)"
  fi
}

for _pr_pod_var in PR_POD_WORKSPACE PR_CLONE_URL PR_HEAD_SHA PR_NUMBER; do pr_pod_require "$_pr_pod_var"; done
PR_POD_CHECKOUT=${PR_POD_CHECKOUT:-head}
case $PR_POD_CHECKOUT in
  head) ;;
  merge) pr_pod_require PR_BASE_REF; pr_pod_require PR_BASE_CLONE_URL ;;
  *) pr_pod_finish "$EXIT_CONFIG" "PR_POD_CHECKOUT is \"$PR_POD_CHECKOUT\": use head or merge" ;;
esac
if [ "${PR_POD_PIN_BASE:-false}" = true ]; then
  if [ "$PR_POD_CHECKOUT" != merge ]; then
    pr_pod_finish "$EXIT_CONFIG" "PR_POD_PIN_BASE=true pins the base of checkout merge, but PR_POD_CHECKOUT is $PR_POD_CHECKOUT"
  fi
  case ${PR_BASE_SHA:-} in
    '' | *[!0-9a-f]*) pr_pod_finish "$EXIT_CONFIG" "PR_POD_PIN_BASE=true needs PR_BASE_SHA, a full lowercase 40-hex commit SHA (it is \"${PR_BASE_SHA:-}\")" ;;
  esac
fi
case $PR_HEAD_SHA in
  *[!0-9a-f]*) pr_pod_finish "$EXIT_CONFIG" "PR_HEAD_SHA \"$PR_HEAD_SHA\" is not a full lowercase 40-hex commit SHA" ;;
esac
if [ "${#PR_HEAD_SHA}" -ne 40 ]; then
  pr_pod_finish "$EXIT_CONFIG" "PR_HEAD_SHA \"$PR_HEAD_SHA\" is not a full lowercase 40-hex commit SHA"
fi
for _pr_pod_var in PR_CLONE_URL PR_BASE_CLONE_URL; do
  eval "_pr_pod_value=\${$_pr_pod_var:-}"
  case $_pr_pod_value in
    '') ;;
    http://*@* | https://*@*)
      # Never echo the value: it may hold a password.
      pr_pod_finish "$EXIT_CONFIG" "$_pr_pod_var carries credentials (user@ or user:password@): pass the token through the Secret instead" ;;
    http://* | https://*) ;;
    *) pr_pod_finish "$EXIT_CONFIG" "$_pr_pod_var \"$_pr_pod_value\" is not an http(s) clone URL" ;;
  esac
done
PR_POD_BUILD=${PR_POD_BUILD:-false}
PR_POD_BAKE=${PR_POD_BAKE:-false}
if [ "$PR_POD_BUILD" = true ]; then
  pr_pod_require PR_POD_BUILDER_NAME
  pr_pod_require PR_POD_NAMESPACE
fi

PR_POD_SRC="$PR_POD_WORKSPACE/src"
PR_POD_TMP="$PR_POD_WORKSPACE/.pr-pod"
if ! mkdir -p "$PR_POD_TMP" 2>/dev/null || [ ! -w "$PR_POD_TMP" ]; then
  pr_pod_finish "$EXIT_CONFIG" "PR_POD_WORKSPACE \"$PR_POD_WORKSPACE\" is not writable: mount an emptyDir there"
fi
if [ -e "$PR_POD_SRC" ]; then rm -rf "$PR_POD_SRC"; fi

# --- stage: clone ----------------------------------------------------------------------------------------

R_STAGE=clone
export GIT_TERMINAL_PROMPT=0
# The credential helper lives in env-only git config (GIT_CONFIG_COUNT), never in a file; it expands the
# token inside git's own helper shell when git asks, so the token is in no URL, argv or .git/config. The empty
# first value drops helpers from any other config. It answers only for the hosts of the two clone URLs, so a
# redirect elsewhere never gets the token.
pr_pod_url_host() {
  _pr_pod_rest=${1#*://}
  printf '%s' "${_pr_pod_rest%%/*}"
}
if [ -n "${PR_POD_GIT_TOKEN:+set}" ]; then
  export PR_POD_GIT_HOSTS=" $(pr_pod_url_host "$PR_CLONE_URL") $(pr_pod_url_host "${PR_BASE_CLONE_URL:-$PR_CLONE_URL}") "
  export GIT_CONFIG_COUNT=2
  export GIT_CONFIG_KEY_0=credential.helper GIT_CONFIG_VALUE_0=
  export GIT_CONFIG_KEY_1=credential.helper
  export GIT_CONFIG_VALUE_1='!f() { test "$1" = get || exit 0; h=; while IFS= read -r l && [ -n "$l" ]; do case $l in host=*) h=${l#host=} ;; esac; done; case "$PR_POD_GIT_HOSTS" in *" $h "*) echo username=x-access-token; echo "password=${PR_POD_GIT_TOKEN:-}" ;; *) echo "pr-pod: not sending the token to $h (only to:$PR_POD_GIT_HOSTS)" >&2 ;; esac; }; f'
  PR_POD_AUTH_NOTE="with the token"
else
  PR_POD_AUTH_NOTE="without a token"
fi

PR_POD_GIT_ERR="$PR_POD_TMP/git-stderr"

# pr_pod_git ARGS... : runs git in the clone, shows its stderr, keeps it for the error message
pr_pod_git() {
  git -C "$PR_POD_SRC" "$@" 2> "$PR_POD_GIT_ERR"
  _pr_pod_rc=$?
  if [ -s "$PR_POD_GIT_ERR" ]; then cat "$PR_POD_GIT_ERR" >&2; fi
  return "$_pr_pod_rc"
}

pr_pod_git_error() {
  grep -v '^hint:' "$PR_POD_GIT_ERR" 2>/dev/null | grep . | tail -n 3 | tr '\n' ' ' | sed 's/ $//'
}

# Exits with EXIT_AUTH when the last git error says the server refused the credentials.
pr_pod_check_auth() {
  if grep -q 'pr-pod: not sending the token to' "$PR_POD_GIT_ERR" 2>/dev/null; then
    pr_pod_finish "$EXIT_AUTH" "$1 sent git to another host that asked for credentials; $(grep 'pr-pod: not sending the token to' "$PR_POD_GIT_ERR" | tail -n 1 | sed 's/^pr-pod: //')"
  fi
  if grep -q -i -E 'Authentication failed|could not read (Username|Password)|terminal prompts disabled|returned error: 40[13]|HTTP 40[13]|403 Forbidden|Invalid username or (password|token)' "$PR_POD_GIT_ERR" 2>/dev/null; then
    if [ "$PR_POD_AUTH_NOTE" = "without a token" ]; then
      pr_pod_finish "$EXIT_AUTH" "the git server at $1 asked for credentials and the pod has no token: create the token Secret, or run on a public repository"
    fi
    pr_pod_finish "$EXIT_AUTH" "the git server at $1 refused the token (HTTP 401/403): check that it is valid, not expired, and can read the repository"
  fi
}

# Exits with EXIT_UNREACHABLE when the last git error says the server was not reached at all: connection
# refused or timed out, DNS, TLS handshake or certificate. Asking the same server for other refs cannot help,
# and "was the PR force-pushed?" would send the user the wrong way. Only curl's own words are looked at (the
# text after "unable to access '<url>': ", or "RPC failed; curl N"), never a URL or a server's message.
pr_pod_check_network() {
  _pr_pod_cause=$(sed -n -e "s/^fatal: unable to access '[^']*': //p" -e 's/^error: RPC failed; //p' "$PR_POD_GIT_ERR" 2>/dev/null | tail -n 1)
  case $_pr_pod_cause in
    *"Failed to connect"* | *"Couldn't connect"* | *"Connection refused"* | *"Could not resolve"* | \
      *"Couldn't resolve"* | *"timed out"* | *"Network is unreachable"* | *"No route to host"* | \
      *"Connection reset"* | *"Empty reply from server"* | *"Recv failure"* | *"Send failure"* | \
      *SSL* | *TLS* | *handshake* | *certificate* | *"wrong version number"* | *"Proxy CONNECT"*)
      pr_pod_finish "$EXIT_UNREACHABLE" "cannot reach the git server at $1: $_pr_pod_cause" ;;
  esac
}

# What a failed fetch from URL means, when it is not "that ref or commit is not there": the server refused
# the credentials (EXIT_AUTH), or could not be reached (EXIT_UNREACHABLE). Returns when it is neither.
pr_pod_check_fetch_failure() {
  pr_pod_check_auth "$1"
  pr_pod_check_network "$1"
}

# pr_pod_fetch_commit SHA URL BRANCH: brings SHA into the clone. A shallow fetch of the SHA first (GitHub and
# any server with uploadpack.allowReachableSHA1InWant allow it); when the server refuses, the branch's full
# history, then the base repository's refs/pull/N/head.
pr_pod_fetch_commit() {
  if [ "${3:-}" = shallow ]; then _pr_pod_depth=--depth=1; else _pr_pod_depth=; fi
  if pr_pod_git fetch --quiet --no-tags $_pr_pod_depth "$2" "$1"; then return 0; fi
  pr_pod_check_fetch_failure "$2"
  _pr_pod_first_error=$(pr_pod_git_error)
  pr_pod_log "the server would not send commit $1 by SHA ($_pr_pod_first_error); fetching branch ${PR_HEAD_REF:-?} instead"
  if [ -n "${PR_HEAD_REF:-}" ]; then
    pr_pod_git fetch --quiet --no-tags "$2" "+refs/heads/$PR_HEAD_REF:refs/remotes/pr-pod/head" || pr_pod_check_fetch_failure "$2"
  fi
  if git -C "$PR_POD_SRC" cat-file -e "$1^{commit}" 2>/dev/null; then return 0; fi
  if [ -n "${PR_BASE_CLONE_URL:-}" ]; then
    pr_pod_log "commit $1 is not on branch ${PR_HEAD_REF:-?}; fetching refs/pull/$PR_NUMBER/head"
    pr_pod_git fetch --quiet --no-tags "$PR_BASE_CLONE_URL" "+refs/pull/$PR_NUMBER/head:refs/remotes/pr-pod/pull" ||
      pr_pod_check_fetch_failure "$PR_BASE_CLONE_URL"
  fi
  if git -C "$PR_POD_SRC" cat-file -e "$1^{commit}" 2>/dev/null; then return 0; fi
  pr_pod_finish "$EXIT_CLONE" "could not fetch commit $1 from $2: $_pr_pod_first_error (was the PR force-pushed? re-run with the current head SHA)"
}

PR_POD_T_CLONE=$(pr_pod_now_ms)
if ! git init --quiet "$PR_POD_SRC" 2> "$PR_POD_GIT_ERR"; then
  pr_pod_finish "$EXIT_CLONE" "git init failed in $PR_POD_SRC: $(pr_pod_git_error)"
fi

if [ "$PR_POD_CHECKOUT" = head ]; then
  pr_pod_log "fetching $PR_CLONE_URL at $PR_HEAD_SHA ($PR_POD_AUTH_NOTE)"
  pr_pod_git remote add origin "$PR_CLONE_URL"
  pr_pod_fetch_commit "$PR_HEAD_SHA" "$PR_CLONE_URL" shallow
  if ! pr_pod_git checkout --quiet --detach "$PR_HEAD_SHA"; then
    pr_pod_finish "$EXIT_CLONE" "could not check out $PR_HEAD_SHA: $(pr_pod_git_error)"
  fi
else
  # Like Prow's clonerefs: check out the base, then merge the PR's head onto it with --no-ff.
  pr_pod_log "fetching base $PR_BASE_REF from $PR_BASE_CLONE_URL ($PR_POD_AUTH_NOTE)"
  pr_pod_git remote add origin "$PR_BASE_CLONE_URL"
  if ! pr_pod_git fetch --quiet --no-tags origin "+refs/heads/$PR_BASE_REF:refs/remotes/origin/$PR_BASE_REF"; then
    pr_pod_check_fetch_failure "$PR_BASE_CLONE_URL"
    pr_pod_finish "$EXIT_CLONE" "could not fetch base branch $PR_BASE_REF from $PR_BASE_CLONE_URL: $(pr_pod_git_error)"
  fi
  # The base branch's tip now, as GitHub's merge ref and Prow do at trigger time: an event's base.sha can
  # be older than the branch, and a PR that conflicts with today's base must not merge onto yesterday's.
  # PR_POD_PIN_BASE=true merges onto PR_BASE_SHA instead, when a run must reproduce that exact base.
  _pr_pod_base_tip=$(git -C "$PR_POD_SRC" rev-parse "refs/remotes/origin/$PR_BASE_REF")
  if [ "${PR_POD_PIN_BASE:-false}" = true ]; then
    if ! git -C "$PR_POD_SRC" cat-file -e "$PR_BASE_SHA^{commit}" 2>/dev/null; then
      if ! pr_pod_git fetch --quiet --no-tags origin "$PR_BASE_SHA"; then
        pr_pod_check_fetch_failure "$PR_BASE_CLONE_URL"
        pr_pod_finish "$EXIT_CLONE" "pinned base commit $PR_BASE_SHA is not on $PR_BASE_REF: $(pr_pod_git_error)"
      fi
    fi
    R_BASE_SHA=$PR_BASE_SHA
    pr_pod_log "merging onto the pinned base $PR_BASE_REF at $R_BASE_SHA (the branch is at $_pr_pod_base_tip now)"
  else
    R_BASE_SHA=$_pr_pod_base_tip
    if [ -n "${PR_BASE_SHA:-}" ] && [ "$PR_BASE_SHA" != "$R_BASE_SHA" ]; then
      pr_pod_log "merging onto $PR_BASE_REF at its current tip $R_BASE_SHA, not the event's base $PR_BASE_SHA (the branch moved since; pin the base to use that one)"
    else
      pr_pod_log "merging onto $PR_BASE_REF at its current tip $R_BASE_SHA"
    fi
  fi
  pr_pod_git checkout --quiet --detach "$R_BASE_SHA" ||
    pr_pod_finish "$EXIT_CLONE" "could not check out base $R_BASE_SHA: $(pr_pod_git_error)"
  pr_pod_log "fetching head $PR_HEAD_SHA from $PR_CLONE_URL"
  pr_pod_fetch_commit "$PR_HEAD_SHA" "$PR_CLONE_URL" full
  R_STAGE=merge
  if ! pr_pod_git -c user.name=pr-pod -c user.email=pr-pod@localhost merge --no-ff --no-stat --quiet \
    -m "Merge pull request #$PR_NUMBER ($PR_HEAD_SHA) into $PR_BASE_REF" "$PR_HEAD_SHA" > /dev/null; then
    _pr_pod_conflicts=$(git -C "$PR_POD_SRC" diff --name-only --diff-filter=U 2>/dev/null | tr '\n' ' ' | sed 's/ $//')
    if [ -n "$_pr_pod_conflicts" ]; then
      git -C "$PR_POD_SRC" merge --abort > /dev/null 2>&1
      pr_pod_finish "$EXIT_MERGE_CONFLICT" "PR #$PR_NUMBER does not merge cleanly into $PR_BASE_REF ($R_BASE_SHA): conflicts in $_pr_pod_conflicts; rebase the PR onto $PR_BASE_REF, or use checkout head"
    fi
    pr_pod_finish "$EXIT_MERGE_CONFLICT" "merging PR #$PR_NUMBER into $PR_BASE_REF failed: $(pr_pod_git_error)"
  fi
fi
R_SHA=$(git -C "$PR_POD_SRC" rev-parse HEAD)

# Drop the credentials before anything from the pull request is read or run.
unset PR_POD_GIT_TOKEN PR_POD_GIT_HOSTS GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0 GIT_CONFIG_KEY_1 GIT_CONFIG_VALUE_1
pr_pod_add_duration clone "$(( $(pr_pod_now_ms) - PR_POD_T_CLONE ))"
pr_pod_log "checked out $R_SHA"

# --- stage: local changes (pr-pod run --source) ------------------------------------------------------------
# What exists only in the developer's checkout, applied on top of the pushed head: unpushed commits from a git
# bundle (its prerequisite is PR_HEAD_SHA), then uncommitted changes from a binary diff. No credentials left:
# both come from the mounted ConfigMap, never from the network.

if [ -n "${PR_POD_LOCAL_CHANGES:-}" ]; then
  PR_POD_T_LOCAL=$(pr_pod_now_ms)
  if [ "$PR_POD_CHECKOUT" != head ]; then
    pr_pod_finish "$EXIT_CONFIG" "local changes (PR_POD_LOCAL_CHANGES) apply on checkout head only, not $PR_POD_CHECKOUT: run --source with --checkout head"
  fi
  if [ ! -d "$PR_POD_LOCAL_CHANGES" ]; then
    pr_pod_finish "$EXIT_CONFIG" "PR_POD_LOCAL_CHANGES \"$PR_POD_LOCAL_CHANGES\" is not a folder: mount the run's local-changes ConfigMap there"
  fi
  if [ -f "$PR_POD_LOCAL_CHANGES/local.bundle" ]; then
    pr_pod_log "applying the unpushed commits (local.bundle) on top of $R_SHA"
    if ! pr_pod_git fetch --quiet --no-tags "$PR_POD_LOCAL_CHANGES/local.bundle" HEAD; then
      pr_pod_finish "$EXIT_LOCAL_BUNDLE" "could not fetch the unpushed commits from local.bundle on top of $R_SHA: $(pr_pod_git_error) (was the branch rebased or force-pushed since? push it, or re-run so the bundle is made against the current upstream)"
    fi
    _pr_pod_local_head=$(git -C "$PR_POD_SRC" rev-parse FETCH_HEAD)
    if [ -n "${PR_POD_LOCAL_HEAD_SHA:-}" ] && [ "$_pr_pod_local_head" != "$PR_POD_LOCAL_HEAD_SHA" ]; then
      pr_pod_finish "$EXIT_LOCAL_BUNDLE" "local.bundle holds $_pr_pod_local_head, not the local head $PR_POD_LOCAL_HEAD_SHA: re-run so the ConfigMap is made anew"
    fi
    if ! pr_pod_git checkout --quiet --detach "$_pr_pod_local_head"; then
      pr_pod_finish "$EXIT_LOCAL_BUNDLE" "could not check out the local head $_pr_pod_local_head: $(pr_pod_git_error)"
    fi
  fi
  R_SHA=$(git -C "$PR_POD_SRC" rev-parse HEAD)
  if [ -f "$PR_POD_LOCAL_CHANGES/local.diff" ]; then
    pr_pod_log "applying the uncommitted changes (local.diff) to $R_SHA"
    if ! pr_pod_git apply --binary --whitespace=nowarn "$PR_POD_LOCAL_CHANGES/local.diff"; then
      pr_pod_finish "$EXIT_LOCAL_DIFF" "the uncommitted changes (local.diff) do not apply to $R_SHA: $(pr_pod_git_error) (commit them and re-run, or stash what is unrelated)"
    fi
  fi
  pr_pod_add_duration localChanges "$(( $(pr_pod_now_ms) - PR_POD_T_LOCAL ))"
  pr_pod_log "local changes applied; the tree is the local checkout's"
fi

# --- stage: verify ---------------------------------------------------------------------------------------

R_STAGE=verify
PR_POD_T_VERIFY=$(pr_pod_now_ms)
R_FILES_FILE="$PR_POD_TMP/files.tsv"
PR_POD_VERIFY_FAILED=0
pr_pod_verify_files "$PR_POD_SRC" "$R_FILES_FILE" || PR_POD_VERIFY_FAILED=1
pr_pod_add_duration verify "$(( $(pr_pod_now_ms) - PR_POD_T_VERIFY ))"
while IFS="$(printf '\t')" read -r _pr_pod_status _pr_pod_pattern; do
  pr_pod_log "file $_pr_pod_status: $_pr_pod_pattern"
done < "$R_FILES_FILE"

# --- stage: detect ---------------------------------------------------------------------------------------

R_STAGE=detect
PR_POD_T_DETECT=$(pr_pod_now_ms)
R_ARTIFACTS_DIR="$PR_POD_TMP/artifacts"
mkdir -p "$R_ARTIFACTS_DIR"
(cd "$PR_POD_SRC" && find . \( -name .git -o -name node_modules -o -name vendor -o -name third_party \) -prune -o -type f -print) |
  sed 's#^\./##' | LC_ALL=C sort > "$R_ARTIFACTS_DIR/all"
grep -E '(^|/)(Dockerfile|Containerfile|[^/]+\.(Dockerfile|Containerfile)|(Dockerfile|Containerfile)\.[^/]+)$' "$R_ARTIFACTS_DIR/all" |
  grep -v -E '\.dockerignore$' > "$R_ARTIFACTS_DIR/dockerfiles"
grep -E '(^|/)docker-bake(\.[^/]+)?\.(hcl|json)$' "$R_ARTIFACTS_DIR/all" > "$R_ARTIFACTS_DIR/bake"
grep -E '(^|/)(docker-)?compose(\.[^/]+)?\.ya?ml$' "$R_ARTIFACTS_DIR/all" > "$R_ARTIFACTS_DIR/compose"
grep -E '(^|/)Chart\.yaml$' "$R_ARTIFACTS_DIR/all" | sed -e 's#/\{0,1\}Chart\.yaml$##' -e 's#^$#.#' > "$R_ARTIFACTS_DIR/charts"
rm -f "$R_ARTIFACTS_DIR/all"
pr_pod_add_duration detect "$(( $(pr_pod_now_ms) - PR_POD_T_DETECT ))"
pr_pod_log "found $(grep -c . "$R_ARTIFACTS_DIR/dockerfiles") Dockerfile(s), $(grep -c . "$R_ARTIFACTS_DIR/bake") bake file(s), $(grep -c . "$R_ARTIFACTS_DIR/compose") compose file(s), $(grep -c . "$R_ARTIFACTS_DIR/charts") chart(s)"

if [ "$PR_POD_VERIFY_FAILED" = 1 ]; then
  R_STAGE=verify
  pr_pod_finish "$EXIT_VERIFY" "required files are missing: $(awk -F '\t' '$1 == "missing" { printf "%s%s", (n++ ? ", " : ""), $2 }' "$R_FILES_FILE")"
fi

# --- stage: build ----------------------------------------------------------------------------------------
# One builder for the run (PR_POD_BUILDX_DRIVER): kubernetes (BuildKit pods in the namespace, created and removed
# here), remote (an existing BuildKit endpoint) or docker (an existing Docker engine's own BuildKit; its endpoint
# is DOCKER_HOST). With PR_POD_REGISTRY every image is tagged from PR_POD_IMAGE_TEMPLATE and pushed, and the
# digests come from buildx's --metadata-file. https://docs.docker.com/build/builders/drivers/

if [ "$PR_POD_BUILD" != true ]; then
  pr_pod_finish "$EXIT_OK"
fi
PR_POD_BAKE_FILE=
if [ "$PR_POD_BAKE" = true ]; then
  PR_POD_BAKE_FILE=$(head -n 1 "$R_ARTIFACTS_DIR/bake")
  if [ -z "$PR_POD_BAKE_FILE" ]; then PR_POD_BAKE_FILE=$(head -n 1 "$R_ARTIFACTS_DIR/compose"); fi
fi
if [ ! -s "$R_ARTIFACTS_DIR/dockerfiles" ] && [ -z "$PR_POD_BAKE_FILE" ]; then
  pr_pod_log "nothing to build: no Dockerfile found"
  pr_pod_finish "$EXIT_OK"
fi
R_STAGE=build
PR_POD_T_BUILD=$(pr_pod_now_ms)
R_BUILDS_FILE="$PR_POD_TMP/builds.jsonl"
: > "$R_BUILDS_FILE"

PR_POD_BUILDX_DRIVER=${PR_POD_BUILDX_DRIVER:-kubernetes}
PR_POD_REGISTRY=${PR_POD_REGISTRY:-}
PR_POD_REGISTRY=${PR_POD_REGISTRY%/}
PR_POD_IMAGE_TEMPLATE=${PR_POD_IMAGE_TEMPLATE:-'{registry}/{owner}/{repo}/{target}:pr-{pr}-{sha7}'}
PR_POD_CACHE=${PR_POD_CACHE:-registry}
case $PR_POD_CACHE in registry | none) ;; *) pr_pod_finish "$EXIT_CONFIG" "PR_POD_CACHE is \"$PR_POD_CACHE\": use registry or none" ;; esac
case $PR_POD_IMAGE_TEMPLATE in
  *'{target}'*) ;;
  *) pr_pod_finish "$EXIT_CONFIG" "PR_POD_IMAGE_TEMPLATE \"$PR_POD_IMAGE_TEMPLATE\" has no {target}: every image would get the same name" ;;
esac
if [ -z "$PR_POD_REGISTRY" ]; then PR_POD_CACHE=none; fi

# Registry credentials: the mounted kubernetes.io/dockerconfigjson Secret becomes this run's DOCKER_CONFIG
# (never printed). The CLI plugins of the previous config folder stay reachable.
if [ -n "${PR_POD_REGISTRY_AUTH:-}" ]; then
  if [ ! -r "$PR_POD_REGISTRY_AUTH" ]; then
    pr_pod_finish "$EXIT_CONFIG" "PR_POD_REGISTRY_AUTH \"$PR_POD_REGISTRY_AUTH\" is not a readable file: mount the registry Secret's .dockerconfigjson there"
  fi
  _pr_pod_old_config=${DOCKER_CONFIG:-${HOME:-/root}/.docker}
  mkdir -p "$PR_POD_TMP/docker-config"
  cat "$PR_POD_REGISTRY_AUTH" > "$PR_POD_TMP/docker-config/config.json"
  if [ -d "$_pr_pod_old_config/cli-plugins" ]; then ln -s "$_pr_pod_old_config/cli-plugins" "$PR_POD_TMP/docker-config/cli-plugins"; fi
  export DOCKER_CONFIG="$PR_POD_TMP/docker-config"
fi

# The registry's host (the part before the first /), for the buildkitd config of a plain-HTTP registry.
PR_POD_REGISTRY_HOST=${PR_POD_REGISTRY%%/*}
case $PR_POD_BUILDX_DRIVER in
  kubernetes)
    pr_pod_log "creating buildx builder $PR_POD_BUILDER_NAME (kubernetes driver, namespace $PR_POD_NAMESPACE)"
    _pr_pod_opts="namespace=$PR_POD_NAMESPACE${PR_POD_BUILDX_DRIVER_OPTS:+,$PR_POD_BUILDX_DRIVER_OPTS}"
    set -- --driver kubernetes --driver-opt "$_pr_pod_opts"
    if [ "${PR_POD_REGISTRY_INSECURE:-false}" = true ] && [ -n "$PR_POD_REGISTRY_HOST" ]; then
      # https://docs.docker.com/build/buildkit/toml-configuration/
      printf '[registry."%s"]\n  http = true\n  insecure = true\n' "$PR_POD_REGISTRY_HOST" > "$PR_POD_TMP/buildkitd.toml"
      set -- "$@" --config "$PR_POD_TMP/buildkitd.toml"
    fi
    ;;
  remote)
    pr_pod_require PR_POD_BUILDX_ENDPOINT
    pr_pod_log "creating buildx builder $PR_POD_BUILDER_NAME (remote driver, $PR_POD_BUILDX_ENDPOINT)"
    set -- --driver remote "$PR_POD_BUILDX_ENDPOINT"
    ;;
  docker)
    if [ -n "${PR_POD_BUILDX_ENDPOINT:-}" ]; then export DOCKER_HOST="$PR_POD_BUILDX_ENDPOINT"; fi
    pr_pod_log "building with the docker driver of ${DOCKER_HOST:-the default Docker endpoint}"
    ;;
  *) pr_pod_finish "$EXIT_CONFIG" "PR_POD_BUILDX_DRIVER is \"$PR_POD_BUILDX_DRIVER\": use kubernetes, remote or docker" ;;
esac
if [ "$PR_POD_BUILDX_DRIVER" = docker ]; then
  PR_POD_BUILDER_NAME=default
  if ! docker buildx inspect default > "$PR_POD_TMP/builder.log" 2>&1; then
    cat "$PR_POD_TMP/builder.log"
    pr_pod_finish "$EXIT_BUILDER" "the Docker endpoint ${DOCKER_HOST:-(default)} has no usable buildx docker builder: $(grep . "$PR_POD_TMP/builder.log" | tail -n 1)"
  fi
else
  PR_POD_BUILDER_CREATED=1
  if ! docker buildx create --name "$PR_POD_BUILDER_NAME" "$@" --bootstrap > "$PR_POD_TMP/builder.log" 2>&1; then
    cat "$PR_POD_TMP/builder.log"
    pr_pod_finish "$EXIT_BUILDER" "could not create buildx builder $PR_POD_BUILDER_NAME ($PR_POD_BUILDX_DRIVER driver): $(grep . "$PR_POD_TMP/builder.log" | tail -n 1)"
  fi
  cat "$PR_POD_TMP/builder.log"
fi

# Image names must be lowercase; anything else but [a-z0-9._-] becomes -.
pr_pod_name_part() {
  printf '%s' "$1" | tr 'A-Z' 'a-z' | sed -e 's#[^a-z0-9._-]#-#g' -e 's#^[._-]*##' -e 's#-\{2,\}#-#g'
}
PR_POD_OWNER=$(pr_pod_name_part "${PR_REPO%%/*}")
PR_POD_REPO_NAME=$(pr_pod_name_part "${PR_REPO#*/}")
PR_POD_SHA7=$(printf '%s' "$R_SHA" | cut -c1-7)

# pr_pod_image_ref TARGET -> the template filled in (empty without a registry)
pr_pod_image_ref() {
  if [ -z "$PR_POD_REGISTRY" ]; then return; fi
  printf '%s' "$PR_POD_IMAGE_TEMPLATE" | sed -e "s#{registry}#$PR_POD_REGISTRY#g" -e "s#{owner}#$PR_POD_OWNER#g" \
    -e "s#{repo}#$PR_POD_REPO_NAME#g" -e "s#{target}#$1#g" -e "s#{pr}#$PR_NUMBER#g" -e "s#{sha7}#$PR_POD_SHA7#g" -e "s#{sha}#$R_SHA#g"
}
# The image's name without the tag: the cache goes to <name>:buildcache.
pr_pod_image_name() {
  case ${1##*/} in
    *:*) printf '%s' "${1%:*}" ;;
    *) printf '%s' "$1" ;;
  esac
}

# pr_pod_dockerfile_target FILE -> a target name: the folder (the repository's name at the root), plus the
# Dockerfile's own suffix (web.Dockerfile -> web, Dockerfile.dev -> <folder>-dev)
pr_pod_dockerfile_target() {
  _pr_pod_d=$(dirname "$1")
  _pr_pod_b=$(basename "$1")
  if [ "$_pr_pod_d" = . ]; then _pr_pod_t=$PR_POD_REPO_NAME; else _pr_pod_t=$(printf '%s' "$_pr_pod_d" | tr '/' '-'); fi
  case $_pr_pod_b in
    Dockerfile | Containerfile) ;;
    *.Dockerfile | *.Containerfile) _pr_pod_t=${_pr_pod_b%.*} ;;
    Dockerfile.* | Containerfile.*) _pr_pod_t="$_pr_pod_t-${_pr_pod_b#*.}" ;;
  esac
  pr_pod_name_part "$_pr_pod_t"
}

# pr_pod_run_build LOG_FILE COMMAND... : streams the output live, keeps it, returns the command's status.
# Runs in the background and waits, so a TERM (the Job deadline) is handled at once. A build that failed only
# because the registry answered a server error (5xx) or 429 while pushing is run once more: registries have such
# moments, and the second run is cheap (everything but the push comes from the build cache).
pr_pod_run_build() {
  _pr_pod_build_log=$1
  shift
  _pr_pod_attempt=1
  while :; do
    ( { "$@" 2>&1; echo "$?" > "$_pr_pod_build_log.rc"; } | tee "$_pr_pod_build_log" ) &
    wait "$!"
    _pr_pod_build_rc=$(cat "$_pr_pod_build_log.rc" 2>/dev/null || echo 1)
    [ "$_pr_pod_build_rc" != 0 ] && [ "$_pr_pod_attempt" = 1 ] || return "$_pr_pod_build_rc"
    _pr_pod_push_error=$(grep -E '^(ERROR|error)[: ].*(unexpected status|status code|failed to push|failed commit on ref).*[^0-9](5[0-9][0-9]|429)([^0-9]|$)' "$_pr_pod_build_log" | tail -n 1)
    [ -n "$_pr_pod_push_error" ] || return "$_pr_pod_build_rc"
    pr_pod_log "the registry failed the push ($_pr_pod_push_error); building once more"
    _pr_pod_attempt=2
  done
}

# pr_pod_failure_json LOG EXIT_CODE -> ,"error":…,"failedStep":…,"logTail":[…] from buildx's plain progress:
# the step whose "#N ERROR" ended the build, and the last lines it printed.
pr_pod_failure_json() {
  _pr_pod_e=$(grep -E '^(ERROR|error)[: ]' "$1" | tail -n 1)
  if [ -z "$_pr_pod_e" ]; then _pr_pod_e=$(grep . "$1" | tail -n 1); fi
  _pr_pod_n=$(sed -n 's/^#\([0-9][0-9]*\) ERROR.*/\1/p' "$1" | tail -n 1)
  printf ',"error":%s' "$(pr_pod_json_str "exit $2: $_pr_pod_e")"
  if [ -n "$_pr_pod_n" ]; then
    _pr_pod_step=$(grep -E "^#$_pr_pod_n \[" "$1" | head -n 1 | sed "s/^#$_pr_pod_n //")
    grep -E "^#$_pr_pod_n [0-9]+\.[0-9]+ " "$1" | sed "s/^#$_pr_pod_n [0-9.]* //" | tail -n 10 | cut -c1-200 > "$PR_POD_TMP/log-tail"
    if [ -n "$_pr_pod_step" ]; then printf ',"failedStep":%s' "$(pr_pod_json_str "$_pr_pod_step")"; fi
  else
    grep . "$1" | tail -n 10 | cut -c1-200 > "$PR_POD_TMP/log-tail"
  fi
  printf ',"logTail":%s' "$(pr_pod_json_lines "$PR_POD_TMP/log-tail")"
}

# Cached and total steps of a plain-progress log (internal steps and the export are not counted).
# A step is cached when BuildKit says CACHED, or when its result came from the imported registry
# cache without running: BuildKit then loads it lazily and the step shows only its layers' blob
# transfers (`#N sha256:… done`), no CACHED line and no output. FROM steps pull, they are not cached.
pr_pod_cache_json() {
  # A step's header line repeats when buildx interleaves steps: count each #N once.
  awk '/^#[0-9]+ \[[^]]*[0-9]+\/[0-9]+\]/ {
      if (!($1 in step)) { step[$1] = 1; n++; if ($0 !~ /\] FROM /) layer[$1] = 1 }
      next
    }
    !($1 in step) { next }
    $2 == "CACHED" { hit[$1] = 1; next }
    $2 ~ /^sha256:/ { blob[$1] = 1; next }
    $2 == "DONE" { next }
    { ran[$1] = 1 }
    END {
      for (s in step) if ((s in hit) || ((s in layer) && (s in blob) && !(s in ran))) c++
      printf ",\"steps\":%d,\"cachedSteps\":%d", n, c
    }' "$1"
}

# pr_pod_meta_digest FILE [TARGET] -> containerimage.digest of the build (or of bake's TARGET)
pr_pod_meta_digest() {
  if [ -z "${2:-}" ]; then
    sed -n 's/.*"containerimage\.digest"[[:space:]]*:[[:space:]]*"\(sha256:[0-9a-f]\{64\}\)".*/\1/p' "$1" 2>/dev/null | head -n 1
    return
  fi
  awk -v want="$2" '
    /^  "[^"]*": \{/ { t = $1; gsub(/^"|":$/, "", t); next }
    t == want && /"containerimage\.digest"/ { if (match($0, /sha256:[0-9a-f]+/)) { print substr($0, RSTART, RLENGTH); exit } }' "$1" 2>/dev/null
}

# pr_pod_build_record KIND FILE CONTEXT TARGET IMAGE RC LOG META MS [BAKE_TARGET]
pr_pod_build_record() {
  printf '{"kind":"%s","target":%s,"file":%s,"context":%s' "$1" "$(pr_pod_json_str "$4")" "$(pr_pod_json_str "$2")" "$(pr_pod_json_str "$3")"
  if [ -n "$5" ]; then
    printf ',"image":%s,"tag":%s' "$(pr_pod_json_str "$5")" "$(pr_pod_json_str "${5##*:}")"
  fi
  if [ "$6" = 0 ]; then
    _pr_pod_digest=$(pr_pod_meta_digest "$8" "${10:-}")
    printf ',"ok":true,"pushed":%s' "$([ -n "$5" ] && echo true || echo false)"
    if [ -n "$_pr_pod_digest" ]; then
      printf ',"digest":"%s"' "$_pr_pod_digest"
      if [ -n "$5" ]; then printf ',"ref":%s' "$(pr_pod_json_str "$(pr_pod_image_name "$5")@$_pr_pod_digest")"; fi
    fi
  else
    printf ',"ok":false'
    pr_pod_failure_json "$7" "$6"
  fi
  pr_pod_cache_json "$7"
  printf ',"durationMs":%s}\n' "$9"
}

# Flags every build gets for TARGET's IMAGE: tag, push, registry cache, network.
pr_pod_output_flags() {
  _pr_pod_flags=
  if [ -n "$1" ]; then
    if [ "${PR_POD_REGISTRY_INSECURE:-false}" = true ]; then
      _pr_pod_flags="--output type=image,name=$1,push=true,registry.insecure=true"
    else
      _pr_pod_flags="-t $1 --push"
    fi
    if [ "$PR_POD_CACHE" = registry ]; then
      _pr_pod_cache="$(pr_pod_image_name "$1"):buildcache"
      _pr_pod_ins=
      if [ "${PR_POD_REGISTRY_INSECURE:-false}" = true ]; then _pr_pod_ins=",registry.insecure=true"; fi
      _pr_pod_flags="$_pr_pod_flags --cache-from type=registry,ref=$_pr_pod_cache$_pr_pod_ins --cache-to type=registry,ref=$_pr_pod_cache,mode=max$_pr_pod_ins"
    fi
  fi
  printf '%s' "$_pr_pod_flags"
}

PR_POD_BUILD_FAILED=0
PR_POD_N=0
if [ -n "$PR_POD_BAKE_FILE" ]; then
  _pr_pod_dir=$(dirname "$PR_POD_BAKE_FILE")
  _pr_pod_base=$(basename "$PR_POD_BAKE_FILE")
  _pr_pod_meta="$PR_POD_TMP/bake.metadata.json"
  # The targets (and their contexts and Dockerfiles) from bake's own reading of the file.
  if ! (cd "$PR_POD_SRC/$_pr_pod_dir" && docker buildx bake --builder "$PR_POD_BUILDER_NAME" -f "$_pr_pod_base" --print) > "$PR_POD_TMP/bake.print.json" 2> "$PR_POD_TMP/bake.print.err"; then
    cat "$PR_POD_TMP/bake.print.err" >&2
    pr_pod_finish "$EXIT_BUILD" "buildx bake could not read $PR_POD_BAKE_FILE: $(grep . "$PR_POD_TMP/bake.print.err" | tail -n 1)"
  fi
  awk '
    /^  "target": \{/ { in_t = 1; next }
    in_t && /^  \}/ { in_t = 0 }
    in_t && /^    "[^"]*": \{/ { if (name != "") print name "\t" ctx "\t" df; name = $1; gsub(/^"|":$/, "", name); ctx = "."; df = "Dockerfile" }
    in_t && /^      "context": "/ { ctx = $0; sub(/^      "context": "/, "", ctx); sub(/",?$/, "", ctx) }
    in_t && /^      "dockerfile": "/ { df = $0; sub(/^      "dockerfile": "/, "", df); sub(/",?$/, "", df) }
    END { if (name != "") print name "\t" ctx "\t" df }' "$PR_POD_TMP/bake.print.json" > "$PR_POD_TMP/bake.targets"
  set -- --builder "$PR_POD_BUILDER_NAME" --progress plain -f "$_pr_pod_base" --metadata-file "$_pr_pod_meta"
  while IFS="$(printf '\t')" read -r _pr_pod_target _pr_pod_ctx _pr_pod_df; do
    _pr_pod_image=$(pr_pod_image_ref "$(pr_pod_name_part "$_pr_pod_target")")
    if [ -n "$_pr_pod_image" ]; then
      set -- "$@" --set "$_pr_pod_target.tags=$_pr_pod_image"
      if [ "${PR_POD_REGISTRY_INSECURE:-false}" = true ]; then
        set -- "$@" --set "$_pr_pod_target.output=type=image,push=true,registry.insecure=true"
      else
        set -- "$@" --set "$_pr_pod_target.output=type=registry"
      fi
      if [ "$PR_POD_CACHE" = registry ]; then
        _pr_pod_cache="$(pr_pod_image_name "$_pr_pod_image"):buildcache"
        set -- "$@" --set "$_pr_pod_target.cache-from=type=registry,ref=$_pr_pod_cache" --set "$_pr_pod_target.cache-to=type=registry,ref=$_pr_pod_cache,mode=max"
      fi
    fi
    # No PR_POD_BUILD_NETWORK here: bake (0.13) has no network key; Dockerfiles use RUN --network=… instead.
  done < "$PR_POD_TMP/bake.targets"
  pr_pod_log "buildx bake -f $PR_POD_BAKE_FILE ($(cut -f1 "$PR_POD_TMP/bake.targets" | tr '\n' ' ' | sed 's/ $//'))"
  _pr_pod_t=$(pr_pod_now_ms)
  (cd "$PR_POD_SRC/$_pr_pod_dir" && pr_pod_run_build "$PR_POD_TMP/bake.log" docker buildx bake "$@" < /dev/null)
  _pr_pod_rc=$?
  _pr_pod_ms=$(( $(pr_pod_now_ms) - _pr_pod_t ))
  if [ "$_pr_pod_rc" != 0 ]; then PR_POD_BUILD_FAILED=1; fi
  # One record per target. On failure, the target whose step failed carries the error; the others are
  # reported as not built ("ok":false) without one.
  _pr_pod_failed_target=
  if [ "$_pr_pod_rc" != 0 ]; then
    _pr_pod_n=$(sed -n 's/^#\([0-9][0-9]*\) ERROR.*/\1/p' "$PR_POD_TMP/bake.log" | tail -n 1)
    if [ -n "$_pr_pod_n" ]; then
      _pr_pod_failed_target=$(grep -E "^#$_pr_pod_n \[" "$PR_POD_TMP/bake.log" | head -n 1 | sed -n 's/^#[0-9]* \[\([^] ]*\) .*/\1/p')
    fi
  fi
  while IFS="$(printf '\t')" read -r _pr_pod_target _pr_pod_ctx _pr_pod_df; do
    _pr_pod_image=$(pr_pod_image_ref "$(pr_pod_name_part "$_pr_pod_target")")
    if [ "$_pr_pod_ctx" = . ]; then _pr_pod_ctx_rel=$_pr_pod_dir; else _pr_pod_ctx_rel="$_pr_pod_dir/$_pr_pod_ctx"; fi
    _pr_pod_ctx_rel=${_pr_pod_ctx_rel#./}
    _pr_pod_rc_t=$_pr_pod_rc
    if [ "$_pr_pod_rc" != 0 ] && [ -n "$_pr_pod_failed_target" ] && [ "$_pr_pod_failed_target" != "$_pr_pod_target" ]; then
      printf '{"kind":"bake","target":%s,"file":%s,"context":%s,"dockerfile":%s,"ok":false,"error":"not built: target %s failed","durationMs":%s}\n' \
        "$(pr_pod_json_str "$_pr_pod_target")" "$(pr_pod_json_str "$PR_POD_BAKE_FILE")" "$(pr_pod_json_str "$_pr_pod_ctx_rel")" \
        "$(pr_pod_json_str "$_pr_pod_df")" "$_pr_pod_failed_target" "$_pr_pod_ms" >> "$R_BUILDS_FILE"
      continue
    fi
    pr_pod_build_record bake "$PR_POD_BAKE_FILE" "$_pr_pod_ctx_rel" "$_pr_pod_target" "$_pr_pod_image" "$_pr_pod_rc_t" \
      "$PR_POD_TMP/bake.log" "$_pr_pod_meta" "$_pr_pod_ms" "$_pr_pod_target" | sed "s#^{\"kind\":\"bake\",#{\"kind\":\"bake\",\"dockerfile\":$(pr_pod_json_str "$_pr_pod_df" | sed 's/[#&\\]/\\&/g'),#" >> "$R_BUILDS_FILE"
  done < "$PR_POD_TMP/bake.targets"
else
  while IFS= read -r _pr_pod_file; do
    PR_POD_N=$((PR_POD_N + 1))
    _pr_pod_ctx=$(dirname "$_pr_pod_file")
    _pr_pod_target=$(pr_pod_dockerfile_target "$_pr_pod_file")
    _pr_pod_image=$(pr_pod_image_ref "$_pr_pod_target")
    _pr_pod_meta="$PR_POD_TMP/build-$PR_POD_N.metadata.json"
    pr_pod_log "buildx build -f $_pr_pod_file $_pr_pod_ctx${_pr_pod_image:+ -> $_pr_pod_image}"
    _pr_pod_t=$(pr_pod_now_ms)
    if [ "$_pr_pod_ctx" = . ]; then _pr_pod_ctx_path=$PR_POD_SRC; else _pr_pod_ctx_path="$PR_POD_SRC/$_pr_pod_ctx"; fi
    # Word splitting of the flags is wanted: they hold no spaces (image names and refs cannot).
    # shellcheck disable=SC2046
    pr_pod_run_build "$PR_POD_TMP/build-$PR_POD_N.log" docker buildx build --builder "$PR_POD_BUILDER_NAME" --progress plain \
      ${PR_POD_BUILD_NETWORK:+--network "$PR_POD_BUILD_NETWORK"} $(pr_pod_output_flags "$_pr_pod_image") \
      -f "$PR_POD_SRC/$_pr_pod_file" --metadata-file "$_pr_pod_meta" "$_pr_pod_ctx_path" < /dev/null
    _pr_pod_rc=$?
    _pr_pod_ms=$(( $(pr_pod_now_ms) - _pr_pod_t ))
    if [ "$_pr_pod_rc" != 0 ]; then PR_POD_BUILD_FAILED=1; fi
    pr_pod_build_record dockerfile "$_pr_pod_file" "$_pr_pod_ctx" "$_pr_pod_target" "$_pr_pod_image" "$_pr_pod_rc" \
      "$PR_POD_TMP/build-$PR_POD_N.log" "$_pr_pod_meta" "$_pr_pod_ms" >> "$R_BUILDS_FILE"
  done < "$R_ARTIFACTS_DIR/dockerfiles"
fi
pr_pod_add_duration build "$(( $(pr_pod_now_ms) - PR_POD_T_BUILD ))"

if [ "$PR_POD_BUILD_FAILED" = 1 ]; then
  _pr_pod_first=$(grep '"ok":false' "$R_BUILDS_FILE" | grep '"failedStep"\|"logTail"' | head -n 1)
  pr_pod_finish "$EXIT_BUILD" "$(grep -c '"ok":false' "$R_BUILDS_FILE") of $(grep -c . "$R_BUILDS_FILE") build(s) failed$(printf '%s' "$_pr_pod_first" | sed -n 's/.*"target":\("[^"]*"\).*"file":\("[^"]*"\).*/: target \1 (\2)/p')$(printf '%s' "$_pr_pod_first" | sed -n 's/.*"failedStep":\("[^"]*"\).*/ at step \1/p')"
fi
pr_pod_finish "$EXIT_OK"
