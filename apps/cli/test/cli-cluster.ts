// What the CLI's cluster tests stand on: the in-process test cluster with the host runtime (the real
// pod script runs here under busybox sh), a real git server that demands the token, a repository
// with one PR per scenario, and a stand-in `docker` on the pod's PATH that records its calls. A
// build of a Dockerfile under `blocking/` never returns (until the pod is killed), so a test can
// interrupt a run at a known point without waiting on the clock.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchV1Api, CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";

export const TEST_TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
export const REPO = "octo/app";

export type Scenario = "good" | "missing-dockerfile" | "blocking";
const PR_NUMBERS: Record<Scenario, number> = { good: 1, "missing-dockerfile": 2, blocking: 3 };

export interface CliCluster {
  cluster: TestCluster<import("@pr-pod/test-cluster").HostRuntime>;
  git: TestGitServer;
  kubeconfigPath: string;
  /** Offline PR flags for a scenario (the PR number can be overridden to keep tests apart). */
  prFlags(scenario: Scenario, pr?: number): string[];
  sha(scenario: Scenario): string;
  /** Everything pr-pod made for the PR that is still in the cluster, as "Kind/name". */
  objectsFor(pr: number, namespace?: string): Promise<string[]>;
  dockerCalls(): Promise<string[]>;
  close(): Promise<void>;
}

const standInDocker = (record: string) => `#!/bin/sh
printf '%s\\n' "docker $*" >> '${record}'
case "$*" in
  *blocking/*)
    echo "[stand-in docker] blocking until the pod is killed"
    while :; do sleep 1; done ;;
esac
metadata=""
while [ "$#" -gt 0 ]; do
  case "$1" in --metadata-file) shift; metadata="$1" ;; esac
  shift
done
[ -n "$metadata" ] && printf '%s' '{"containerimage.digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111"}' > "$metadata"
exit 0
`;

export async function startCliCluster(): Promise<CliCluster> {
  const folder = await mkdtemp(join(tmpdir(), "pr-pod-cli-cluster-"));
  const bin = join(folder, "bin");
  const record = join(folder, "docker-calls.log");
  await mkdir(bin);
  await writeFile(join(bin, "docker"), standInDocker(record));
  await chmod(join(bin, "docker"), 0o755);
  const cluster = await startTestCluster({ runtime: "host", hostRuntime: { extraPath: [bin] }, namespaces: ["ci"] });
  const git = await startTestGitServer({ token: TEST_TOKEN });
  const shas = {} as Record<Scenario, string>;
  await git.createRepo(REPO, async (repo) => {
    await repo.commit({ "README.md": "# app\n", "package.json": '{"name":"app"}\n' }, { message: "first" });
    shas.good = await repo.commit(
      { Dockerfile: "FROM alpine\n", "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n" },
      { branch: "good", from: "main", message: "image and chart" },
    );
    shas["missing-dockerfile"] = await repo.commit(
      { "src/index.js": "console.log(1)\n" },
      { branch: "missing-dockerfile", from: "main", message: "no Dockerfile" },
    );
    shas.blocking = await repo.commit(
      { Dockerfile: "FROM alpine\n", "blocking/Dockerfile": "FROM alpine\n" },
      { branch: "blocking", from: "main", message: "a build that never ends" },
    );
  });
  const branch: Record<Scenario, string> = {
    good: "good",
    "missing-dockerfile": "missing-dockerfile",
    blocking: "blocking",
  };
  const kubeConfig = cluster.kubeConfig;
  return {
    cluster,
    git,
    kubeconfigPath: cluster.kubeconfigPath,
    sha: (scenario) => shas[scenario],
    prFlags: (scenario, pr = PR_NUMBERS[scenario]) => [
      "--repo",
      REPO,
      "--pr",
      String(pr),
      "--sha",
      shas[scenario],
      "--head-ref",
      branch[scenario],
      "--base-ref",
      "main",
      "--clone-url",
      // One clone URL describes the repository, head and base alike: not a fork, so the pod gets the token.
      git.repoUrl(REPO),
    ],
    async objectsFor(pr, namespace = "default") {
      const labelSelector = `app.kubernetes.io/managed-by=pr-pod,pr-pod.dev/pr=${pr}`;
      const batch = kubeConfig.makeApiClient(BatchV1Api);
      const core = kubeConfig.makeApiClient(CoreV1Api);
      const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
      const lists = await Promise.all([
        batch
          .listNamespacedJob({ namespace, labelSelector })
          .then((l) => l.items.map((o) => `Job/${o.metadata?.name}`)),
        core
          .listNamespacedSecret({ namespace, labelSelector })
          .then((l) => l.items.map((o) => `Secret/${o.metadata?.name}`)),
        core
          .listNamespacedConfigMap({ namespace, labelSelector })
          .then((l) => l.items.map((o) => `ConfigMap/${o.metadata?.name}`)),
        core
          .listNamespacedServiceAccount({ namespace, labelSelector })
          .then((l) => l.items.map((o) => `ServiceAccount/${o.metadata?.name}`)),
        rbac
          .listNamespacedRole({ namespace, labelSelector })
          .then((l) => l.items.map((o) => `Role/${o.metadata?.name}`)),
        rbac
          .listNamespacedRoleBinding({ namespace, labelSelector })
          .then((l) => l.items.map((o) => `RoleBinding/${o.metadata?.name}`)),
        core
          .listNamespacedPod({ namespace, labelSelector: `pr-pod.dev/pr=${pr}` })
          .then((l) => l.items.filter((o) => !o.metadata?.deletionTimestamp).map((o) => `Pod/${o.metadata?.name}`)),
      ]);
      return lists.flat();
    },
    async dockerCalls() {
      return (await readFile(record, "utf8").catch(() => "")).split("\n").filter(Boolean);
    },
    async close() {
      await cluster.close();
      await git.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
