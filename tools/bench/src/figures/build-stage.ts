// Figure 8. The build stage: pr-pod's pod script (busybox sh, the real script) building and pushing a PR's
// images on a private Docker engine (buildx docker driver) to a loopback registry, against the very same
// `docker buildx build` / `bake` commands run by hand. The script's own build-stage time (durationsMs.build)
// is compared with the sum of the hand-run commands' wall times, as a ratio; so the ratio is pr-pod's cost of
// detecting, naming, reading metadata and reporting on top of buildx. Each round changes one file first, on
// both sides, so both see the same cache state (the previous round's registry cache, one new layer).
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { buildPrPodScript } from "@pr-pod/k8s-job-builder";
import { prPodEnv } from "@pr-pod/pr-context";
import {
  dockerToolsAt,
  dockerToolsMissing,
  startTestDockerEngine,
  startTestRegistry,
} from "@pr-pod/test-docker-engine";
import { startTestGitServer } from "@pr-pod/test-git-server";
import { workspaceRoot } from "../harness/paths.ts";
import { formatSpread, spread } from "../harness/stats.ts";
import type { FigureReport, FigureRow } from "../report.ts";

export interface BuildStageOptions {
  rounds: number;
}

const TOKEN = "ghp_benchbenchbenchbenchbenchbench1234";

const SCENARIOS = {
  "2 Dockerfiles (buildx build)": {
    bake: false,
    files: {
      Dockerfile: "FROM scratch\nCOPY stamp.txt /\nCOPY README.md /\n",
      "api/Dockerfile": "FROM scratch\nCOPY stamp.txt /\n",
    },
    stamps: ["stamp.txt", "api/stamp.txt"],
  },
  "bake, 2 targets": {
    bake: true,
    files: {
      "docker-bake.hcl":
        'group "default" { targets = ["app", "worker"] }\ntarget "app" { context = "app" }\ntarget "worker" { context = "worker" }\n',
      "app/Dockerfile": "FROM scratch\nCOPY stamp.txt /\n",
      "worker/Dockerfile": "FROM scratch\nCOPY stamp.txt /\n",
    },
    stamps: ["app/stamp.txt", "worker/stamp.txt"],
  },
} as const;

function run(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(0)
        : reject(
            new Error(`${command} ${args[0]} ${args[1]}: exit ${code}: ${stderr.trim().split("\n").slice(-1)[0]}`),
          ),
    );
  });
}

export async function measureBuildStage(
  options: BuildStageOptions,
  log: (line: string) => void,
): Promise<FigureReport> {
  const prefix = process.env.PR_POD_DOCKER_PREFIX ?? join(workspaceRoot, ".tools/docker");
  const missing = dockerToolsMissing(prefix);
  if (missing) throw new Error(missing);
  const tools = dockerToolsAt(prefix);
  const dir = await mkdtemp(join(tmpdir(), "bench-build-"));
  const [engine, registry, git] = await Promise.all([
    startTestDockerEngine({ tools }),
    startTestRegistry({ tools }),
    startTestGitServer({ token: TOKEN }),
  ]);
  try {
    // The pod's PATH: a recording `docker` (it logs cwd and argv, then runs the real CLI), then the host's tools.
    const bin = join(dir, "bin");
    const calls = join(dir, "calls");
    await mkdir(bin);
    await writeFile(
      join(bin, "docker"),
      `#!/bin/sh\n{ printf '%s\\n' "$PWD"; for a in "$@"; do printf '%s\\n' "$a"; done; echo --END--; } >> '${calls}'\nexec '${tools.docker}' "$@"\n`,
    );
    await chmod(join(bin, "docker"), 0o755);
    const rows: FigureRow[] = [];
    const data: Record<string, unknown> = {};
    let n = 0;
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      const prPodMs: number[] = [];
      const handMs: number[] = [];
      const repoName = `bench/${scenario.bake ? "bake" : "build"}`;
      const seed = { "package.json": "{}\n", "README.md": "# bench\n", ...scenario.files };
      const repo = await git.createRepo(repoName, seed);
      // One uncounted warm-up round, then the counted ones.
      for (let round = 0; round <= options.rounds; round++) {
        n++;
        const stamp = Object.fromEntries(scenario.stamps.map((path) => [path, `pr-pod ${n}\n`]));
        const headSha = await repo.commit(stamp, { message: `round ${n}` });
        const workspace = join(dir, `run-${n}`);
        await mkdir(workspace, { recursive: true });
        await writeFile(join(dir, "calls"), "");
        const context = {
          owner: "bench",
          repo: scenario.bake ? "bake" : "build",
          number: 1,
          title: "bench",
          author: "bench",
          headSha,
          headRef: "main",
          headCloneUrl: git.repoUrl(repoName),
          baseRef: "main",
          baseCloneUrl: git.repoUrl(repoName),
          mergeRef: "refs/pull/1/merge",
          isFork: false,
          draft: false,
          state: "open" as const,
          source: "offline" as const,
        };
        const env: NodeJS.ProcessEnv = {
          ...engine.env,
          PATH: `${bin}:/usr/bin:/bin`,
          PR_POD_WORKSPACE: workspace,
          PR_POD_TERMINATION_LOG: join(workspace, "termination-log"),
          PR_POD_GIT_TOKEN: TOKEN,
          PR_POD_CHECKOUT: "head",
          PR_POD_BUILD: "true",
          PR_POD_BAKE: scenario.bake ? "true" : "false",
          PR_POD_BUILDER_NAME: "bench",
          PR_POD_NAMESPACE: "bench",
          PR_POD_BUILDX_DRIVER: "docker",
          PR_POD_REGISTRY: registry.host,
        };
        for (const { name: key, value } of prPodEnv(context)) env[key] = value;
        await run("/usr/bin/busybox", ["sh", "-c", buildPrPodScript({ verify: ["package.json"] })], { env });
        const report = JSON.parse(await readFile(join(workspace, "termination-log"), "utf8"));
        if (!report.ok) throw new Error(`the pod script failed: ${report.error}`);
        // By hand: the same build/bake commands, in the same clone, after the same kind of change.
        for (const path of scenario.stamps) await writeFile(join(workspace, "src", path), `by hand ${n}\n`);
        const recorded = (await readFile(calls, "utf8"))
          .split("--END--\n")
          .filter(Boolean)
          .map((call) => call.split("\n").filter((line) => line !== ""))
          .filter(
            (call) => call[1] === "buildx" && (call[2] === "build" || call[2] === "bake") && !call.includes("--print"),
          );
        const t0 = performance.now();
        for (const [cwd, ...args] of recorded) await run(tools.docker, args, { cwd: cwd!, env: { ...engine.env } });
        const hand = performance.now() - t0;
        if (round > 0) {
          prPodMs.push(report.durationsMs.build);
          handMs.push(hand);
        }
        log(
          `  ${name} round ${round}${round === 0 ? " (warm-up)" : ""}: pr-pod ${report.durationsMs.build} ms, by hand ${hand.toFixed(0)} ms`,
        );
        await rm(workspace, { recursive: true, force: true });
      }
      const a = spread(prPodMs);
      const b = spread(handMs);
      rows.push({
        metric: `build stage, ${name}`,
        prPod: formatSpread(a, "ms"),
        kubectl: `${formatSpread(b, "ms")} (by hand)`,
        compare: a && b ? `${(a.median / b.median).toFixed(2)}×` : "",
      });
      data[name] = { prPodMs, handMs };
    }
    return {
      id: 8,
      title: "Build stage: pr-pod vs the same buildx commands by hand",
      rows,
      notes: [
        "Figure 8 builds for real on a private dockerd (buildx docker driver) and pushes to a loopback registry with a registry cache; the right-hand column is the same docker buildx build/bake commands run by hand, not kubectl.",
      ],
      data,
    };
  } finally {
    await Promise.all([engine.stop(), registry.stop(), git.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}
