// Child program for the log figures: follows one Job's log with followJobLogs and either writes every
// line to stdout (latency: the bench times each line's arrival) or counts bytes and drops them
// (throughput: like `> /dev/null`), reporting progress and its own peak RSS at the sizes asked for.
import { KubeConfig } from "@kubernetes/client-node";
import { marker, readChildArgs, writeOut } from "./child-args.ts";

export interface FollowLogsArgs {
  kubeconfigPath: string;
  namespace: string;
  jobName: string;
  mode: "stdout" | "discard";
  /** In discard mode: report "progress" every this many bytes (the feeder keeps a bounded lead). */
  progressEveryBytes?: number;
  /** In discard mode: report "rss-at" when these byte counts are passed. */
  rssAtBytes?: number[];
}

type FollowJobLogs = (
  kubeConfig: KubeConfig,
  options: { namespace: string; jobName: string },
) => AsyncGenerator<{ line: string; timestamp?: string }>;

const args = readChildArgs<FollowLogsArgs>("follow-logs");
const streamer = (await import("@pr-pod/log-streamer")) as Record<string, unknown>;
const followJobLogs = streamer["followJobLogs"] as FollowJobLogs | undefined;
if (typeof followJobLogs !== "function") {
  process.stderr.write("follow-logs: @pr-pod/log-streamer does not export followJobLogs yet\n");
  process.exit(3);
}
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(args.kubeconfigPath);
await marker("following");

let bytes = 0;
let lines = 0;
let nextProgress = args.progressEveryBytes ?? Number.POSITIVE_INFINITY;
const rssAt = [...(args.rssAtBytes ?? [])].sort((a, b) => a - b);
const maxRss = () => process.resourceUsage().maxRSS * 1024;
for await (const { line } of followJobLogs(kubeConfig, { namespace: args.namespace, jobName: args.jobName })) {
  lines += 1;
  if (args.mode === "stdout") {
    const wait = writeOut(`${line}\n`);
    if (wait) await wait;
    continue;
  }
  bytes += line.length + 1;
  while (rssAt.length > 0 && bytes >= (rssAt[0] as number)) {
    await marker("rss-at", { bytes: rssAt.shift(), maxRssBytes: maxRss(), rssBytes: process.memoryUsage.rss() });
  }
  if (bytes >= nextProgress) {
    nextProgress += args.progressEveryBytes as number;
    await marker("progress", { bytes });
  }
}
await marker("done", { bytes, lines, maxRssBytes: maxRss() });
