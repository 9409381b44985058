// Namespace deletion: everything inside goes, then the namespace itself (its "kubernetes" finalizer).
import type { ResourceRegistry } from "../api/registry.ts";
import { mustResourceType, resourceTypes } from "../api/resource-types.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { ControllerLoop } from "./controller-loop.ts";

const namespaces = mustResourceType("", "namespaces");

export class NamespaceController {
  private readonly loop: ControllerLoop;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
  ) {
    this.loop = new ControllerLoop(() => this.sync());
    this.loop.watch(store);
  }

  stop(): void {
    this.loop.stop();
  }

  private sync(): void {
    for (const ns of this.store.readList(namespaces)) {
      if (!ns.metadata.deletionTimestamp) continue;
      let remaining = 0;
      for (const t of resourceTypes) {
        if (!t.namespaced || t.virtual) continue;
        for (const object of this.store.readList(t, ns.metadata.name)) {
          remaining += 1;
          if (object.metadata.deletionTimestamp) continue;
          try {
            this.registry.delete(t, object.metadata.namespace, object.metadata.name as string, {
              propagationPolicy: "Background",
            });
          } catch {
            // Deleted meanwhile.
          }
        }
      }
      if (remaining === 0) {
        const finalizers = (ns.metadata.finalizers ?? []).filter((f) => f !== "kubernetes");
        this.registry.writeMetadata(namespaces, { ...ns, metadata: { ...ns.metadata, finalizers } });
      }
    }
  }
}
