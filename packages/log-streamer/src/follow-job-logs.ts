// Follows the log of a Job's pod live, as lines, across dropped streams. The pod is found through a
// watch; each stream asks for timestamps, and a reconnect asks for `sinceTime` and drops the lines
// it had already given (log-line.ts). The iteration ends when the container has terminated and a
// stream opened after that has reached its end, so the last line is out. One chunk is held at a
// time, so memory stays flat however long the log is. Bytes stay bytes on the way through
// (log-bytes.ts): followJobLogChunks gives each received chunk's new lines as one Buffer, and
// followJobLogs makes strings of them only because its callers asked for lines.
import { CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { abortableDelay, backoffDelayMs } from "./backoff.ts";
import { mainContainerStatus } from "./job-outcome.ts";
import { watchJob, watchJobPods } from "./job-watches.ts";
import { keepAliveKubeConfig } from "./keep-alive-kube-config.ts";
import { openByteStream } from "./kube-stream-request.ts";
import { LogLineSplitter, readInstant, readTimestampPrefix } from "./log-bytes.ts";
import { type LogLine, LogLineDeduper, parseTimestampedLine } from "./log-line.ts";
import { statusOf } from "./resilient-watch.ts";

export interface FollowJobLogsOptions {
  namespace: string;
  jobName: string;
  /** Aborting ends the iteration quietly (no error) and closes every connection. */
  signal?: AbortSignal;
  /**
   * Applied to the text before it is given out (e.g. pat-secret's redactor), to several whole lines
   * at once: it must not add or remove newlines.
   */
  redact?: (text: string) => string;
  /** Called with every line just before the iteration gives it out. */
  onLine?: (line: LogLine) => void;
  /** Only pods owned by this Job uid count (guards against a same-named Job being deleted). */
  jobUid?: string;
  /** Container to follow. Default the pod's first container. */
  containerName?: string;
  /** Called when the pod to follow is known and its container has started. */
  onPodStarted?: (pod: V1Pod) => void;
}

export type FollowJobLogChunksOptions = Omit<FollowJobLogsOptions, "onLine">;

/** New lines of the log, as received together: each without its timestamp and ending in "\n". */
export interface LogChunk {
  /** UTF-8, whole lines only (a multi-byte character or a line split across reads is joined first). */
  bytes: Buffer;
  /** How many lines `bytes` holds. */
  lines: number;
}

interface InternalChunk extends LogChunk {
  /** The decoded text when redaction had to decode it anyway. */
  text?: string;
  /** Each line's timestamp as sent (undefined for a line without one), when asked for. */
  timestamps?: Array<string | undefined>;
}

const EMPTY = Buffer.alloc(0);
/** A copy buffer larger than this (a very long line) is not kept for the next chunk. */
const MAX_REUSED_COPY_BUFFER = 1 << 20;

/** Final streams read to their end whose last line the tail did not confirm, before giving up. */
const MAX_UNCONFIRMED_ENDS = 5;

class ChangeNotifier {
  #waiters: Array<() => void> = [];
  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
  next(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** The Job's pod log as `{ line, timestamp }`, every line once, in order. */
export async function* followJobLogs(kubeConfig: KubeConfig, options: FollowJobLogsOptions): AsyncGenerator<LogLine> {
  for await (const chunk of followLogChunks(kubeConfig, options, true)) {
    const text = chunk.text ?? chunk.bytes.toString("utf8");
    const timestamps = chunk.timestamps as Array<string | undefined>;
    let start = 0;
    for (let i = 0; i < chunk.lines; i++) {
      const newline = text.indexOf("\n", start);
      const line: LogLine = { line: text.slice(start, newline) };
      const timestamp = timestamps[i];
      if (timestamp !== undefined) line.timestamp = timestamp;
      start = newline + 1;
      options.onLine?.(line);
      yield line;
    }
  }
}

/**
 * The Job's pod log as chunks of bytes: every line once, in order, without its timestamp, several
 * lines per chunk. The pass-through path (a log copied to a stream or a file): no string per line.
 */
export function followJobLogChunks(
  kubeConfig: KubeConfig,
  options: FollowJobLogChunksOptions,
): AsyncGenerator<LogChunk> {
  return followLogChunks(kubeConfig, options, false);
}

async function* followLogChunks(
  givenKubeConfig: KubeConfig,
  options: FollowJobLogChunksOptions,
  withTimestamps: boolean,
): AsyncGenerator<InternalChunk> {
  const kubeConfig = keepAliveKubeConfig(givenKubeConfig);
  const { namespace, jobName } = options;
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const redact = options.redact;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const changes = new ChangeNotifier();
  signal.addEventListener("abort", () => changes.notify(), { once: true });

  let pods: ReadonlyMap<string, V1Pod> = new Map();
  let watchError: unknown;
  const podWatch = watchJobPods(kubeConfig, { namespace, jobName, signal }, (current) => {
    pods = current;
    changes.notify();
  }).catch((error) => {
    watchError = error;
    changes.notify();
  });

  // The Job too, so a run whose pod is already gone (TTL, pod GC) ends instead of waiting forever.
  let jobFinished = false;
  const jobWatch = watchJob(kubeConfig, { namespace, jobName, signal }, (job) => {
    jobFinished = (job?.status?.conditions ?? []).some(
      (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
    );
    changes.notify();
  }).catch((error) => {
    watchError = error;
    changes.notify();
  });

  const ownedHere = (pod: V1Pod) =>
    options.jobUid === undefined || (pod.metadata?.ownerReferences ?? []).some((owner) => owner.uid === options.jobUid);

  try {
    // 1. Wait for a pod whose container has started (or a pod that ended without ever starting one).
    let podName: string | undefined;
    while (!podName) {
      if (signal.aborted) return;
      if (watchError) throw watchError;
      const candidates = [...pods.values()].filter((pod) => ownedHere(pod) && !pod.metadata?.deletionTimestamp);
      // Raw watch objects carry strings, relisted ones Dates: compare instants.
      const created = (pod: V1Pod) => Date.parse(String(pod.metadata?.creationTimestamp ?? "")) || 0;
      candidates.sort((a, b) => created(a) - created(b));
      const pod = candidates.at(-1);
      const state = mainContainerStatus(pod, options.containerName)?.state;
      if (pod && (state?.running || state?.terminated)) {
        podName = pod.metadata?.name;
        options.onPodStarted?.(pod);
      } else if (pod && (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded")) {
        return;
      } else if (!pod && jobFinished && pods.size === 0) {
        // Finished with no pod in sight: gone (TTL, pod GC), or the pod watch is just slower than the
        // Job's. One list tells.
        const listed = await core
          .listNamespacedPod({ namespace, labelSelector: `job-name=${jobName}` })
          .catch(() => undefined);
        const found = (listed?.items ?? []).filter((item) => ownedHere(item));
        if (listed && found.length === 0) return; // no log left to read
        if (found.length > 0)
          pods = new Map([...pods, ...found.map((item) => [item.metadata?.uid ?? "", item] as const)]);
        else await changes.next();
      } else {
        await changes.next();
      }
    }
    const currentPod = () => [...pods.values()].find((pod) => pod.metadata?.name === podName);
    const containerName = () => {
      const pod = currentPod();
      return options.containerName ?? pod?.spec?.containers?.[0]?.name;
    };
    const terminated = () => {
      const pod = currentPod();
      if (!pod) return true; // deleted: nothing more will be written
      return mainContainerStatus(pod, options.containerName)?.state?.terminated !== undefined;
    };

    const logPath = () => `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}/log`;
    const tailIsLastGiven = async (deduper: LogLineDeduper): Promise<boolean> => {
      try {
        const tail = await openByteStream(kubeConfig, {
          path: logPath(),
          query: { container: containerName(), timestamps: "true", tailLines: "1" },
          signal,
        });
        const splitter = new LogLineSplitter();
        let last: string | undefined;
        for await (const chunk of tail)
          splitter.push(chunk, (source, start, end) => {
            last = source.toString("utf8", start, end);
          });
        const unfinished = splitter.takeUnfinished();
        if (unfinished) last = unfinished.toString("utf8");
        if (last === undefined) return !deduper.gaveAny;
        return deduper.isLastGiven(parseTimestampedLine(last));
      } catch (error) {
        if (statusOf(error) === 404) return true; // the pod is gone, and its log with it
        return false;
      }
    };

    // 2. Stream, reconnecting until a stream opened after termination has ended cleanly.
    const deduper = new LogLineDeduper();
    let failures = 0;
    // A final stream that ended mid-line may have been cut; only a second one ending on the same
    // unfinished line proves the container really wrote it without a newline.
    let unfinishedLastLine: string | undefined;
    let unconfirmedEnds = 0;
    // A stream that ended cleanly while the container was still running, often just as it ended.
    let cleanEndBeforeTermination = false;
    // followJobLogs decodes each chunk before it asks for the next, so one copy buffer serves them
    // all; a followJobLogChunks caller keeps the Buffers it is given, so each chunk gets its own.
    const reuseCopyBuffer = withTimestamps;
    let copyBuffer = EMPTY;
    while (!signal.aborted) {
      if (watchError) throw watchError;
      // When the container has terminated since, the tail says whether that stream had it all:
      // usually it did, and no stream has to read the last second of log again.
      if (cleanEndBeforeTermination && terminated()) {
        cleanEndBeforeTermination = false;
        if (await tailIsLastGiven(deduper)) return;
      }
      const wasTerminated = terminated();
      deduper.startStream();
      try {
        const stream = await openByteStream(kubeConfig, {
          path: logPath(),
          query: { container: containerName(), follow: "true", timestamps: "true", sinceTime: deduper.sinceTime },
          signal,
        });
        const splitter = new LogLineSplitter();
        // The new lines of one received chunk, copied together without their timestamps.
        let out = EMPTY;
        let outLength = 0;
        let outLines = 0;
        let timestamps: Array<string | undefined> = [];
        const take = (source: Buffer, start: number, end: number) => {
          const contentStart = readTimestampPrefix(source, start, end);
          const timed = contentStart !== -1;
          const accepted = timed
            ? deduper.acceptBytes(readInstant.seconds, readInstant.fraction, source, contentStart, end)
            : deduper.acceptUntimed();
          if (!accepted) return;
          const from = timed ? contentStart : start;
          const size = end - from + 1;
          if (outLength + size > out.length) {
            const grown = Buffer.allocUnsafe(Math.max(out.length * 2, outLength + size));
            out.copy(grown, 0, 0, outLength);
            out = grown;
          }
          source.copy(out, outLength, from, end);
          out[outLength + size - 1] = 0x0a;
          outLength += size;
          outLines++;
          if (withTimestamps) timestamps.push(timed ? source.toString("latin1", start, contentStart - 1) : undefined);
        };
        const given = (): InternalChunk => {
          deduper.endChunk();
          const chunk: InternalChunk = { bytes: out.subarray(0, outLength), lines: outLines };
          if (withTimestamps) chunk.timestamps = timestamps;
          if (redact) {
            const text = chunk.bytes.toString("utf8");
            const redacted = redact(text);
            chunk.text = redacted;
            if (redacted !== text) chunk.bytes = Buffer.from(redacted, "utf8");
          }
          out = EMPTY;
          outLength = 0;
          outLines = 0;
          timestamps = [];
          failures = 0;
          return chunk;
        };
        let endedMidLine: string | undefined;
        for await (const received of stream) {
          // The copy is at most the chunk plus a line it completes (timestamps only make it shorter).
          const needed = received.length + 1;
          out = reuseCopyBuffer && copyBuffer.length >= needed ? copyBuffer : Buffer.allocUnsafe(needed);
          splitter.push(received, take);
          if (reuseCopyBuffer && out.length <= MAX_REUSED_COPY_BUFFER) copyBuffer = out;
          deduper.endChunk();
          if (outLines > 0) yield given();
        }
        // A piece without its newline is (so far) a line cut in half: the next stream starts at or
        // before its timestamp and brings it whole.
        const unfinished = splitter.takeUnfinished();
        if (unfinished) {
          const text = unfinished.toString("utf8");
          if (text !== unfinishedLastLine) endedMidLine = text;
          else {
            take(unfinished, 0, unfinished.length);
            deduper.endChunk();
            if (outLines > 0) yield given();
          }
        }
        unfinishedLastLine = wasTerminated ? endedMidLine : undefined;
        cleanEndBeforeTermination = !wasTerminated && endedMidLine === undefined;
        // A stream that ends cleanly may still have been cut (some proxies end chunked bodies
        // cleanly): the log is complete only when its last line is the last line given.
        if (wasTerminated && endedMidLine === undefined) {
          if (await tailIsLastGiven(deduper)) return;
          // Read to its end again and again without confirmation (a log whose tail cannot be
          // matched): stop after a few rounds rather than loop.
          if (++unconfirmedEnds >= MAX_UNCONFIRMED_ENDS) return;
          failures++;
        } else {
          failures = 0;
        }
      } catch (error) {
        cleanEndBeforeTermination = false;
        if (signal.aborted) return;
        const status = statusOf(error);
        if (status === 404) return; // the pod is gone, and its log with it
        if (status === 401 || status === 403) throw error;
        failures++;
      }
      // The stream ended or broke while the container may still run: reconnect when the watch says
      // it terminated, or after a short pause (the stream may have dropped on its own).
      if (terminated() && failures === 0) continue;
      await Promise.race([changes.next(), abortableDelay(backoffDelayMs(Math.max(1, failures)), signal)]);
    }
  } finally {
    stop.abort();
    await Promise.all([podWatch, jobWatch]);
  }
}
