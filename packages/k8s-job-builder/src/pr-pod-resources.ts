// The Kubernetes objects of one pr-pod run: a ServiceAccount, (with builds) a Role + RoleBinding for buildx's
// Kubernetes driver, and the Job that runs the pod script. Pure: plain data in, objects out. The token Secret
// is built by @pr-pod/pat-secret and never appears here except as a secretKeyRef.
// Job fields: https://kubernetes.io/docs/concepts/workloads/controllers/job/
import type {
  V1ConfigMap,
  V1Container,
  V1EnvVar,
  V1Job,
  V1LocalObjectReference,
  V1PolicyRule,
  V1ResourceRequirements,
  V1Role,
  V1RoleBinding,
  V1ServiceAccount,
  V1Toleration,
} from "@kubernetes/client-node";
import type { FileSpec } from "@pr-pod/file-verifier";
import { TOKEN_SECRET_KEY, tokenSecretName } from "@pr-pod/pat-secret/pure";
import {
  type PullRequestContext,
  prPodAnnotations,
  prPodEnv,
  prPodLabels,
  prPodRunName,
} from "@pr-pod/pr-context/pure";
import {
  buildLocalChangesConfigMap,
  LOCAL_CHANGES_MOUNT_PATH,
  type LocalChanges,
  localChangesConfigMapName,
} from "./local-changes.ts";
import { buildPrPodScript } from "./pod-script.ts";

export const DEFAULT_IMAGE = "docker:24-git";
export const DEFAULT_ACTIVE_DEADLINE_SECONDS = 1800;
export const DEFAULT_TTL_SECONDS_AFTER_FINISHED = 3600;
export const DEFAULT_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { cpu: "1", memory: "1Gi" },
};
export const DEFAULT_WORKSPACE_SIZE_LIMIT = "2Gi";
/** Where the emptyDir is mounted in the pod; the script only ever sees it through PR_POD_WORKSPACE. */
export const WORKSPACE_MOUNT_PATH = "/workspace";
export const TERMINATION_MESSAGE_PATH = "/dev/termination-log";
export const CONTAINER_NAME = "pr-pod";

/** buildx Kubernetes driver options (https://docs.docker.com/build/builders/drivers/kubernetes/). */
export interface BuilderOptions {
  /** BuildKit pods. Default 1. */
  replicas?: number;
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
  /** Run BuildKit without privileges (needs a kernel that allows user namespaces). Default false. */
  rootless?: boolean;
  /** ServiceAccount of the BuildKit pods (they need no API access; default: the namespace's default). */
  serviceAccount?: string;
  /** How long buildx waits for the BuildKit pods, e.g. "120s". */
  timeout?: string;
  /** BuildKit image, e.g. "moby/buildkit:v0.23.2". */
  image?: string;
  /** nodeSelector of the BuildKit pods. */
  nodeSelector?: Record<string, string>;
  /**
   * Which BuildKit builds: `kubernetes` (default: BuildKit pods in the run's namespace, made and removed by the
   * run), `remote` (an existing BuildKit at `endpoint`, e.g. "tcp://buildkitd.ci:1234"), or `docker` (an existing
   * Docker engine's BuildKit at `endpoint`, e.g. "tcp://dind.ci:2375"; default the pod's DOCKER_HOST).
   * The other options above are for the kubernetes driver only.
   */
  driver?: BuildxDriver;
  endpoint?: string;
}

export type BuildxDriver = "kubernetes" | "remote" | "docker";

/** Where built images go. Without it images are built but neither tagged nor pushed. */
export interface RegistryOptions {
  /** Registry host and optional path prefix, e.g. "ghcr.io/acme", "localhost:5001". No scheme. */
  host: string;
  /** Image name template. Default `{registry}/{owner}/{repo}/{target}:pr-{pr}-{sha7}`; also `{sha}`. */
  imageTemplate?: string;
  /** Plain HTTP (and unverified TLS) to this registry. Only when said so. Default false. */
  insecure?: boolean;
  /** A `kubernetes.io/dockerconfigjson` Secret in the namespace with push credentials; mounted, never printed. */
  credentialsSecret?: string;
  /** `registry` (default): `--cache-from/--cache-to type=registry` at `<image name>:buildcache`; `none`. */
  cache?: "registry" | "none";
}

export const DEFAULT_IMAGE_TEMPLATE = "{registry}/{owner}/{repo}/{target}:pr-{pr}-{sha7}";
/** Where the registry credentials Secret is mounted; the script reads `<dir>/.dockerconfigjson`. */
export const REGISTRY_AUTH_MOUNT_PATH = "/pr-pod/registry-auth";

export interface PrPodResourceOptions {
  /** Namespace of every object. */
  namespace: string;
  /** Default `docker:24-git`. */
  image?: string;
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /**
   * `head` (default) clones the head commit; `merge` merges it onto the base branch's current tip, like
   * GitHub's merge ref and Prow's clonerefs at trigger time.
   */
  checkout?: "head" | "merge";
  /** With checkout merge: merge onto the context's `baseSha` instead of the base branch's tip. */
  pinBaseSha?: boolean;
  /** Build the Dockerfiles with buildx's Kubernetes driver. Default true. */
  build?: boolean;
  /** With builds on: `buildx bake` when a bake file exists. Default false. */
  bake?: boolean;
  builder?: BuilderOptions;
  /** Tag and push every built image there (with builds on). */
  registry?: RegistryOptions;
  /** Files that must exist. Default: package.json, README.md, Dockerfile. */
  verify?: FileSpec | readonly string[];
  /** The run has a token Secret (`tokenSecretName(context)`); its value reaches the pod as PR_POD_GIT_TOKEN. Default true. */
  withToken?: boolean;
  /** Default 1800. */
  activeDeadlineSeconds?: number;
  /** Default 3600; `null` keeps the finished Job until someone deletes it. */
  ttlSecondsAfterFinished?: number | null;
  /** Container requests/limits. Default requests 100m/128Mi, limits 1 CPU/1Gi. */
  resources?: V1ResourceRequirements;
  /** emptyDir size limit of the workspace. Default 2Gi. */
  workspaceSizeLimit?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: V1Toleration[];
  /** Names of docker-registry Secrets for pulling the image. */
  imagePullSecrets?: string[];
  /** `set -x` in the script (the token is never expanded by the script, so this stays safe). */
  trace?: boolean;
  /** Extra labels and annotations, merged under pr-pod's own. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /**
   * `pr-pod run --source`: unpushed commits and uncommitted changes to apply after cloning the context's
   * headSha (which must be the pushed head). Adds a ConfigMap mounted into the pod. Checkout head only.
   */
  localChanges?: LocalChanges;
}

export interface PrPodResources {
  /** The run's name: of the Job, ServiceAccount, Role and RoleBinding. */
  name: string;
  namespace: string;
  /** The Secret the Job expects (not built here: @pr-pod/pat-secret's buildTokenSecret), when withToken. */
  tokenSecretName?: string;
  serviceAccount: V1ServiceAccount;
  /** Only with builds on. */
  role?: V1Role;
  roleBinding?: V1RoleBinding;
  /** Only with localChanges: the ConfigMap the Job mounts (`<name>-local-changes`). */
  localChanges?: V1ConfigMap;
  job: V1Job;
}

export class JobBuilderError extends Error {
  readonly code = "INVALID_JOB_OPTIONS";
  constructor(message: string) {
    super(message);
    this.name = "JobBuilderError";
  }
}

/**
 * What buildx's Kubernetes driver calls (driver/kubernetes/driver.go): get/create/delete its Deployment,
 * create/update/delete the BuildKit ConfigMap, list the Deployment's pods (podchooser; `get` adds nothing a
 * list does not already show), and exec `buildctl dial-stdio` in one over SPDY, a POST, hence `create`
 * (execconn.go). Not restricted by resourceNames: buildx derives the names itself, and the Role dies with the run.
 */
export const BUILDX_KUBERNETES_DRIVER_RULES: readonly V1PolicyRule[] = [
  { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "create", "delete"] },
  { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "update", "delete"] },
  { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
  { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e\d+)?$/;
const DURATION = /^\d+(ms|s|m|h)$/;

function check(condition: boolean, message: string): void {
  if (!condition) throw new JobBuilderError(message);
}

function checkQuantity(value: string | undefined, what: string): void {
  if (value !== undefined)
    check(
      QUANTITY.test(value),
      `${what} ${JSON.stringify(value)} is not a Kubernetes quantity: use e.g. "500m", "2", "512Mi"`,
    );
}

function checkPositiveInt(value: number | undefined, what: string): void {
  if (value !== undefined)
    check(Number.isInteger(value) && value > 0, `${what} is ${value}: use a whole number of 1 or more`);
}

/** One `--driver-opt` CSV field; buildx reads the value with a CSV reader, so quote commas and quotes. */
function csvField(key: string, value: string): string {
  const field = `${key}=${value}`;
  return /[",\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** The `--driver-opt` list after `namespace=` (which the script adds from the pod's own namespace). */
export function buildxDriverOpts(builder: BuilderOptions = {}): string {
  checkPositiveInt(builder.replicas, "builder.replicas");
  checkQuantity(builder.requests?.cpu, "builder.requests.cpu");
  checkQuantity(builder.requests?.memory, "builder.requests.memory");
  checkQuantity(builder.limits?.cpu, "builder.limits.cpu");
  checkQuantity(builder.limits?.memory, "builder.limits.memory");
  if (builder.timeout !== undefined) {
    check(
      DURATION.test(builder.timeout),
      `builder.timeout ${JSON.stringify(builder.timeout)} is not a duration: use e.g. "120s" or "5m"`,
    );
  }
  if (builder.serviceAccount !== undefined) {
    check(
      DNS_LABEL.test(builder.serviceAccount),
      `builder.serviceAccount ${JSON.stringify(builder.serviceAccount)} is not a valid ServiceAccount name`,
    );
  }
  const fields: string[] = [];
  const add = (key: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) fields.push(csvField(key, String(value)));
  };
  add("replicas", builder.replicas);
  add("requests.cpu", builder.requests?.cpu);
  add("requests.memory", builder.requests?.memory);
  add("limits.cpu", builder.limits?.cpu);
  add("limits.memory", builder.limits?.memory);
  add("rootless", builder.rootless);
  add("serviceaccount", builder.serviceAccount);
  add("timeout", builder.timeout);
  add("image", builder.image);
  if (builder.nodeSelector && Object.keys(builder.nodeSelector).length > 0) {
    add(
      "nodeselector",
      Object.entries(builder.nodeSelector)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    );
  }
  return fields.join(",");
}

function validate(options: PrPodResourceOptions): void {
  check(
    typeof options.namespace === "string" && DNS_LABEL.test(options.namespace) && options.namespace.length <= 63,
    `namespace ${JSON.stringify(options.namespace)} is not a valid namespace name: use lowercase letters, digits and '-', at most 63`,
  );
  checkPositiveInt(options.activeDeadlineSeconds, "activeDeadlineSeconds");
  if (options.ttlSecondsAfterFinished !== undefined && options.ttlSecondsAfterFinished !== null) {
    check(
      Number.isInteger(options.ttlSecondsAfterFinished) && options.ttlSecondsAfterFinished >= 0,
      `ttlSecondsAfterFinished is ${options.ttlSecondsAfterFinished}: use a whole number of 0 or more, or null to keep the Job`,
    );
  }
  check(
    options.checkout === undefined || options.checkout === "head" || options.checkout === "merge",
    `checkout ${JSON.stringify(options.checkout)} is not supported: use "head" or "merge"`,
  );
  if (options.pinBaseSha) {
    check(
      options.checkout === "merge",
      `pinBaseSha pins the base of checkout "merge", but checkout is ${JSON.stringify(options.checkout ?? "head")}: use checkout merge, or drop pinBaseSha`,
    );
  }
  if (options.image !== undefined) {
    check(
      /^[^\s]+$/.test(options.image),
      `image ${JSON.stringify(options.image)} is not an image reference: e.g. "docker:24-git"`,
    );
  }
  checkQuantity(options.workspaceSizeLimit, "workspaceSizeLimit");
  const driver = options.builder?.driver ?? "kubernetes";
  check(
    driver === "kubernetes" || driver === "remote" || driver === "docker",
    `builder.driver ${JSON.stringify(driver)} is not supported: use "kubernetes", "remote" or "docker"`,
  );
  check(
    driver !== "remote" || Boolean(options.builder?.endpoint),
    'builder.driver "remote" needs builder.endpoint: the address of your BuildKit, e.g. "tcp://buildkitd:1234"',
  );
  if (options.builder?.endpoint !== undefined) {
    check(
      /^(tcp|unix|ssh|docker-container|kube-pod):\/\/\S+$/.test(options.builder.endpoint),
      `builder.endpoint ${JSON.stringify(options.builder.endpoint)} is not an endpoint: use tcp://host:port, unix:///path or ssh://user@host`,
    );
  }
  if (options.registry) {
    const { host, imageTemplate, credentialsSecret, cache } = options.registry;
    check(
      typeof host === "string" && /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._/-]+)?$/i.test(host) && !host.endsWith("/"),
      `registry ${JSON.stringify(host)} is not a registry host: use host[:port][/prefix] without a scheme, e.g. "ghcr.io/acme" or "localhost:5001"`,
    );
    if (imageTemplate !== undefined) {
      check(
        imageTemplate.includes("{target}") && /^[^\s#]+$/.test(imageTemplate),
        `registry.imageTemplate ${JSON.stringify(imageTemplate)} must contain {target} (one name per image) and no spaces`,
      );
    }
    if (credentialsSecret !== undefined) {
      check(
        /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(credentialsSecret),
        `registry.credentialsSecret ${JSON.stringify(credentialsSecret)} is not a Secret name`,
      );
    }
    check(
      cache === undefined || cache === "registry" || cache === "none",
      `registry.cache ${JSON.stringify(cache)} is not supported: use "registry" or "none"`,
    );
  }
  if (options.localChanges) {
    check(
      (options.checkout ?? "head") === "head",
      `localChanges apply on checkout "head" only, not ${JSON.stringify(options.checkout)}: drop checkout merge for a --source run`,
    );
    check(
      /^[0-9a-f]{40}$/.test(options.localChanges.headSha),
      `localChanges.headSha ${JSON.stringify(options.localChanges.headSha)} is not a full lowercase 40-hex commit SHA`,
    );
  }
  for (const kind of ["requests", "limits"] as const) {
    for (const [resource, value] of Object.entries(options.resources?.[kind] ?? {})) {
      checkQuantity(String(value), `resources.${kind}.${resource}`);
    }
  }
  for (const secret of options.imagePullSecrets ?? []) {
    check(
      /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(secret),
      `imagePullSecrets entry ${JSON.stringify(secret)} is not a Secret name`,
    );
  }
}

/** The env the pod script reads (see pod-script.sh's header): PR data from pr-context, then pr-pod's settings. */
export function prPodScriptEnv(
  context: PullRequestContext,
  options: Omit<PrPodResourceOptions, "namespace"> & { namespace?: string } = {},
): V1EnvVar[] {
  const build = options.build ?? true;
  const env: V1EnvVar[] = prPodEnv(context).map(({ name, value }) => ({ name, value }));
  env.push(
    { name: "PR_POD_WORKSPACE", value: WORKSPACE_MOUNT_PATH },
    { name: "PR_POD_TERMINATION_LOG", value: TERMINATION_MESSAGE_PATH },
    { name: "PR_POD_CHECKOUT", value: options.checkout ?? "head" },
    ...(options.pinBaseSha ? [{ name: "PR_POD_PIN_BASE", value: "true" }] : []),
    { name: "PR_POD_BUILD", value: build ? "true" : "false" },
    { name: "PR_POD_BAKE", value: build && options.bake ? "true" : "false" },
    { name: "PR_POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
  );
  if (build) {
    env.push({ name: "PR_POD_BUILDER_NAME", value: prPodRunName(context) });
    const driver = options.builder?.driver ?? "kubernetes";
    env.push({ name: "PR_POD_BUILDX_DRIVER", value: driver });
    if (driver === "kubernetes") {
      const opts = buildxDriverOpts(options.builder);
      if (opts) env.push({ name: "PR_POD_BUILDX_DRIVER_OPTS", value: opts });
    } else if (options.builder?.endpoint) {
      env.push({ name: "PR_POD_BUILDX_ENDPOINT", value: options.builder.endpoint });
    }
    const registry = options.registry;
    if (registry) {
      env.push(
        { name: "PR_POD_REGISTRY", value: registry.host },
        { name: "PR_POD_IMAGE_TEMPLATE", value: registry.imageTemplate ?? DEFAULT_IMAGE_TEMPLATE },
        { name: "PR_POD_REGISTRY_INSECURE", value: registry.insecure ? "true" : "false" },
        { name: "PR_POD_CACHE", value: registry.cache ?? "registry" },
      );
      if (registry.credentialsSecret) {
        env.push({ name: "PR_POD_REGISTRY_AUTH", value: `${REGISTRY_AUTH_MOUNT_PATH}/.dockerconfigjson` });
      }
    }
  }
  if (options.trace) env.push({ name: "PR_POD_TRACE", value: "true" });
  if (options.localChanges) {
    env.push(
      { name: "PR_POD_LOCAL_CHANGES", value: LOCAL_CHANGES_MOUNT_PATH },
      { name: "PR_POD_LOCAL_HEAD_SHA", value: options.localChanges.headSha },
    );
  }
  if (options.withToken ?? true) {
    env.push({
      name: "PR_POD_GIT_TOKEN",
      valueFrom: { secretKeyRef: { name: tokenSecretName(context), key: TOKEN_SECRET_KEY } },
    });
  }
  return env;
}

/** Everything one run needs except the token Secret, all named `prPodRunName(context)` and labelled alike. */
export function buildPrPodResources(context: PullRequestContext, options: PrPodResourceOptions): PrPodResources {
  validate(options);
  if (options.pinBaseSha) {
    check(
      Boolean(context.baseSha),
      `pinBaseSha needs the base commit, and ${context.owner}/${context.repo}#${context.number} came without one: give the base SHA (a webhook payload's base.sha, --base-sha), or merge onto the base branch's tip`,
    );
  }
  const name = prPodRunName(context);
  const namespace = options.namespace;
  const build = options.build ?? true;
  // Only the kubernetes driver talks to the API (it makes its BuildKit pods); remote and docker do not.
  const needsApi = build && (options.builder?.driver ?? "kubernetes") === "kubernetes";
  const registryAuth = build ? options.registry?.credentialsSecret : undefined;
  const withToken = options.withToken ?? true;
  const labels = { ...options.labels, ...prPodLabels(context) };
  const annotations = { ...options.annotations, ...prPodAnnotations(context) };
  const metadata = () => ({ name, namespace, labels: { ...labels } });

  const serviceAccount: V1ServiceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: metadata(),
    // The pod turns the token on for itself only when buildx needs the API.
    automountServiceAccountToken: false,
  };

  const container: V1Container = {
    name: CONTAINER_NAME,
    image: options.image ?? DEFAULT_IMAGE,
    ...(options.imagePullPolicy ? { imagePullPolicy: options.imagePullPolicy } : {}),
    command: ["/bin/sh", "-c"],
    args: [buildPrPodScript({ verify: options.verify })],
    env: prPodScriptEnv(context, options),
    workingDir: WORKSPACE_MOUNT_PATH,
    resources: options.resources ?? DEFAULT_RESOURCES,
    volumeMounts: [
      { name: "workspace", mountPath: WORKSPACE_MOUNT_PATH },
      ...(options.localChanges ? [{ name: "local-changes", mountPath: LOCAL_CHANGES_MOUNT_PATH, readOnly: true }] : []),
      ...(registryAuth ? [{ name: "registry-auth", mountPath: REGISTRY_AUTH_MOUNT_PATH, readOnly: true }] : []),
    ],
    terminationMessagePath: TERMINATION_MESSAGE_PATH,
    terminationMessagePolicy: "FallbackToLogsOnError",
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
  };

  const imagePullSecrets: V1LocalObjectReference[] | undefined = options.imagePullSecrets?.map((secret) => ({
    name: secret,
  }));

  const ttl =
    options.ttlSecondsAfterFinished === undefined
      ? DEFAULT_TTL_SECONDS_AFTER_FINISHED
      : options.ttlSecondsAfterFinished;
  const job: V1Job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { ...metadata(), annotations: { ...annotations } },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: options.activeDeadlineSeconds ?? DEFAULT_ACTIVE_DEADLINE_SECONDS,
      ...(ttl === null ? {} : { ttlSecondsAfterFinished: ttl }),
      template: {
        metadata: { labels: { ...labels }, annotations: { ...annotations } },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: needsApi,
          restartPolicy: "Never",
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          ...(options.nodeSelector ? { nodeSelector: { ...options.nodeSelector } } : {}),
          ...(options.tolerations ? { tolerations: options.tolerations.map((t) => ({ ...t })) } : {}),
          ...(imagePullSecrets ? { imagePullSecrets } : {}),
          containers: [container],
          volumes: [
            { name: "workspace", emptyDir: { sizeLimit: options.workspaceSizeLimit ?? DEFAULT_WORKSPACE_SIZE_LIMIT } },
            ...(options.localChanges
              ? [{ name: "local-changes", configMap: { name: localChangesConfigMapName(name) } }]
              : []),
            ...(registryAuth
              ? [
                  {
                    name: "registry-auth",
                    secret: {
                      secretName: registryAuth,
                      items: [{ key: ".dockerconfigjson", path: ".dockerconfigjson" }],
                    },
                  },
                ]
              : []),
          ],
        },
      },
    },
  };

  const resources: PrPodResources = {
    name,
    namespace,
    ...(withToken ? { tokenSecretName: tokenSecretName(context) } : {}),
    serviceAccount,
    job,
  };
  if (options.localChanges) {
    resources.localChanges = buildLocalChangesConfigMap(options.localChanges, {
      name: localChangesConfigMapName(name),
      namespace,
      labels: { ...labels },
    });
  }
  // Without builds nothing in the pod talks to the API: no Role at all (an empty Role would only be one more
  // object to create, list and clean up, and the pod gets no ServiceAccount token to use it anyway).
  if (needsApi) {
    resources.role = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: metadata(),
      rules: BUILDX_KUBERNETES_DRIVER_RULES.map((rule) => ({
        apiGroups: [...(rule.apiGroups ?? [])],
        resources: [...(rule.resources ?? [])],
        verbs: [...rule.verbs],
      })),
    };
    resources.roleBinding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: metadata(),
      subjects: [{ kind: "ServiceAccount", name, namespace }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
    };
  }
  return resources;
}

/** The objects in the order they must be created (ServiceAccount, Role, RoleBinding, local-changes ConfigMap, Job). */
export function prPodResourceList(
  resources: PrPodResources,
): Array<V1ServiceAccount | V1Role | V1RoleBinding | V1ConfigMap | V1Job> {
  return [
    resources.serviceAccount,
    resources.role,
    resources.roleBinding,
    resources.localChanges,
    resources.job,
  ].filter((r): r is V1ServiceAccount | V1Role | V1RoleBinding | V1ConfigMap | V1Job => r !== undefined);
}
