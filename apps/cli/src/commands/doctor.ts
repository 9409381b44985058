// `pr-pod doctor`: is everything a run needs in place? Each check says ok, warn or fail, and for
// anything not ok, what to do. The token's presence and shape are checked, never printed. Exits with
// the code of the first failing check (so scripts can tell "no cluster" from "no token").
// The permissions check is the runner's own preflight (checkRunPermissions: one rules review, access
// reviews only for what it does not plainly grant), for a run with builds on.
// The API classes by name, statically (this file is loaded on demand anyway): a dynamic import() of the
// whole package would keep every client-node API class in the CLI bundle's shared client-node chunk.
import { CoreV1Api, VersionApi } from "@kubernetes/client-node";
import { messageOf } from "@pr-pod/runner/pure";
import type { CommandEnvironment } from "../command-environment.ts";
import { exitCodeForError } from "../exit-code-for-error.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import type { LoadedKubeConfig } from "../kubeconfig.ts";
import { describeChoice } from "../kubeconfig.ts";
import { loadRunner } from "../runner-module.ts";

interface DoctorFlags {
  envFile?: string;
}

type CheckStatus = "ok" | "warn" | "fail" | "skipped";

interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
  exitCode?: number;
}

function failure(name: string, error: unknown): DoctorCheck {
  const fix = (error as { fix?: unknown }).fix;
  return {
    name,
    status: "fail",
    detail: messageOf(error),
    ...(typeof fix === "string" ? { fix } : {}),
    exitCode: exitCodeForError(error),
  };
}

async function clusterChecks(environment: CommandEnvironment, checks: DoctorCheck[]): Promise<void> {
  let loaded: LoadedKubeConfig;
  try {
    loaded = environment.loadKube();
  } catch (error) {
    checks.push(failure("kubeconfig", error));
    for (const name of ["cluster", "namespace", "permissions"]) {
      checks.push({ name, status: "skipped", detail: "no kubeconfig" });
    }
    return;
  }
  checks.push({
    name: "kubeconfig",
    status: "ok",
    detail: `${describeChoice(loaded)}, context ${loaded.context}`,
  });
  const { kubeConfig } = loaded;
  try {
    const version = await kubeConfig.makeApiClient(VersionApi).getCode();
    checks.push({ name: "cluster", status: "ok", detail: `Kubernetes ${version.gitVersion} at ${loaded.server}` });
  } catch (error) {
    const status = (error as { code?: unknown }).code;
    checks.push({
      name: "cluster",
      status: "fail",
      detail:
        status === 401 || status === 403
          ? `the API server at ${loaded.server} refused these credentials (${status})`
          : `cannot reach the API server at ${loaded.server}: ${(error as Error).message}`,
      fix:
        status === 401 || status === 403
          ? "log in again or pick another context (--context)"
          : "check the cluster is running (pr-pod cluster status for kind) and the context is the one you mean",
      exitCode: status === 401 || status === 403 ? EXIT_CODES.forbidden : EXIT_CODES.clusterUnreachable,
    });
    checks.push({ name: "namespace", status: "skipped", detail: "no cluster" });
    checks.push({ name: "permissions", status: "skipped", detail: "no cluster" });
    return;
  }
  const namespace = environment.globals.namespace ?? "default";
  try {
    await kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: namespace });
    checks.push({ name: "namespace", status: "ok", detail: `${namespace} exists` });
  } catch (error) {
    const status = (error as { code?: unknown }).code;
    checks.push({
      name: "namespace",
      status: status === 403 ? "warn" : "fail",
      detail:
        status === 404
          ? `namespace ${namespace} does not exist`
          : `cannot read namespace ${namespace}: ${(error as Error).message}`,
      fix: `create it (kubectl create namespace ${namespace}), pass -n <namespace>, or run with --create-namespace`,
      ...(status === 403 ? {} : { exitCode: EXIT_CODES.badInput }),
    });
  }
  const runner = await loadRunner();
  let check: Awaited<ReturnType<typeof runner.checkRunPermissions>>;
  try {
    check = await runner.checkRunPermissions(kubeConfig, { namespace, build: true });
  } catch (error) {
    checks.push(failure("permissions", error));
    return;
  }
  const { required } = check;
  const missing = check.missing.map(runner.describePermission);
  checks.push(
    missing.length === 0
      ? { name: "permissions", status: "ok", detail: `all ${required.length} permissions a run needs in ${namespace}` }
      : {
          name: "permissions",
          status: "fail",
          detail: `missing ${missing.length} of ${required.length}: ${missing.join("; ")}`,
          fix: `ask a cluster admin, e.g. kubectl create rolebinding pr-pod-runner --clusterrole=admin --user=<you> -n ${namespace}`,
          exitCode: EXIT_CODES.forbidden,
        },
  );
}

async function kindCheck(checks: DoctorCheck[]): Promise<void> {
  const { findKind, PINNED_KIND_VERSION } = await import("@pr-pod/kind-cluster");
  const found = await findKind().catch(() => undefined);
  checks.push(
    found
      ? { name: "kind", status: "ok", detail: `kind ${found.version} at ${found.path}` }
      : {
          name: "kind",
          status: "warn",
          detail: `no supported kind on PATH (needed only for pr-pod cluster up / run --kind)`,
          fix: `pr-pod cluster up installs kind ${PINNED_KIND_VERSION} (checksum-verified) into ~/.cache/pr-pod`,
        },
  );
}

async function tokenCheck(environment: CommandEnvironment, flags: DoctorFlags, checks: DoctorCheck[]): Promise<void> {
  const { loadGitHubToken } = await import("@pr-pod/pat-secret/pure");
  const warnings: string[] = [];
  try {
    const loaded = await loadGitHubToken({
      env: environment.env,
      ...(flags.envFile ? { envFile: flags.envFile } : {}),
      warn: (message) => warnings.push(message),
    });
    const { redactorFor, tokensInEnvironment } = await import("../redaction.ts");
    environment.terminal.setRedactor(await redactorFor([...tokensInEnvironment(environment.env), loaded.token]));
    checks.push(
      loaded.kind === "unknown"
        ? {
            name: "token",
            status: "warn",
            detail: `found in ${loaded.source}, but it does not look like a GitHub token (${warnings.join(" ") || "unknown prefix"})`,
            fix: "use a classic (ghp_) or fine-grained (github_pat_) personal access token with read access to the repository",
          }
        : {
            name: "token",
            status: "ok",
            detail: `found in ${loaded.source} (${loaded.kind} token; its scopes are not checked offline)`,
          },
    );
  } catch (error) {
    checks.push(failure("token", error));
  }
}

export default async function doctorCommand(environment: CommandEnvironment, flags: DoctorFlags): Promise<number> {
  const { terminal } = environment;
  const checks: DoctorCheck[] = [];
  terminal.phase("checking");
  await clusterChecks(environment, checks);
  await kindCheck(checks);
  await tokenCheck(environment, flags, checks);
  terminal.endPhase();
  const failed = checks.find((check) => check.status === "fail");
  const exitCode = failed ? (failed.exitCode ?? EXIT_CODES.runFailed) : EXIT_CODES.success;
  terminal.document({
    apiVersion: "pr-pod.dev/v1",
    kind: "DoctorReport",
    ok: !failed,
    exitCode,
    checks: checks.map(({ exitCode: _ignored, ...check }) => check),
  });
  if (terminal.mode === "text") {
    const mark: Record<CheckStatus, string> = {
      ok: terminal.styleOut("green", "✔"),
      warn: terminal.styleOut("yellow", "!"),
      fail: terminal.styleOut("red", "✘"),
      skipped: terminal.styleOut("dim", "-"),
    };
    for (const check of checks) {
      terminal.out(`${mark[check.status]} ${check.name.padEnd(12)} ${check.detail}`);
      if (check.fix && check.status !== "ok")
        terminal.out(`  ${"".padEnd(12)} ${terminal.styleOut("green", "fix:")} ${check.fix}`);
    }
    terminal.out(failed ? `not ready: fix the ${failed.name} check first` : "ready to run");
  }
  return exitCode;
}
