// One container's log of any pod (a preview's Deployment pods, say), printed up to now or followed
// live: the same byte stream, line splitting and reconnect de-duplication as a Job's log, without the
// Job. With follow, a stream that drops while the container still runs is reopened from its last
// timestamp and the repeated lines are dropped; the iteration ends when the container has terminated
// (and its log is read to the end), the pod is gone, or the signal aborts.
// https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#get-read-log-of-the-specified-pod
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { abortableDelay, backoffDelayMs } from "./backoff.ts";
import { openByteStream } from "./kube-stream-request.ts";
import { LogLineSplitter } from "./log-bytes.ts";
import { type LogLine, LogLineDeduper, parseTimestampedLine } from "./log-line.ts";
import { statusOf } from "./resilient-watch.ts";

export interface FollowPodLogsOptions {
  namespace: string;
  podName: string;
  /** Default: the pod's only container (the API server asks for one when there are several). */
  container?: string;
  /** Keep reading as the container writes, until it terminates. Default false: the log up to now. */
  follow?: boolean;
  /** Only lines newer than this many seconds (the first stream only; a reconnect resumes instead). */
  sinceSeconds?: number;
  /** Only the last N lines (the first stream only). */
  tailLines?: number;
  /** Aborting ends the iteration quietly. */
  signal?: AbortSignal;
  /** Applied to each line before it is given out (e.g. pat-secret's redactor). */
  redact?: (text: string) => string;
}

/** The container's log as `{ line, timestamp }`, every line once, in order. */
export async function* followPodLogs(kubeConfig: KubeConfig, options: FollowPodLogsOptions): AsyncGenerator<LogLine> {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const path = `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/pods/${encodeURIComponent(options.podName)}/log`;
  const deduper = new LogLineDeduper();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const containerDone = async (): Promise<boolean> => {
    try {
      const pod = await core.readNamespacedPod({ namespace: options.namespace, name: options.podName });
      const statuses = pod.status?.containerStatuses ?? [];
      const status = options.container ? statuses.find((s) => s.name === options.container) : statuses[0];
      return Boolean(pod.metadata?.deletionTimestamp) || status?.state?.terminated !== undefined;
    } catch (error) {
      if (statusOf(error) === 404) return true;
      throw error;
    }
  };
  let failures = 0;
  let first = true;
  try {
    while (!signal.aborted) {
      const wasDone = options.follow ? await containerDone() : true;
      deduper.startStream();
      try {
        const stream = await openByteStream(kubeConfig, {
          path,
          query: {
            container: options.container,
            timestamps: "true",
            follow: options.follow ? "true" : undefined,
            sinceTime: deduper.sinceTime,
            sinceSeconds: first && options.sinceSeconds !== undefined ? String(options.sinceSeconds) : undefined,
            tailLines: first && options.tailLines !== undefined ? String(options.tailLines) : undefined,
          },
          signal,
        });
        first = false;
        const splitter = new LogLineSplitter();
        let lines: LogLine[] = [];
        const take = (source: Buffer, start: number, end: number) => {
          const parsed = parseTimestampedLine(source.toString("utf8", start, end));
          if (!deduper.accept(parsed)) return;
          const line: LogLine = { line: options.redact ? options.redact(parsed.content) : parsed.content };
          if (parsed.timestamp !== undefined) line.timestamp = parsed.timestamp;
          lines.push(line);
        };
        for await (const chunk of stream) {
          splitter.push(chunk, take);
          deduper.endChunk();
          const ready = lines;
          lines = [];
          yield* ready;
        }
        const unfinished = splitter.takeUnfinished();
        if (unfinished) take(unfinished, 0, unfinished.length);
        deduper.endChunk();
        yield* lines;
        failures = 0;
        // Without follow the log up to now is all; with it, a stream opened after the container ended
        // has brought everything.
        if (wasDone) return;
      } catch (error) {
        if (signal.aborted) return;
        const status = statusOf(error);
        // Only a follow waits out a container that has not started yet (400 "is waiting to start").
        if (!options.follow || status === 404 || status === 401 || status === 403) throw error;
        if (status === 400 && !/waiting to start|ContainerCreating|PodInitializing/.test(String(error))) throw error;
        failures++;
      }
      await abortableDelay(backoffDelayMs(Math.max(1, failures)), signal);
    }
  } finally {
    stop.abort();
  }
}
