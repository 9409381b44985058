import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { warmUpTlsInBackground } from "../src/warm-up-tls.ts";

describe("warmUpTlsInBackground", () => {
  it("does nothing where OpenSSL's first TLS context is cheap (3.5, Node 24), or on one core", () => {
    expect(warmUpTlsInBackground("3.5.8", 2)).toBeUndefined();
    expect(warmUpTlsInBackground("", 2)).toBeUndefined();
    expect(warmUpTlsInBackground("3.0.19", 1)).toBeUndefined();
  });

  it("on OpenSSL 3.0 (Node 20) creates one TLS context on a worker thread that finishes cleanly", async () => {
    const worker = warmUpTlsInBackground("3.0.19", 2);
    expect(worker).toBeDefined();
    const [exitCode] = await once(worker as NonNullable<typeof worker>, "exit");
    expect(exitCode).toBe(0);
  });
});
