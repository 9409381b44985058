// Every request the server answered, so tests and benchmarks can count API calls.

export interface RequestRecord {
  method: string;
  /** URL path without the query. */
  path: string;
  query: Record<string, string>;
  status: number;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection; "" for non-resource paths. */
  verb: string;
  /** Plural resource, with "/subresource" when there is one: "pods", "pods/log", "jobs/status". */
  resource: string;
  namespace?: string;
  name?: string;
  user?: string;
  /** When the request arrived. */
  timestamp: Date;
  /** A fault decided the answer (injected status, cut stream). */
  faulted?: string;
}

export type RequestFilter = Partial<
  Pick<RequestRecord, "method" | "verb" | "resource" | "namespace" | "name" | "status">
> & {
  path?: string | RegExp;
};

export class RequestLog {
  private readonly records: RequestRecord[] = [];

  add(record: RequestRecord): void {
    this.records.push(record);
  }

  /** Records in arrival order, optionally only those matching every given field. */
  list(filter: RequestFilter = {}): RequestRecord[] {
    return this.records.filter((r) => matchesRequest(r, filter));
  }

  count(filter: RequestFilter = {}): number {
    return this.list(filter).length;
  }

  /** Counts per "verb resource", e.g. { "list pods": 2, "watch pods": 1 }. */
  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.records) {
      const key = r.verb ? `${r.verb} ${r.resource}` : `${r.method} ${r.path}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  clear(): void {
    this.records.length = 0;
  }
}

export function matchesRequest(
  r: Pick<RequestRecord, "method" | "path" | "verb" | "resource"> & Partial<RequestRecord>,
  filter: RequestFilter,
): boolean {
  for (const [key, expected] of Object.entries(filter)) {
    if (expected === undefined) continue;
    const actual = r[key as keyof RequestRecord];
    if (expected instanceof RegExp) {
      if (typeof actual !== "string" || !expected.test(actual)) return false;
    } else if (actual !== expected) return false;
  }
  return true;
}
