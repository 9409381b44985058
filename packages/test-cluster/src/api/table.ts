// meta.k8s.io/v1 Table answers for `kubectl get` (which asks for them in its Accept header), with
// the columns the real server prints for each kind.
import type { Json, KubeObject } from "../json.ts";
import type { ResourceType } from "./resource-types.ts";

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  cell: (object: KubeObject) => unknown;
}

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept);
}

/** Age as kubectl prints it (apimachinery's duration.HumanDuration). */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  return d < 730 ? `${d}d` : `${Math.floor(d / 365)}y`;
}

const age = (o: KubeObject) =>
  o.metadata.creationTimestamp ? humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp)) : "<unknown>";

const col = (name: string, cell: Column["cell"], extra: Partial<Column> = {}): Column => ({
  name,
  type: "string",
  format: "",
  description: "",
  priority: 0,
  cell,
  ...extra,
});

const nameColumn = col("Name", (o) => o.metadata.name, { format: "name" });
const ageColumn = col("Age", age);

export function podStatusText(pod: KubeObject): string {
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? "Unknown";
  for (const cs of pod.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated) {
      const t = cs.state.terminated;
      reason = t.reason ?? (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`);
    }
  }
  if (pod.metadata.deletionTimestamp) reason = "Terminating";
  return reason;
}

function jobStatusText(job: KubeObject): string {
  const conditions: Json[] = job.status?.conditions ?? [];
  const has = (type: string) => conditions.some((c) => c.type === type && c.status === "True");
  if (has("Complete")) return "Complete";
  if (has("Failed")) return "Failed";
  if (has("FailureTarget")) return "FailureTarget";
  if (has("SuccessCriteriaMet")) return "SuccessCriteriaMet";
  if (job.spec?.suspend) return "Suspended";
  return "Running";
}

function columnsFor(t: ResourceType): Column[] {
  switch (t.resource) {
    case "namespaces":
      return [nameColumn, col("Status", (o) => o.status?.phase ?? ""), ageColumn];
    case "pods":
      return [
        nameColumn,
        col("Ready", (o) => {
          const statuses: Json[] = o.status?.containerStatuses ?? [];
          return `${statuses.filter((s) => s.ready).length}/${o.spec?.containers?.length ?? 0}`;
        }),
        col("Status", podStatusText),
        col(
          "Restarts",
          (o) => (o.status?.containerStatuses ?? []).reduce((n: number, s: Json) => n + (s.restartCount ?? 0), 0),
          { type: "string" },
        ),
        ageColumn,
        col("IP", (o) => o.status?.podIP ?? "<none>", { priority: 1 }),
        col("Node", (o) => o.spec?.nodeName ?? "<none>", { priority: 1 }),
      ];
    case "jobs":
      return [
        nameColumn,
        col("Status", jobStatusText),
        col("Completions", (o) => `${o.status?.succeeded ?? 0}/${o.spec?.completions ?? 1}`),
        col("Duration", (o) => {
          const start = o.status?.startTime ? Date.parse(o.status.startTime) : undefined;
          if (start === undefined) return "";
          const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : Date.now();
          return humanDuration(end - start);
        }),
        ageColumn,
      ];
    case "secrets":
      return [
        nameColumn,
        col("Type", (o) => o.type ?? "Opaque"),
        col("Data", (o) => Object.keys(o.data ?? {}).length, { type: "integer" }),
        ageColumn,
      ];
    case "configmaps":
      return [
        nameColumn,
        col("Data", (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, {
          type: "integer",
        }),
        ageColumn,
      ];
    case "serviceaccounts":
      return [nameColumn, col("Secrets", (o) => (o.secrets ?? []).length, { type: "integer" }), ageColumn];
    case "events":
      return [
        col("Last Seen", (o) => (o.lastTimestamp ? humanDuration(Date.now() - Date.parse(o.lastTimestamp)) : "")),
        col("Type", (o) => o.type ?? ""),
        col("Reason", (o) => o.reason ?? ""),
        col("Object", (o) => `${String(o.involvedObject?.kind ?? "").toLowerCase()}/${o.involvedObject?.name ?? ""}`),
        col("Message", (o) => o.message ?? ""),
      ];
    case "roles":
    case "rolebindings":
      return [nameColumn, col("Created At", (o) => o.metadata.creationTimestamp ?? "", { format: "date" })];
    default:
      return [nameColumn, ageColumn];
  }
}

export function toTable(t: ResourceType, objects: KubeObject[], listMeta: Json, includeObject: string | null): Json {
  const columns = columnsFor(t);
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: listMeta,
    columnDefinitions: columns.map(({ cell: _c, ...definition }) => definition),
    rows: objects.map((object) => ({
      cells: columns.map((c) => c.cell(object)),
      object:
        includeObject === "None"
          ? undefined
          : includeObject === "Object"
            ? object
            : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata },
    })),
  };
}
