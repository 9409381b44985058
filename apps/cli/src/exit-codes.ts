// The process exit codes of `pr-pod`, one table that the README documents and the tests check.
// The CLI's own codes follow BSD sysexits(3) (64-78), `timeout(1)` (124) and the shell's 128+signal
// convention, so they never collide with the pod's stage codes, which are small numbers passed through
// unchanged from the job builder's table.

export const EXIT_CODES = {
  /** The run succeeded (or the command did what it was asked). */
  success: 0,
  /** The run failed for a reason without a code of its own (image pull, unschedulable, OOM...). */
  runFailed: 1,
  /** The build passed but the preview did not deploy or become ready (config file `preview` section). */
  previewDeployFailed: 20,
  /** The preview deployed but its tests failed (helm test or a test Job). */
  previewTestsFailed: 21,
  /** Bad flags or arguments: unknown option, missing --pr, malformed owner/name. */
  usage: 64,
  /** The input names something that cannot be run: not a pull_request payload, PR not found or closed, local changes too big. */
  badInput: 65,
  /** GitHub refused or failed: token rejected (401), not allowed (403), rate limited, API down. */
  github: 68,
  /** No cluster: no kubeconfig found, or the API server cannot be reached. */
  clusterUnreachable: 69,
  /** A bug in pr-pod: the error had no code the CLI knows. */
  internal: 70,
  /** The cluster said no: 401/403, or the preflight found RBAC permissions missing. */
  forbidden: 77,
  /** No GitHub token found (GITHUB_PAT, GITHUB_TOKEN, the env file). */
  missingToken: 78,
  /** The run's deadline (--timeout) passed. */
  timeout: 124,
  /** Interrupted by Ctrl-C (SIGINT); what the run created was cleaned up first. */
  interrupted: 130,
  /** Stopped by SIGTERM; cleaned up first, like Ctrl-C. */
  terminated: 143,
} as const;

export type ExitCodeName = keyof typeof EXIT_CODES;
export type ExitCode = (typeof EXIT_CODES)[ExitCodeName];
