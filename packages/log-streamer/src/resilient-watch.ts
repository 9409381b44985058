// One Kubernetes watch kept alive until its caller stops it: resumed from the last resourceVersion
// after a drop, and after 410 Gone (which arrives in-band, as an ERROR event) restarted from a
// fresh list. The first connection asks for no resourceVersion, so the API server starts with
// synthetic ADDED events for what exists: no list request in the normal case.
// https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
import { type KubeConfig, type KubernetesObject, Watch } from "@kubernetes/client-node";
import { abortableDelay, backoffDelayMs } from "./backoff.ts";
import { KubeHttpError } from "./kube-stream-request.ts";

export interface ObjectList<T> {
  items: T[];
  resourceVersion?: string;
}

export interface ResilientWatchOptions<T extends KubernetesObject> {
  /** Collection path, e.g. `/apis/batch/v1/namespaces/default/jobs`. */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** The same collection listed (with the same selectors); used only after 410 Gone. */
  list: (signal: AbortSignal) => Promise<ObjectList<T>>;
  signal: AbortSignal;
  /** Called after every change with every object currently known, keyed by uid (or name). */
  onChange: (objects: ReadonlyMap<string, T>) => void;
  /**
   * What the caller already knows (the object its create or patch returned, with that answer's
   * resourceVersion): the watch starts there instead of with synthetic ADDED events, so a change made
   * in between (a delete before the watch was set up) is not missed.
   */
  from?: ObjectList<T>;
}

type WatchEnd = { kind: "closed"; sawEvents: boolean } | { kind: "gone" } | { kind: "error"; error: unknown };

const PERMANENT_STATUS = new Set([400, 401, 403, 404, 422]);

/** Runs until `signal` aborts (then resolves); rejects only on errors a retry cannot fix (401, 403...). */
export async function runResilientWatch<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  options: ResilientWatchOptions<T>,
): Promise<void> {
  const watch = new Watch(kubeConfig);
  const objects = new Map<string, T>();
  let resourceVersion: string | undefined;
  let failures = 0;
  const keyOf = (object: T) => object.metadata?.uid ?? object.metadata?.name ?? "";
  if (options.from) {
    for (const item of options.from.items) objects.set(keyOf(item), item);
    resourceVersion = options.from.resourceVersion;
    options.onChange(objects);
  }

  while (!options.signal.aborted) {
    const end = await new Promise<WatchEnd>((resolve) => {
      let sawEvents = false;
      let gone = false;
      const query: Record<string, string | boolean | undefined> = {
        allowWatchBookmarks: true,
        fieldSelector: options.fieldSelector,
        labelSelector: options.labelSelector,
        resourceVersion,
      };
      const onEvent = (type: string, object: unknown) => {
        if (options.signal.aborted) return;
        if (type === "ERROR") {
          const status = object as { code?: number; message?: string };
          if (status.code === 410) gone = true;
          else
            resolve({ kind: "error", error: new KubeHttpError(status.code ?? 500, status.message ?? "watch error") });
          return;
        }
        const typed = object as T;
        const version = typed.metadata?.resourceVersion;
        if (version) resourceVersion = version;
        sawEvents = true;
        if (type === "BOOKMARK") return;
        if (type === "DELETED") objects.delete(keyOf(typed));
        else objects.set(keyOf(typed), typed);
        options.onChange(objects);
      };
      const onDone = (error: unknown) => {
        // 410 comes in-band (an ERROR event) from real API servers, as an HTTP status from some proxies.
        if (gone || statusOf(error) === 410) resolve({ kind: "gone" });
        else if (error && !options.signal.aborted) resolve({ kind: "error", error });
        else resolve({ kind: "closed", sawEvents });
      };
      watch
        .watch(options.path, query, onEvent, onDone)
        .then((controller) => {
          if (options.signal.aborted) controller.abort();
          else options.signal.addEventListener("abort", () => controller.abort(), { once: true });
        })
        .catch(onDone);
    });
    if (options.signal.aborted) return;

    if (end.kind === "gone") {
      const listed = await relist(options);
      if (!listed) return;
      objects.clear();
      for (const item of listed.items) objects.set(keyOf(item), item);
      resourceVersion = listed.resourceVersion;
      options.onChange(objects);
      failures = 0;
      continue;
    }
    if (end.kind === "error") {
      const status = statusOf(end.error);
      if (status !== undefined && PERMANENT_STATUS.has(status)) throw end.error;
      failures++;
    } else {
      // A watch the server closed after delivering something is normal (timeouts): resume at once.
      failures = end.sawEvents ? 0 : failures + 1;
    }
    if (failures > 0 && !(await abortableDelay(backoffDelayMs(failures), options.signal))) return;
  }
}

async function relist<T extends KubernetesObject>(
  options: ResilientWatchOptions<T>,
): Promise<ObjectList<T> | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.list(options.signal);
    } catch (error) {
      if (options.signal.aborted) return undefined;
      const status = statusOf(error);
      if (status !== undefined && PERMANENT_STATUS.has(status)) throw error;
      if (!(await abortableDelay(backoffDelayMs(attempt), options.signal))) return undefined;
    }
  }
}

/** The HTTP status of an error from client-node, the Watch, or {@link KubeHttpError}. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as { statusCode?: unknown; code?: unknown };
  if (typeof candidate.statusCode === "number") return candidate.statusCode;
  if (typeof candidate.code === "number") return candidate.code;
  return undefined;
}
