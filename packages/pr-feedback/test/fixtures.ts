// A run outcome as the runner reports it, with the pod's report (file-verifier's shape).
import type { PrPodReport } from "@pr-pod/file-verifier";
import type { RunOutcome } from "../src/index.ts";

export const HEAD_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";

export function passingReport(): PrPodReport {
  return {
    version: 1,
    ok: true,
    exitCode: 0,
    stage: "done",
    repo: "octo/app",
    pr: 7,
    checkout: "head",
    headSha: HEAD_SHA,
    sha: HEAD_SHA,
    files: { found: ["package.json", "README.md", "Dockerfile"], missing: [], optionalFound: [], optionalMissing: [] },
    artifacts: { dockerfiles: ["Dockerfile"], bakeFiles: [], composeFiles: [], charts: ["charts/app"] },
    builds: [
      {
        kind: "dockerfile",
        file: "Dockerfile",
        context: ".",
        ok: true,
        digest: "sha256:9b2c5f1d0e4a7b3c6d8e1f2a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c",
        durationMs: 12_400,
      },
    ],
    durationsMs: { clone: 800, verify: 20, detect: 30, build: 12_400, total: 13_300 },
  };
}

export function passingOutcome(): RunOutcome {
  return {
    status: "succeeded",
    reason: "Complete",
    message: "cloned 3f78685, 3 required files found, 1 build succeeded",
    exitCode: 0,
    report: passingReport(),
    durationsMs: { total: 18_200, pod: 13_900 },
    namespace: "default",
    jobName: "pr-pod-octo-app-7-3f78685",
  };
}

export function missingFileOutcome(): RunOutcome {
  const report = passingReport();
  report.ok = false;
  report.exitCode = 3;
  report.stage = "verify";
  report.files = {
    found: ["package.json", "README.md"],
    missing: ["Dockerfile"],
    optionalFound: [],
    optionalMissing: [],
  };
  delete report.builds;
  return {
    status: "failed",
    reason: "VerificationFailed",
    message: "required file missing: Dockerfile",
    exitCode: 3,
    report,
    durationsMs: { total: 6_100, pod: 2_300 },
    namespace: "default",
    jobName: "pr-pod-octo-app-7-3f78685",
  };
}
