// GET pods/{name}/log: the container's output as text/plain, with the kubelet's options
// (follow, timestamps, sinceTime, sinceSeconds, tailLines, limitBytes, container, previous).
// A followed stream ends when the container's run ends or the pod goes away.
// https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#read-log-of-the-specified-pod
import type { ServerResponse } from "node:http";
import type { StreamCut } from "../faults.ts";
import type { Json, KubeObject } from "../json.ts";
import { type ContainerLogs, formatNs, type LogLine, nowNs, parseTimeNs } from "../kubelet/container-logs.ts";
import { badRequest } from "./status-error.ts";

/** What a real API server's `io.Copy` of the kubelet's stream writes at most at once. */
const COPY_BUFFER_BYTES = 32 * 1024;

export interface LogRequest {
  pod: KubeObject;
  query: URLSearchParams;
  cut?: StreamCut;
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) throw badRequest(`${name}: Invalid value: "${text}": must be an integer`);
  return value;
}

function chooseContainer(pod: KubeObject, requested: string | null): string {
  const containers: string[] = (pod.spec?.containers ?? []).map((c: Json) => c.name);
  const inits: string[] = (pod.spec?.initContainers ?? []).map((c: Json) => c.name);
  const name = pod.metadata.name;
  if (requested) {
    if (!containers.includes(requested) && !inits.includes(requested)) {
      throw badRequest(`container ${requested} is not valid for pod ${name}`);
    }
    return requested;
  }
  if (containers.length === 1) return containers[0] as string;
  const initText = inits.length > 0 ? ` or one of the init containers: [${inits.join(" ")}]` : "";
  throw badRequest(
    `a container name must be specified for pod ${name}, choose one of: [${containers.join(" ")}]${initText}`,
  );
}

/** Validates and answers a log request; throws StatusError (400) before any byte is written. */
export function serveLogs(logs: ContainerLogs, request: LogRequest, res: ServerResponse): void {
  const { pod, query } = request;
  const container = chooseContainer(pod, query.get("container"));
  const previous = query.get("previous") === "true";
  const follow = query.get("follow") === "true" && !previous;
  const timestamps = query.get("timestamps") === "true";
  const tailLines = intParam(query, "tailLines");
  const limitBytes = intParam(query, "limitBytes");
  const sinceSeconds = intParam(query, "sinceSeconds");
  const sinceTimeText = query.get("sinceTime");
  if (sinceSeconds !== undefined && sinceTimeText)
    throw badRequest("at most one of `sinceTime` or `sinceSeconds` may be specified");
  if (sinceSeconds !== undefined && sinceSeconds < 1)
    throw badRequest(`sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0`);
  if (limitBytes !== undefined && limitBytes < 1)
    throw badRequest(`limitBytes: Invalid value: ${limitBytes}: must be greater than 0`);
  if (tailLines !== undefined && tailLines < 0)
    throw badRequest(`tailLines: Invalid value: ${tailLines}: must be greater than or equal to 0`);
  let sinceNs: bigint | undefined;
  if (sinceTimeText) {
    sinceNs = parseTimeNs(sinceTimeText);
    if (sinceNs === undefined)
      throw badRequest(`parsing time "${sinceTimeText}" as "2006-01-02T15:04:05Z07:00": cannot parse`);
  } else if (sinceSeconds !== undefined) sinceNs = nowNs() - BigInt(sinceSeconds) * 1_000_000_000n;

  const uid = pod.metadata.uid as string;
  const run = logs.run(uid, container, previous ? 1 : 0);
  if (!run) {
    const status = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
      (s: Json) => s.name === container,
    );
    if (previous)
      throw badRequest(`previous terminated container "${container}" in pod "${pod.metadata.name}" not found`);
    if (!pod.spec?.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    const reason = status?.state?.waiting?.reason ?? "ContainerCreating";
    throw badRequest(`container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`);
  }

  res.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-cache, private" });
  res.flushHeaders();

  let bytes = 0;
  let lines = 0;
  let closed = false;
  let sent = 0;
  let unsubscribe = () => {};
  // Lines waiting to go out as one write: a real API server copies the kubelet's stream with a
  // 32 KiB buffer, so whatever lines are already there leave together, not one HTTP chunk per line.
  let piece = "";
  const flush = () => {
    if (piece.length > 0) res.write(piece);
    piece = "";
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    flush();
    res.end();
  };
  const writeLine = (line: LogLine) => {
    if (closed) return;
    if (sinceNs !== undefined && line.timeNs < sinceNs) return;
    const text = `${timestamps ? `${formatNs(line.timeNs)} ` : ""}${line.text}\n`;
    const size = Buffer.byteLength(text);
    const cutBytes = request.cut?.afterBytes;
    const budget = Math.min(limitBytes ?? Number.POSITIVE_INFINITY, cutBytes ?? Number.POSITIVE_INFINITY);
    if (bytes + size > budget) {
      flush();
      res.write(Buffer.from(text).subarray(0, budget - bytes));
      bytes = budget;
      finish();
      return;
    }
    bytes += size;
    lines += 1;
    piece += text;
    if (piece.length >= COPY_BUFFER_BYTES) flush();
    if (request.cut?.afterLines !== undefined && lines >= request.cut.afterLines) finish();
  };
  const writeNewLines = () => {
    for (let i = sent; i < run.lines.length && !closed; i++) writeLine(run.lines[i] as LogLine);
    sent = run.lines.length;
    flush();
  };

  sent = tailLines !== undefined ? Math.max(0, run.lines.length - tailLines) : 0;
  writeNewLines();
  if (!follow || run.finished || closed) {
    finish();
    return;
  }
  // Lines appended in one go (a scripted pod's batch) are written together, once the batch is in.
  let scheduled = false;
  unsubscribe = logs.onChange(uid, container, () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      if (closed) return;
      if (logs.run(uid, container, 0) !== run) {
        finish();
        return;
      }
      writeNewLines();
      if (run.finished) finish();
    });
  });
  res.on("close", finish);
}
