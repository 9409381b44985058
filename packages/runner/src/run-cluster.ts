// The few API calls a run makes, each through callWithRetries and each ending when the run's
// signal aborts. Typed client-node APIs only: the generic KubernetesObjectApi would first ask the
// server for its resource lists, calls a run does not need.
import {
  AuthorizationV1Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { keepAliveKubeConfig } from "@pr-pod/log-streamer";
import { callWithRetries, type RetryPolicy, requestOptions } from "./api-retry.ts";

/** The kinds a run creates, in the order it creates them. */
export type RunObjectKind = "Job" | "Secret" | "ServiceAccount" | "Role" | "RoleBinding" | "ConfigMap";

interface KindClient {
  create(namespace: string, body: KubernetesObject, signal: AbortSignal): Promise<KubernetesObject>;
  read(namespace: string, name: string, signal: AbortSignal): Promise<KubernetesObject>;
  remove(namespace: string, name: string, signal: AbortSignal): Promise<unknown>;
  list(namespace: string | undefined, labelSelector: string, signal: AbortSignal): Promise<KubernetesObject[]>;
}

export class RunCluster {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly batch: BatchV1Api;
  readonly rbac: RbacAuthorizationV1Api;
  readonly authorization: AuthorizationV1Api;
  readonly server: string | undefined;
  readonly #policy: Partial<RetryPolicy> | undefined;
  readonly kinds: Record<RunObjectKind, KindClient>;

  constructor(kubeConfig: KubeConfig, policy?: Partial<RetryPolicy>) {
    // One keep-alive connection pool for all of a run's requests (client-node opens one per request).
    this.kubeConfig = keepAliveKubeConfig(kubeConfig);
    this.core = this.kubeConfig.makeApiClient(CoreV1Api);
    this.batch = this.kubeConfig.makeApiClient(BatchV1Api);
    this.rbac = this.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    this.authorization = this.kubeConfig.makeApiClient(AuthorizationV1Api);
    this.server = kubeConfig.getCurrentCluster()?.server;
    this.#policy = policy;
    const background = "Background";
    const { core, batch, rbac } = this;
    const o = requestOptions;
    // biome-ignore lint/suspicious/noExplicitAny: one table over five typed APIs; bodies are built per kind elsewhere
    const body = (object: KubernetesObject) => object as any;
    this.kinds = {
      Job: {
        create: (namespace, object, signal) => batch.createNamespacedJob({ namespace, body: body(object) }, o(signal)),
        read: (namespace, name, signal) => batch.readNamespacedJob({ namespace, name }, o(signal)),
        // Foreground: the Job stays, marked for deletion, until the garbage collector has removed its
        // pods, so waiting for the Job to go (waitForJobGone) waits for them too.
        remove: (namespace, name, signal) =>
          batch.deleteNamespacedJob({ namespace, name, propagationPolicy: "Foreground" }, o(signal)),
        list: async (namespace, labelSelector, signal) =>
          (namespace
            ? await batch.listNamespacedJob({ namespace, labelSelector }, o(signal))
            : await batch.listJobForAllNamespaces({ labelSelector }, o(signal))
          ).items,
      },
      Secret: {
        create: (namespace, object, signal) =>
          core.createNamespacedSecret({ namespace, body: body(object) }, o(signal)),
        read: (namespace, name, signal) => core.readNamespacedSecret({ namespace, name }, o(signal)),
        remove: (namespace, name, signal) =>
          core.deleteNamespacedSecret({ namespace, name, propagationPolicy: background }, o(signal)),
        list: async (namespace, labelSelector, signal) =>
          (namespace
            ? await core.listNamespacedSecret({ namespace, labelSelector }, o(signal))
            : await core.listSecretForAllNamespaces({ labelSelector }, o(signal))
          ).items,
      },
      ConfigMap: {
        create: (namespace, object, signal) =>
          core.createNamespacedConfigMap({ namespace, body: body(object) }, o(signal)),
        read: (namespace, name, signal) => core.readNamespacedConfigMap({ namespace, name }, o(signal)),
        remove: (namespace, name, signal) =>
          core.deleteNamespacedConfigMap({ namespace, name, propagationPolicy: background }, o(signal)),
        list: async (namespace, labelSelector, signal) =>
          (namespace
            ? await core.listNamespacedConfigMap({ namespace, labelSelector }, o(signal))
            : await core.listConfigMapForAllNamespaces({ labelSelector }, o(signal))
          ).items,
      },
      ServiceAccount: {
        create: (namespace, object, signal) =>
          core.createNamespacedServiceAccount({ namespace, body: body(object) }, o(signal)),
        read: (namespace, name, signal) => core.readNamespacedServiceAccount({ namespace, name }, o(signal)),
        remove: (namespace, name, signal) =>
          core.deleteNamespacedServiceAccount({ namespace, name, propagationPolicy: background }, o(signal)),
        list: async (namespace, labelSelector, signal) =>
          (namespace
            ? await core.listNamespacedServiceAccount({ namespace, labelSelector }, o(signal))
            : await core.listServiceAccountForAllNamespaces({ labelSelector }, o(signal))
          ).items,
      },
      Role: {
        create: (namespace, object, signal) => rbac.createNamespacedRole({ namespace, body: body(object) }, o(signal)),
        read: (namespace, name, signal) => rbac.readNamespacedRole({ namespace, name }, o(signal)),
        remove: (namespace, name, signal) =>
          rbac.deleteNamespacedRole({ namespace, name, propagationPolicy: background }, o(signal)),
        list: async (namespace, labelSelector, signal) =>
          (namespace
            ? await rbac.listNamespacedRole({ namespace, labelSelector }, o(signal))
            : await rbac.listRoleForAllNamespaces({ labelSelector }, o(signal))
          ).items,
      },
      RoleBinding: {
        create: (namespace, object, signal) =>
          rbac.createNamespacedRoleBinding({ namespace, body: body(object) }, o(signal)),
        read: (namespace, name, signal) => rbac.readNamespacedRoleBinding({ namespace, name }, o(signal)),
        remove: (namespace, name, signal) =>
          rbac.deleteNamespacedRoleBinding({ namespace, name, propagationPolicy: background }, o(signal)),
        list: async (namespace, labelSelector, signal) =>
          (namespace
            ? await rbac.listNamespacedRoleBinding({ namespace, labelSelector }, o(signal))
            : await rbac.listRoleBindingForAllNamespaces({ labelSelector }, o(signal))
          ).items,
      },
    };
  }

  /** One API call with the run's retry policy. */
  call<T>(what: string, signal: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const options: Parameters<typeof callWithRetries>[1] = { what, signal };
    if (this.#policy) options.policy = this.#policy;
    if (this.server) options.server = this.server;
    return callWithRetries(call, options);
  }

  /**
   * Changes a Job that started without waiting (its server dropped spec.suspend) once its objects
   * exist: the job controller syncs a Job on every update, so it creates the refused pod again at
   * once instead of after its 10 s backoff.
   */
  nudgeJob(namespace: string, name: string, signal: AbortSignal | undefined) {
    return this.call(`start Job ${namespace}/${name}`, signal, (attempt) =>
      this.batch.patchNamespacedJob(
        { namespace, name, body: { metadata: { annotations: { "pr-pod.dev/objects-ready": "true" } } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch, requestOptions(attempt)),
      ),
    );
  }

  /** Lets a suspended Job start its pod. */
  unsuspendJob(namespace: string, name: string, signal: AbortSignal | undefined) {
    return this.call(`start Job ${namespace}/${name}`, signal, (attempt) =>
      this.batch.patchNamespacedJob(
        { namespace, name, body: { spec: { suspend: false } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch, requestOptions(attempt)),
      ),
    );
  }
}
