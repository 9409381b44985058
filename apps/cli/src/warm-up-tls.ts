// Node's first TLS context in a process is slow where Node links OpenSSL 3.0 (Node 20; Node 24 links
// 3.5): about 20–25 ms of one-time, process-wide set-up (OpenSSL's and the bundled root certificates')
// in the first `tls.createSecureContext`, which the first request to the cluster would pay on the main
// thread after the main thread has spent longer still loading client-node. A worker thread creating one
// context pays it on another core in the meantime, so the first request finds it done (bench figure 1:
// about 20 ms of a fresh `pr-pod run` on Node 20). With OpenSSL 3.5 (about 2 ms), or one core to run
// on (the worker would only compete with the main thread), nothing is done.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

const CREATE_ONE_CONTEXT = 'require("node:tls").createSecureContext({});';

/**
 * Starts the one-time TLS set-up on a worker thread where it is slow, and returns that worker. Never
 * waited for and never in the way: it holds no event loop open and any error of its own is dropped.
 */
export function warmUpTlsInBackground(
  opensslVersion = process.versions.openssl ?? "",
  cores = availableParallelism(),
): Worker | undefined {
  if (!opensslVersion.startsWith("3.0.") || cores < 2) return undefined;
  try {
    const worker = new Worker(CREATE_ONE_CONTEXT, { eval: true, stdout: true, stderr: true });
    worker.unref();
    worker.on("error", () => {});
    return worker;
  } catch {
    return undefined;
  }
}
