import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { judgeJobOutcome } from "./job-outcome.ts";

const options = { unschedulableGraceMs: 1000, now: 10_000 };

function job(conditions: Array<{ type: string; status: string; reason?: string; message?: string }> = []): V1Job {
  return { metadata: { name: "j", uid: "job-uid" }, status: { conditions } } as V1Job;
}

function pod(status: V1Pod["status"]): V1Pod {
  return {
    metadata: { name: "j-abc", creationTimestamp: new Date(1000) },
    spec: { containers: [{ name: "main" }], nodeName: "node-1" },
    status,
  } as V1Pod;
}

const terminated = (exitCode: number, reason: string, message?: string): V1Pod["status"] => ({
  containerStatuses: [
    {
      name: "main",
      image: "i",
      imageID: "",
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode, reason, message } },
    },
  ],
});

describe("judgeJobOutcome", () => {
  it("says succeeded on the Complete condition, with the pod's exit code and termination message", () => {
    const result = judgeJobOutcome(
      job([{ type: "Complete", status: "True" }]),
      [pod(terminated(0, "Completed", "{}"))],
      options,
    );
    expect(result).toMatchObject({
      status: "succeeded",
      reason: "Completed",
      exitCode: 0,
      terminationMessage: "{}",
      podName: "j-abc",
    });
  });

  it("says failed with the Failed condition's reason", () => {
    const failed = job([
      {
        type: "Failed",
        status: "True",
        reason: "BackoffLimitExceeded",
        message: "Job has reached the specified backoff limit",
      },
    ]);
    expect(judgeJobOutcome(failed, [pod(terminated(3, "Error"))], options)).toMatchObject({
      status: "failed",
      reason: "BackoffLimitExceeded",
      exitCode: 3,
    });
  });

  it("fails early on an image that cannot be pulled, before the Job says anything", () => {
    const waiting = pod({
      containerStatuses: [
        {
          name: "main",
          image: "nope",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: "ErrImagePull", message: 'pull access denied for "nope"' } },
        },
      ],
    });
    expect(judgeJobOutcome(job(), [waiting], options)).toMatchObject({ status: "failed", reason: "ErrImagePull" });
  });

  it("waits while the container is only creating", () => {
    const creating = pod({
      containerStatuses: [
        {
          name: "main",
          image: "i",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: "ContainerCreating" } },
        },
      ],
    });
    expect(judgeJobOutcome(job(), [creating], options)).toBeUndefined();
  });

  it("fails on OOMKilled and on eviction", () => {
    expect(judgeJobOutcome(job(), [pod(terminated(137, "OOMKilled"))], options)?.reason).toBe("OOMKilled");
    expect(
      judgeJobOutcome(job(), [pod({ phase: "Failed", reason: "Evicted", message: "low on memory" })], options),
    ).toMatchObject({
      reason: "Evicted",
      message: "low on memory",
    });
  });

  it("gives an Unschedulable pod its grace period, then fails", () => {
    const pending = pod({
      conditions: [
        { type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/1 nodes are available" },
      ],
    });
    expect(judgeJobOutcome(job(), [pending], { ...options, unschedulableSeenAt: 9500 })).toBeUndefined();
    expect(judgeJobOutcome(job(), [pending], { ...options, unschedulableSeenAt: 9000 })).toMatchObject({
      reason: "Unschedulable",
      message: "0/1 nodes are available",
    });
  });

  it("does not decide on a plain non-zero exit: the Job may retry", () => {
    expect(judgeJobOutcome(job(), [pod(terminated(1, "Error"))], options)).toBeUndefined();
  });
});
