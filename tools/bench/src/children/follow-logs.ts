// Child program for the log figures: follows one Job's log with followJobLogs and either writes every
// line to stdout (latency: the bench times each line's arrival) or counts the bytes and drops them
// (throughput: like `> /dev/null`), then reports what it got and its own peak RSS. Dropping goes
// through followJobLogChunks where the library has it: the pass-through path (bytes in, bytes out,
// no string per line), which is what `kubectl logs -f > file` does too.
import { KubeConfig } from "@kubernetes/client-node";
import { marker, readChildArgs, writeOut } from "./child-args.ts";

export interface FollowLogsArgs {
  kubeconfigPath: string;
  namespace: string;
  jobName: string;
  mode: "stdout" | "discard";
}

type FollowJobLogChunks = (
  kubeConfig: KubeConfig,
  options: { namespace: string; jobName: string },
) => AsyncGenerator<{ bytes: Uint8Array; lines: number }>;

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

const followJobLogChunks = streamer["followJobLogChunks"] as FollowJobLogChunks | undefined;

let bytes = 0;
let lines = 0;
if (args.mode === "discard" && typeof followJobLogChunks === "function") {
  for await (const chunk of followJobLogChunks(kubeConfig, { namespace: args.namespace, jobName: args.jobName })) {
    lines += chunk.lines;
    bytes += chunk.bytes.length;
  }
} else
  for await (const { line } of followJobLogs(kubeConfig, { namespace: args.namespace, jobName: args.jobName })) {
    lines += 1;
    if (args.mode === "stdout") {
      const wait = writeOut(`${line}\n`);
      if (wait) await wait;
    } else bytes += line.length + 1;
  }
await marker("done", { bytes, lines, maxRssBytes: process.resourceUsage().maxRSS * 1024 });
