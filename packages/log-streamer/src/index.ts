// @pr-pod/log-streamer: follow a Job's pod log live (or any pod's container log), and wait for the Job's outcome with a reason.
export {
  type FollowJobLogChunksOptions,
  type FollowJobLogsOptions,
  followJobLogChunks,
  followJobLogs,
  type LogChunk,
} from "./follow-job-logs.ts";
export { type FollowPodLogsOptions, followPodLogs } from "./follow-pod-logs.ts";
export {
  currentPod,
  type JobResult,
  type JobResultStatus,
  type JudgeOptions,
  judgeJobOutcome,
  UNFIXABLE_WAITING_REASONS,
} from "./job-outcome.ts";
export { keepAliveKubeConfig } from "./keep-alive-kube-config.ts";
export { KubeHttpError } from "./kube-stream-request.ts";
export { type LogLine, LogLineDeduper, parseTimestampedLine, sinceTimeFor } from "./log-line.ts";
export { type WaitForJobResultOptions, waitForJobResult } from "./wait-for-job-result.ts";
