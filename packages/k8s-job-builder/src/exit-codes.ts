// What the pod's exit code means. The script (pod-script.sh) uses the same numbers; a test keeps them equal.
import type { PrPodStage } from "@pr-pod/file-verifier";

export interface PrPodExitCode {
  code: number;
  /** Name used in the script (`EXIT_<NAME>`). */
  name:
    | "OK"
    | "CONFIG"
    | "AUTH"
    | "CLONE"
    | "MERGE_CONFLICT"
    | "VERIFY"
    | "BUILDER"
    | "BUILD"
    | "TERMINATED"
    | "LOCAL_BUNDLE"
    | "LOCAL_DIFF"
    | "UNREACHABLE";
  stage: PrPodStage;
  meaning: string;
}

export const PR_POD_EXIT_CODES: readonly PrPodExitCode[] = [
  { code: 0, name: "OK", stage: "done", meaning: "cloned, files verified, every build succeeded" },
  {
    code: 10,
    name: "CONFIG",
    stage: "config",
    meaning: "the Job's env is missing or invalid (a pr-pod bug or a hand-edited Job)",
  },
  {
    code: 11,
    name: "AUTH",
    stage: "clone",
    meaning: "the git server refused the token, or asked for one and there was none",
  },
  {
    code: 12,
    name: "CLONE",
    stage: "clone",
    meaning: "the clone or fetch failed: the repository, branch or commit is not on the server",
  },
  {
    code: 13,
    name: "MERGE_CONFLICT",
    stage: "merge",
    meaning: "checkout merge: the PR does not merge cleanly into its base",
  },
  { code: 14, name: "VERIFY", stage: "verify", meaning: "required files are missing from the clone" },
  {
    code: 15,
    name: "BUILDER",
    stage: "build",
    meaning: "the buildx Kubernetes builder could not be created or started",
  },
  { code: 16, name: "BUILD", stage: "build", meaning: "one or more image builds failed" },
  {
    code: 17,
    name: "LOCAL_BUNDLE",
    stage: "clone",
    meaning:
      "run --source: the unpushed commits (git bundle) do not fit on the pushed head (rebased or force-pushed since?)",
  },
  {
    code: 18,
    name: "LOCAL_DIFF",
    stage: "clone",
    meaning: "run --source: the uncommitted changes (binary diff) do not apply to the local head",
  },
  {
    code: 19,
    name: "UNREACHABLE",
    stage: "clone",
    meaning: "cannot reach the git server: connection refused or timed out, DNS, or TLS handshake/certificate",
  },
  {
    code: 143,
    name: "TERMINATED",
    stage: "build",
    meaning: "stopped by SIGTERM: the Job's deadline passed or the run was cancelled",
  },
];

/** The table entry for a pod exit code, or a generic one ("the script failed unexpectedly"). */
export function describePrPodExitCode(
  code: number,
): PrPodExitCode | { code: number; name: "UNKNOWN"; meaning: string } {
  return (
    PR_POD_EXIT_CODES.find((entry) => entry.code === code) ?? {
      code,
      name: "UNKNOWN",
      meaning:
        code === 137
          ? "killed (SIGKILL): out of memory, or did not stop after SIGTERM"
          : "the pod script failed unexpectedly; read the pod log",
    }
  );
}
