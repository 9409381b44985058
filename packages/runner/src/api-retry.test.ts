import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { callWithRetries } from "./api-retry.ts";

const fast = { baseDelayMs: 1, maxDelayMs: 5, attemptTimeoutMs: 1000 };

describe("callWithRetries", () => {
  it("retries 503 and 429 and returns the value that finally came", async () => {
    const answers = [
      new ApiException(503, "unavailable", {}, {}),
      new ApiException(429, "slow down", {}, { "retry-after": "0" }),
      "ok",
    ];
    const waits: number[] = [];
    const value = await callWithRetries(
      async () => {
        const next = answers.shift();
        if (next instanceof Error) throw next;
        return next;
      },
      { what: "create Job ci/x", policy: fast, onRetry: (_attempt, _detail, waitMs) => waits.push(waitMs) },
    );
    expect(value).toBe("ok");
    expect(waits).toHaveLength(2);
    expect(waits[1]).toBe(0); // Retry-After: 0 honoured
  });

  it("does not retry a 409: that is an answer", async () => {
    let calls = 0;
    const conflict = new ApiException(409, "exists", {}, {});
    await expect(
      callWithRetries(
        async () => {
          calls++;
          throw conflict;
        },
        { what: "create Secret", policy: fast },
      ),
    ).rejects.toBe(conflict);
    expect(calls).toBe(1);
  });

  it("says RETRY_BUDGET_EXHAUSTED with the call and the last status when the budget runs out", async () => {
    await expect(
      callWithRetries(
        async () => {
          throw new ApiException(500, "boom", { message: "etcd is down" }, {});
        },
        { what: "create Job ci/x", policy: { ...fast, attempts: 3 } },
      ),
    ).rejects.toMatchObject({
      code: "RETRY_BUDGET_EXHAUSTED",
      message: expect.stringContaining("gave up trying to create Job ci/x: HTTP 500 (etcd is down), 3 attempts"),
    });
  });

  it("says CLUSTER_UNREACHABLE when the connection keeps failing", async () => {
    await expect(
      callWithRetries(
        async () => {
          throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
        },
        { what: "check permissions", server: "https://127.0.0.1:1", policy: { ...fast, attempts: 2 } },
      ),
    ).rejects.toMatchObject({ code: "CLUSTER_UNREACHABLE", message: expect.stringContaining("https://127.0.0.1:1") });
  });

  it("stops waiting at once when aborted, with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const pending = callWithRetries(
      async () => {
        controller.abort(reason);
        throw new ApiException(503, "x", {}, {});
      },
      { what: "x", signal: controller.signal, policy: { ...fast, baseDelayMs: 60_000, maxDelayMs: 60_000 } },
    );
    await expect(pending).rejects.toBe(reason);
  });
});
