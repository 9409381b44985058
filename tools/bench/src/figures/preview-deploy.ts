// Figure 7. Preview deploy: from "build done" to "preview ready and tests done", pr-pod's preview
// stages (deployPreview + runPreviewTests, in the bench's process, with the preview ServiceAccount's
// own token) against doing the same by hand with the admin kubeconfig: `helm upgrade --install
// --create-namespace --wait`, `kubectl apply` of the test Job, `kubectl wait --for=condition=complete`,
// `kubectl logs`. Both deploy the same chart (a Deployment of 2 replicas and a Service) and run the
// same test Job on their own in-process test cluster, whose pods become Ready as soon as they are
// scheduled and whose test pod prints 20 lines and exits 0; rounds interleave the two sides. The
// preview is torn down after each round, outside the timing.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { deletePreview, deployPreview } from "@pr-pod/preview-deploy";
import { runPreviewTests } from "@pr-pod/preview-tests";
import { startTestCluster } from "@pr-pod/test-cluster";
import { workspaceRoot } from "../harness/paths.ts";
import { formatSpread, spread } from "../harness/stats.ts";
import type { FigureReport } from "../report.ts";

export interface PreviewDeployOptions {
  rounds: number;
  kubectl: string;
}

const chartFiles = {
  "Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
  "values.yaml": "image:\n  repository: registry.local/shop\n  tag: latest\n",
  "templates/web.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: { name: {{ .Release.Name }}-web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}" }] }
---
apiVersion: v1
kind: Service
metadata: { name: {{ .Release.Name }}-web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`,
};

const testJobYaml = (namespace: string) => `apiVersion: batch/v1
kind: Job
metadata: { name: pr-pod-test-smoke, namespace: ${namespace} }
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: test, image: busybox:1.36, command: ["sh", "-c", "smoke"] }]
`;

function run(command: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(" ")}: ${stderr || error.message}`)) : resolve(stdout),
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

export async function measurePreviewDeploy(
  options: PreviewDeployOptions,
  log: (text: string) => void,
): Promise<FigureReport> {
  const helmPath = join(process.env.PR_POD_KUBE_TOOLS ?? join(workspaceRoot, ".tools/bin"), "helm");
  const dir = mkdtempSync(join(tmpdir(), "bench-preview-"));
  const chart = join(dir, "shop");
  for (const [path, text] of Object.entries(chartFiles)) {
    mkdirSync(join(chart, path, ".."), { recursive: true });
    writeFileSync(join(chart, path), text);
  }
  const cluster = await startTestCluster();
  cluster.runtime.onPod((pod) => {
    if (pod.name.startsWith("pr-pod-test-smoke-")) {
      setImmediate(() => pod.succeed(Array.from({ length: 20 }, (_, i) => `smoke check ${i + 1} ok`)));
      return;
    }
    pod.start({ ready: true });
  });
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    HELM_CACHE_HOME: join(dir, "helm-cache"),
    HELM_CONFIG_HOME: join(dir, "helm-config"),
    HELM_DATA_HOME: join(dir, "helm-data"),
  };
  const prPodMs: number[] = [];
  const scriptMs: number[] = [];
  try {
    for (let round = 1; round <= options.rounds; round++) {
      // pr-pod: namespace + ServiceAccount + RBAC, helm as that ServiceAccount, the test Job with live logs.
      let started = performance.now();
      const preview = await deployPreview({
        kubeConfig: cluster.kubeConfig,
        helmPath,
        repo: "bench/shop",
        pr: round,
        charts: [{ release: "shop", chart, timeoutSeconds: 120 }],
      });
      const tests = await runPreviewTests({
        credentials: preview.credentials,
        helmPath,
        namespace: preview.namespace,
        releases: [],
        tests: [{ name: "smoke", image: "busybox:1.36", command: ["smoke"] }],
      });
      prPodMs.push(performance.now() - started);
      preview.credentials.dispose();
      if (tests.status !== "passed") throw new Error(`pr-pod's test Job did not pass in round ${round}`);
      await deletePreview(cluster.kubeConfig, preview.namespace);

      // By hand: helm --wait, kubectl apply, wait, logs (admin kubeconfig, as a script would have).
      const namespace = `manual-${round}`;
      const kube = ["--kubeconfig", cluster.kubeconfigPath];
      started = performance.now();
      await run(
        helmPath,
        [
          ...kube,
          "upgrade",
          "--install",
          "shop",
          chart,
          "-n",
          namespace,
          "--create-namespace",
          "--wait",
          "--timeout",
          "120s",
        ],
        env,
      );
      await run(options.kubectl, [...kube, "apply", "-f", "-"], env, testJobYaml(namespace));
      await run(
        options.kubectl,
        [...kube, "wait", "-n", namespace, "--for=condition=complete", "job/pr-pod-test-smoke", "--timeout=120s"],
        env,
      );
      const logs = await run(options.kubectl, [...kube, "logs", "-n", namespace, "job/pr-pod-test-smoke"], env);
      scriptMs.push(performance.now() - started);
      if (!logs.includes("smoke check 20 ok"))
        throw new Error(`the script's kubectl logs missed lines in round ${round}`);
      await deletePreview(cluster.kubeConfig, namespace);
      log(`  round ${round}: pr-pod ${prPodMs.at(-1)?.toFixed(0)} ms, helm+kubectl ${scriptMs.at(-1)?.toFixed(0)} ms`);
    }
  } finally {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const a = spread(prPodMs);
  const b = spread(scriptMs);
  return {
    id: 7,
    title: "Preview deploy: build done → preview ready and tests done",
    rows: [
      {
        metric: "deploy (helm --wait) + test Job + its log",
        prPod: formatSpread(a, "ms"),
        kubectl: formatSpread(b, "ms"),
        ...(a && b ? { compare: (a.median / b.median).toFixed(2) } : {}),
      },
    ],
    notes: [
      "pr-pod's side also applies the preview namespace's ServiceAccount, Role, RoleBinding and asks a token for it, and watches the pods for hopeless states; the script uses the admin kubeconfig.",
    ],
    data: { prPodMs, scriptMs },
  };
}
