// The TTL-after-finished controller: a finished Job with ttlSecondsAfterFinished is deleted (with
// its pods, Background propagation) that many seconds after it completed or failed.

import type { ResourceRegistry } from "../api/registry.ts";
import { mustResourceType } from "../api/resource-types.ts";
import type { Json, KubeObject } from "../json.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { ControllerLoop } from "./controller-loop.ts";

const jobs = mustResourceType("batch", "jobs");

function finishedAt(job: KubeObject): number | undefined {
  const done = (job.status?.conditions ?? []).find(
    (c: Json) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
  if (!done) return undefined;
  return Date.parse(job.status?.completionTime ?? done.lastTransitionTime);
}

export class TtlAfterFinishedController {
  private readonly loop: ControllerLoop;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
  ) {
    this.loop = new ControllerLoop(() => this.sync());
    this.loop.watch(store, (e) => e.resourceType === jobs);
  }

  stop(): void {
    this.loop.stop();
  }

  private sync(): void {
    for (const job of this.store.readList(jobs)) {
      const ttl = job.spec?.ttlSecondsAfterFinished;
      if (ttl === undefined || ttl === null || job.metadata.deletionTimestamp) continue;
      const finished = finishedAt(job);
      if (finished === undefined) continue;
      const due = finished + ttl * 1000 - Date.now();
      if (due > 0) {
        this.loop.scheduleAfter(due);
        continue;
      }
      try {
        this.registry.delete(jobs, job.metadata.namespace, job.metadata.name as string, {
          propagationPolicy: "Background",
          preconditions: { uid: job.metadata.uid as string },
        });
      } catch {
        // Deleted meanwhile.
      }
    }
  }
}
