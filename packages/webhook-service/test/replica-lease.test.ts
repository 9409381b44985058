// Leases of `pr-pod serve` replicas, judged on the observer's own clock (times passed in, so nothing
// here waits): a lease unchanged for its whole duration is a replica gone for good; one renewed
// meanwhile is alive; a replica with no lease at all is gone once its absence lasted a duration.
import { CoreV1Api } from "@kubernetes/client-node";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeaseObserver, leaseName, ReplicaLease } from "../src/replica-lease.ts";

const NS = "leases";
let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: [NS] });
});
afterAll(async () => {
  await cluster?.close();
});

const lease = (instanceId: string) =>
  new ReplicaLease({
    kubeConfig: cluster.kubeConfig,
    namespace: NS,
    instanceId,
    logger: pino({ level: "silent" }),
    durationMs: 1000,
  });

describe("replica leases", () => {
  it("a lease not renewed for its whole duration, as observed, is a replica gone for good", async () => {
    const alive = lease("replica-alive");
    const gone = lease("replica-gone");
    await Promise.all([alive.renew(), gone.renew()]);
    const observer = new LeaseObserver({ kubeConfig: cluster.kubeConfig, namespace: NS });

    await observer.observe(0);
    expect(observer.isGone("replica-gone", 900)).toBe(false);
    await alive.renew(); // a new renew time (an observation came between: at least a millisecond later)
    await observer.observe(1100);
    expect(observer.isGone("replica-gone", 1100)).toBe(true);
    expect(observer.isGone("replica-alive", 1100)).toBe(false);
    expect(observer.isGone("replica-alive", 2101)).toBe(true); // unless it renews again
    expect(observer.goneHolders(1100)).toContain("replica-gone");
    expect(observer.goneHolders(1100)).not.toContain("replica-alive");
  });

  it("a replica with unfinished claims and no lease is gone once that lasted a default duration", () => {
    const observer = new LeaseObserver({ kubeConfig: cluster.kubeConfig, namespace: NS, defaultDurationMs: 1000 });
    expect(observer.isGone("replica-from-before-leases", 0)).toBe(false);
    expect(observer.isGone("replica-from-before-leases", 999)).toBe(false);
    expect(observer.isGone("replica-from-before-leases", 1001)).toBe(true);
  });

  it("forgets a gone replica's lease, but not one renewed since it was observed", async () => {
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const exists = async (instance: string) =>
      core.readNamespacedConfigMap({ namespace: NS, name: leaseName(instance) }).then(
        () => true,
        () => false,
      );
    const stale = lease("replica-stale");
    const back = lease("replica-back");
    await Promise.all([stale.renew(), back.renew()]);
    const observer = new LeaseObserver({ kubeConfig: cluster.kubeConfig, namespace: NS });
    await observer.observe(0);
    await back.renew(); // came back after the observation: its lease has a newer resourceVersion
    await observer.forget("replica-stale");
    await observer.forget("replica-back");
    expect(await exists("replica-stale")).toBe(false);
    expect(await exists("replica-back")).toBe(true);
  });
});
