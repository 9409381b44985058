// `cluster: kind` up to the process boundary: a stand-in `kind` (and `docker`) on PATH records every
// command the bundled action runs and plays kind's part, handing back a kubeconfig for the in-process
// test cluster, so the run itself is real. The post step deletes the cluster the main step created,
// and leaves alone one it only reused.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pullRequestEvent } from "./fixtures/pull-request-event.ts";
import { actionBundle, runActionStep } from "./support/action-process.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
const REPO = "octo-org/hello-world";

// Plays kind v0.31.0: `get clusters` lists what `create cluster` made (kept in $KIND_STATE),
// `create cluster` and `export kubeconfig` copy the test cluster's kubeconfig to --kubeconfig.
const KIND_STAND_IN = `#!/bin/sh
echo "kind $*" >> "$STAND_IN_LOG"
kubeconfig=""
name="kind"
previous=""
for arg in "$@"; do
  case "$previous" in
    --kubeconfig) kubeconfig="$arg" ;;
    --name) name="$arg" ;;
  esac
  previous="$arg"
done
case "$1 $2" in
  "version ") echo "kind v0.31.0 go1.25.5 linux/amd64" ;;
  "get clusters") if [ -s "$KIND_STATE" ]; then cat "$KIND_STATE"; else echo "No kind clusters found." >&2; fi ;;
  "get nodes") echo "$name-control-plane" ;;
  "create cluster")
    echo "Creating cluster \\"$name\\" ..." >&2
    cp "$KIND_KUBECONFIG_SOURCE" "$kubeconfig"
    echo "$name" > "$KIND_STATE"
    echo " ✓ Ensuring node image (kindest/node:v1.35.0) 🖼" >&2 ;;
  "export kubeconfig") cp "$KIND_KUBECONFIG_SOURCE" "$kubeconfig" ;;
  "delete cluster")
    echo "Deleting cluster \\"$name\\" ..." >&2
    : > "$KIND_STATE" ;;
  *) echo "stand-in kind: unexpected $*" >&2; exit 2 ;;
esac
`;

// Plays Docker for kind's node state and for kind's local registry (a container that exists once
// \`docker run\` made it and joins the kind network on \`network connect\`), kept in $KIND_STATE.registry.
const DOCKER_STAND_IN = `#!/bin/sh
echo "docker $*" >> "$STAND_IN_LOG"
registry="$KIND_STATE.registry"
case "$1" in
  inspect)
    case "$3" in
      "{{.State.Running}}") if [ -e "$registry" ]; then echo true; else echo "Error: No such object: $4" >&2; exit 1; fi ;;
      *Networks*) if [ "$(cat "$registry")" = kind ]; then echo "map[]"; else echo "<no value>"; fi ;;
      *) shift 3; for node in "$@"; do echo "/$node running"; done ;;
    esac ;;
  run) echo bridge > "$registry" ;;
  network) echo kind > "$registry" ;;
  exec) cat > /dev/null ;;
  *) echo "stand-in docker: unexpected $*" >&2; exit 2 ;;
esac
`;

let dir: string;
let entry: string;
let cluster: TestCluster;
let git: TestGitServer;
let headSha: string;
let baseSha: string;
let binDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pr-pod-action-kind-"));
  entry = actionBundle();
  git = await startTestGitServer({ token: TOKEN });
  const repo = await git.createRepo(REPO, { "package.json": "{}\n", "README.md": "# hello\n" });
  baseSha = (await repo.resolve("main")) ?? "";
  headSha = await repo.commit({ "feature.txt": "new\n" }, { branch: "feature", from: "main" });
  cluster = (await startTestCluster({ runtime: "host" })) as unknown as TestCluster;
  binDir = join(dir, "bin");
  await mkdir(binDir);
  await writeFile(join(binDir, "kind"), KIND_STAND_IN);
  await writeFile(join(binDir, "docker"), DOCKER_STAND_IN);
  await chmod(join(binDir, "kind"), 0o755);
  await chmod(join(binDir, "docker"), 0o755);
}, 60_000);

beforeEach(async () => {
  env = {
    PATH: `${binDir}:${process.env["PATH"]}`,
    STAND_IN_LOG: join(dir, `commands-${Math.random().toString(36).slice(2)}.log`),
    KIND_STATE: join(dir, "kind-clusters"),
    KIND_KUBECONFIG_SOURCE: cluster.kubeconfigPath,
  };
  await writeFile(env["KIND_STATE"] ?? "", "");
  await rm(`${env["KIND_STATE"]}.registry`, { force: true });
  await writeFile(env["STAND_IN_LOG"] ?? "", "");
});

afterAll(async () => {
  await cluster?.close();
  await git?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const inputs = {
  "github-token": TOKEN,
  verify: "package.json",
  build: "false",
  // The PR feedback has its own test (action-bundle); here it would call api.github.com.
  feedback: "none",
};

function event() {
  return { name: "pull_request", payload: pullRequestEvent({ headSha, baseSha, baseCloneUrl: git.repoUrl(REPO) }) };
}

async function commands(): Promise<string[]> {
  return (await readFile(env["STAND_IN_LOG"] ?? "", "utf8")).split("\n").filter((line) => line !== "");
}

describe("cluster: kind", () => {
  it("creates a kind cluster with kind from PATH, runs in it, and deletes it in the post step", async () => {
    const main = await runActionStep({ entry, dir, inputs, event: event(), env });
    expect(main.outputs["status"]).toBe("succeeded");
    const created = await commands();
    expect(created.filter((line) => line.startsWith("kind ")).slice(0, 3)).toEqual([
      "kind version",
      "kind get clusters",
      expect.stringMatching(
        /^kind create cluster --name pr-pod --config \S+kind-config\.yaml --wait 120s --kubeconfig \S+\/pr-pod-action-\w+\/kubeconfig$/,
      ),
    ]);
    expect(main.stdout).toContain('Creating cluster "pr-pod" ...');
    // kind's local registry comes with the cluster (kind-registry: true), and the run pushes there.
    expect(created).toContainEqual(expect.stringMatching(/^docker run --detach .* --name kind-registry registry:2$/));
    expect(created).toContain("docker network connect kind kind-registry");
    const hosting = await cluster.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ namespace: "kube-public", name: "local-registry-hosting" });
    expect(hosting.data?.["localRegistryHosting.v1"]).toContain('hostFromClusterNetwork: "kind-registry:5000"');
    expect(JSON.parse(main.state["kindCluster"] ?? "{}")).toEqual({ name: "pr-pod", kindPath: join(binDir, "kind") });

    const post = await runActionStep({ entry, dir, state: main.state, env });
    expect(post.exitCode).toBe(0);
    const kubeconfigPath = main.state["kubeconfigPath"];
    expect((await commands()).slice(created.length)).toEqual([
      "kind get clusters",
      `kind delete cluster --name pr-pod --kubeconfig ${kubeconfigPath}`,
    ]);
    expect(post.stdout).toContain('deleted the kind cluster "pr-pod"');
  });

  it("reuses a running cluster of that name and leaves it alone afterwards", async () => {
    await writeFile(env["KIND_STATE"] ?? "", "pr-pod\n");
    const main = await runActionStep({ entry, dir, inputs, event: event(), env });
    expect(main.outputs["status"]).toBe("succeeded");
    expect(main.state["kindCluster"]).toBeUndefined();
    const used = await commands();
    expect(used).toContain("docker inspect --format {{.Name}} {{.State.Status}} pr-pod-control-plane");
    expect(used.filter((line) => line.startsWith("kind export kubeconfig --name pr-pod"))).toHaveLength(1);

    const post = await runActionStep({ entry, dir, state: main.state, env });
    expect(post.exitCode).toBe(0);
    expect((await commands()).slice(used.length)).toEqual([]);
  });
});
