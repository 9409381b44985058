// The claim watch: what a run learns from when a newer push or a close of its PR was accepted,
// by this replica or another, without listing ConfigMaps.
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClaimIndex } from "../src/claim-index.ts";
import { claimName, type DeliveryClaim, DeliveryLedger } from "../src/delivery-ledger.ts";

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["claims"] });
});
afterAll(async () => {
  await cluster?.close();
});

let acceptedAtMs = 1_000;
function claimOf(pr: number, kind: "run" | "close", headSha?: string): DeliveryClaim {
  const deliveryId = `delivery-${pr}-${kind}-${headSha ?? "none"}-${acceptedAtMs}`;
  return {
    name: claimName(deliveryId),
    deliveryId,
    kind,
    owner: "octo",
    repo: "widgets",
    number: pr,
    ...(headSha ? { headSha } : {}),
    instance: "replica-a",
    acceptedAtMs: acceptedAtMs++,
    state: "queued",
  };
}

describe("ClaimIndex", () => {
  it("knows the claims made before it started and hears of newer ones of the same PR only", async () => {
    const ledger = new DeliveryLedger({ kubeConfig: cluster.kubeConfig, namespace: "claims" });
    const first = claimOf(1, "run", "a".repeat(40));
    await ledger.claim(first);
    const index = new ClaimIndex({
      kubeConfig: cluster.kubeConfig,
      namespace: "claims",
      logger: pino({ level: "silent" }),
    });
    await index.start();
    try {
      expect(index.synced).toBe(true);
      expect(index.supersededBy(first)).toBeUndefined();

      const heard = new Promise<DeliveryClaim>((resolve) => index.whenSuperseded(first, resolve));
      await ledger.claim(claimOf(2, "run", "b".repeat(40))); // another PR: not a replacement
      await ledger.claim(claimOf(1, "run", "a".repeat(40))); // a redelivered push of the same SHA: neither
      const push = claimOf(1, "run", "c".repeat(40));
      await ledger.claim(push);
      expect((await heard).deliveryId).toBe(push.deliveryId);
      expect(index.supersededBy(first)?.deliveryId).toBe(push.deliveryId);

      const close = claimOf(1, "close");
      const closed = new Promise<DeliveryClaim>((resolve) => index.whenSuperseded(push, resolve));
      await ledger.claim(close);
      expect((await closed).kind).toBe("close");
    } finally {
      await index.stop();
    }
  });
});
