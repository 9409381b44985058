// Assembles the test cluster: store, API server (HTTPS with its own CA, or plain HTTP), controllers,
// kubelet and runtime, and writes a kubeconfig for it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { createUsers, type DeniedAccess, type Tokens } from "./api/authorization.ts";
import { createApiHandler } from "./api/http-api.ts";
import { ResourceRegistry } from "./api/registry.ts";
import { mustResourceType } from "./api/resource-types.ts";
import { ServiceAccountTokens } from "./api/service-account-auth.ts";
import { DeploymentController } from "./controllers/deployment-controller.ts";
import { GarbageCollector } from "./controllers/garbage-collector.ts";
import { JobController } from "./controllers/job-controller.ts";
import { NamespaceController } from "./controllers/namespace-controller.ts";
import { ReplicaSetController } from "./controllers/replicaset-controller.ts";
import { TtlAfterFinishedController } from "./controllers/ttl-controller.ts";
import { Faults } from "./faults.ts";
import type { KubeObject } from "./json.ts";
import { kubeConfigFor, kubeconfigYaml } from "./kubeconfig.ts";
import { ContainerLogs } from "./kubelet/container-logs.ts";
import type { ContainerRuntime } from "./kubelet/container-runtime.ts";
import { createHostRuntime, type HostRuntime, type HostRuntimeOptions } from "./kubelet/host-runtime-adapter.ts";
import { Kubelet } from "./kubelet/kubelet.ts";
import { ScriptedContainerRuntime, type ScriptedRuntime } from "./kubelet/scripted-runtime.ts";
import { RequestLog } from "./request-log.ts";
import { createClusterCertificates } from "./server/tls.ts";
import { ObjectStore } from "./store/object-store.ts";

export interface TestClusterOptions {
  /** What runs pods: "scripted" (the test drives them; default) or "host" (real processes). */
  runtime?: "scripted" | "host";
  /** Settings for the host runtime. */
  hostRuntime?: HostRuntimeOptions;
  /** Serve plain HTTP instead of HTTPS (the kubeconfig then has no certificate-authority-data). */
  http?: boolean;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** Namespaces to create besides default, kube-system, kube-public and kube-node-lease. */
  namespaces?: string[];
  /** What tokens.limited is refused (default: every verb on secrets). */
  limitedToken?: { deny: DeniedAccess[] };
  /** Folder for the kubeconfig files (default: a fresh temp folder, removed by close()). */
  kubeconfigDir?: string;
  /** How often a watch with allowWatchBookmarks=true gets a BOOKMARK (default 1000 ms; real servers: ~1 min). */
  bookmarkIntervalMs?: number;
  /** How many changes are kept for watch resume before older resourceVersions expire (default 5000). */
  watchHistory?: number;
  /**
   * Changes per resource a watch can resume across, as the API server's watch cache
   * (`--default-watch-cache-size`, default 100): a watch from an older resourceVersion gets an in-band
   * ERROR event with a 410 Expired Status.
   */
  watchCacheSize?: number;
  /**
   * How long the garbage collector takes to delete a dependent once its owner is deleted (Background)
   * or being deleted (Foreground) (default 0: at once; a real one takes 1-3 s for a Job's pod and objects).
   */
  garbageCollectionDelayMs?: number;
  /**
   * `false` emulates a server before Kubernetes 1.21, whose Job schema has no `spec.suspend`: the field
   * is dropped from every Job written (so a "suspended" Job starts at once). Default true.
   */
  jobSuspend?: boolean;
  /**
   * How long the job controller waits before creating a pod again after the API refused one (say, its
   * ServiceAccount did not exist yet), unless the Job itself changes meanwhile (default 100; real:
   * 10 s, doubling).
   */
  podCreateRetryDelayMs?: number;
  /** Delay before the job controller replaces a failed pod (default 0; real: 10 s doubling). */
  podRetryDelayMs?: number;
  /** Delay before a crashed container restarts under OnFailure/Always (default 0; real: 10 s doubling). */
  restartDelayMs?: number;
}

export type ClusterRuntime = ScriptedRuntime | HostRuntime;

export interface TestCluster<R extends ClusterRuntime = ScriptedRuntime> {
  /** https://127.0.0.1:PORT (or http:// with options.http). */
  url: string;
  /** Loaded with the admin token, ready for makeApiClient. */
  kubeConfig: KubeConfig;
  /** A kubeconfig file with the admin token (for kubectl --kubeconfig and KUBECONFIG). */
  kubeconfigPath: string;
  /** A kubeconfig file with the limited token. */
  limitedKubeconfigPath: string;
  /** A KubeConfig for any token (e.g. tokens.limited, or a wrong one to see 401). */
  kubeConfigFor(token: string): KubeConfig;
  tokens: Tokens;
  /** PEM of the CA that signed the serving certificate (undefined with options.http). */
  caCert: string | undefined;
  runtime: R;
  faults: Faults;
  requests: RequestLog;
  /** Whether the cluster has the namespace (a terminating one too), as a read of it through the API would say. */
  hasNamespace(name: string): boolean;
  /** Stops the server, ends open watches and log streams, kills host processes, removes temp files. */
  close(): Promise<void>;
}

export const systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

export function startTestCluster(
  options?: TestClusterOptions & { runtime?: "scripted" },
): Promise<TestCluster<ScriptedRuntime>>;
export function startTestCluster(options: TestClusterOptions & { runtime: "host" }): Promise<TestCluster<HostRuntime>>;
export function startTestCluster(options?: TestClusterOptions): Promise<TestCluster<ClusterRuntime>>;
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster<ClusterRuntime>> {
  const host = options.host ?? "127.0.0.1";
  const withoutSuspend = { resource: "jobs", drop: (job: KubeObject) => delete job.spec?.suspend };
  const store = new ObjectStore(
    options.watchHistory ?? 5000,
    options.watchCacheSize ?? 100,
    options.jobSuspend === false ? [withoutSuspend] : [],
  );
  const registry = new ResourceRegistry(store);
  const namespaces = mustResourceType("", "namespaces");
  for (const name of [...systemNamespaces, ...(options.namespaces ?? [])]) {
    if (!registry.find(namespaces, undefined, name)) {
      registry.create(namespaces, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    }
  }
  const { tokens, users } = createUsers(options.limitedToken?.deny ?? [{ verb: "*", resource: "secrets" }]);
  const faults = new Faults(() => store.compact());
  const requests = new RequestLog();
  const logs = new ContainerLogs();
  const runtime: ContainerRuntime & ClusterRuntime =
    options.runtime === "host" ? createHostRuntime(options.hostRuntime ?? {}) : new ScriptedContainerRuntime();
  if (options.runtime !== undefined && options.runtime !== "host" && options.runtime !== "scripted") {
    throw new Error(`startTestCluster: unknown runtime "${options.runtime}"; use "scripted" or "host"`);
  }
  const controllers = [
    new GarbageCollector(store, registry, options.garbageCollectionDelayMs ?? 0),
    new NamespaceController(store, registry),
    new JobController(store, registry, {
      podRetryDelayMs: options.podRetryDelayMs ?? 0,
      podCreateRetryDelayMs: options.podCreateRetryDelayMs ?? 100,
    }),
    new TtlAfterFinishedController(store, registry),
    new DeploymentController(store, registry),
    new ReplicaSetController(store, registry),
  ];
  const kubelet = new Kubelet(store, registry, logs, runtime, { restartDelayMs: options.restartDelayMs ?? 0 });

  let address = "";
  const handler = createApiHandler({
    store,
    registry,
    faults,
    requests,
    users,
    serviceAccountTokens: new ServiceAccountTokens(store),
    logs,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
    serverAddress: () => address,
  });
  const certificates = options.http ? undefined : await createClusterCertificates(host);
  const server: Server = certificates
    ? createHttpsServer({ key: certificates.serverKey, cert: certificates.serverCert }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  address = `${urlHost}:${port}`;
  const url = `${certificates ? "https" : "http"}://${address}`;

  const ownDir = options.kubeconfigDir === undefined;
  const dir = options.kubeconfigDir ?? mkdtempSync(join(tmpdir(), "test-cluster-"));
  const configInput = (token: string) => ({ url, token, ...(certificates ? { caCert: certificates.caCert } : {}) });
  const kubeconfigPath = join(dir, "kubeconfig");
  const limitedKubeconfigPath = join(dir, "kubeconfig-limited");
  writeFileSync(kubeconfigPath, kubeconfigYaml(configInput(tokens.admin)), { mode: 0o600 });
  writeFileSync(limitedKubeconfigPath, kubeconfigYaml(configInput(tokens.limited)), { mode: 0o600 });

  let closing: Promise<void> | undefined;
  return {
    url,
    kubeConfig: kubeConfigFor(configInput(tokens.admin)),
    kubeconfigPath,
    limitedKubeconfigPath,
    kubeConfigFor: (token) => kubeConfigFor(configInput(token)),
    tokens,
    caCert: certificates?.caCert,
    runtime,
    faults,
    requests,
    hasNamespace: (name) => registry.find(namespaces, undefined, name) !== undefined,
    close() {
      closing ??= (async () => {
        for (const controller of controllers) controller.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await kubelet.close();
        await closed;
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
