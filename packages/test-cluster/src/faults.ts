// Fault injection for tests of retry and resume logic: failing replies, latency, streams cut short,
// resourceVersions expired. Each fault matches requests by verb/resource/method/path.
import { matchesRequest, type RequestFilter } from "./request-log.ts";

export interface FailNextOptions {
  /** 429, 500, 503 or any other error code. */
  status: number;
  /** How many matching requests get the error (default 1). */
  count?: number;
  match?: RequestFilter;
  /** Sets the Retry-After header and details.retryAfterSeconds (default 1 for 429 and 503). */
  retryAfterSeconds?: number;
  message?: string;
}

export interface LatencyOptions {
  ms: number;
  match?: RequestFilter;
  /** How many matching requests are delayed (default: all until cleared). */
  count?: number;
}

export interface CutStreamOptions {
  /** Cut after this many bytes of the body (a log stream, or a watch). */
  afterBytes?: number;
  /** Cut a watch after this many events. */
  afterEvents?: number;
  /** Cut a log stream after this many lines. */
  afterLines?: number;
  /** How many matching streams are cut (default 1). */
  count?: number;
  match?: RequestFilter;
}

interface Counted<T> {
  options: T;
  remaining: number;
}

export interface RequestDescription {
  method: string;
  path: string;
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
}

export interface StreamCut {
  afterBytes?: number;
  afterEvents?: number;
  afterLines?: number;
}

export class Faults {
  private failures: Counted<FailNextOptions>[] = [];
  private latencies: Counted<LatencyOptions>[] = [];
  private logCuts: Counted<CutStreamOptions>[] = [];
  private watchCuts: Counted<CutStreamOptions>[] = [];

  constructor(private readonly expire: () => void) {}

  /** The next `count` requests matching `match` get a Status error with this code. */
  failNext(options: FailNextOptions): void {
    this.failures.push({ options, remaining: options.count ?? 1 });
  }

  /** Matching requests wait `ms` before they are handled. */
  addLatency(options: LatencyOptions): void {
    this.latencies.push({ options, remaining: options.count ?? Number.POSITIVE_INFINITY });
  }

  /** The next matching pods/log stream is closed after N bytes or lines (mid-line if bytes say so). */
  cutLogStream(options: CutStreamOptions): void {
    this.logCuts.push({ options, remaining: options.count ?? 1 });
  }

  /** The next matching watch is closed after N events or bytes. */
  cutWatch(options: CutStreamOptions): void {
    this.watchCuts.push({ options, remaining: options.count ?? 1 });
  }

  /** Every resourceVersion handed out so far becomes too old: watches from them get 410 Gone. */
  expireResourceVersions(): void {
    this.expire();
  }

  clear(): void {
    this.failures = [];
    this.latencies = [];
    this.logCuts = [];
    this.watchCuts = [];
  }

  /** @internal the error to answer with, if a failure fault matches. */
  takeFailure(request: RequestDescription): FailNextOptions | undefined {
    return take(this.failures, request);
  }

  /** @internal */
  takeLatency(request: RequestDescription): number {
    return take(this.latencies, request)?.ms ?? 0;
  }

  /** @internal */
  takeLogCut(request: RequestDescription): StreamCut | undefined {
    return take(this.logCuts, request);
  }

  /** @internal */
  takeWatchCut(request: RequestDescription): StreamCut | undefined {
    return take(this.watchCuts, request);
  }
}

function take<T extends { match?: RequestFilter }>(list: Counted<T>[], request: RequestDescription): T | undefined {
  const index = list.findIndex((f) => f.remaining > 0 && matchesRequest(request, f.options.match ?? {}));
  if (index < 0) return undefined;
  const found = list[index] as Counted<T>;
  found.remaining -= 1;
  if (found.remaining <= 0) list.splice(index, 1);
  return found.options;
}
