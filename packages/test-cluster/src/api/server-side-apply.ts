// Server-side apply (application/apply-patch+yaml) with simple field ownership: each manager owns the
// leaf paths it set (lists are owned whole); applying a path another manager owns with a different
// value is a 409 Conflict unless force=true; paths a manager stops applying are removed.
// https://kubernetes.io/docs/reference/using-api/server-side-apply/
import { deepCopy, isPlainObject, type Json, type KubeObject, kubeTime, sameJson } from "../json.ts";
import { fieldPaths, fieldsV1, pathsOfFieldsV1, strategicMergePatch, valueAtPath } from "./patch.ts";
import { apiVersionOf, type ResourceType } from "./resource-types.ts";
import { StatusError } from "./status-error.ts";

/** The object after `manager` applies `config` to `current`, with managedFields updated. */
export function applyConfiguration(
  t: ResourceType,
  current: KubeObject,
  config: Json,
  manager: string,
  force: boolean,
): KubeObject {
  const paths = fieldPaths(withoutStatus(config));
  const entries: Json[] = current.metadata.managedFields ?? [];
  const conflicts: { manager: string; path: string }[] = [];
  for (const entry of entries) {
    if (entry.manager === manager && entry.operation === "Apply") continue;
    for (const path of pathsOfFieldsV1(entry.fieldsV1)) {
      if (!paths.includes(path)) continue;
      if (!sameJson(valueAtPath(current, path), valueAtPath(config, path))) {
        conflicts.push({ manager: entry.manager, path });
      }
    }
  }
  if (conflicts.length > 0 && !force) {
    const causes = conflicts.map((c) => ({
      reason: "FieldManagerConflict",
      message: `conflict with "${c.manager}"`,
      field: `.${c.path}`,
    }));
    const list = conflicts.map((c) => `- conflict with "${c.manager}": .${c.path}`).join("\n");
    throw new StatusError(
      409,
      "Conflict",
      `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? "s" : ""}:\n${list}`,
      {
        causes,
      },
    );
  }
  const mine = entries.find((e) => e.manager === manager && e.operation === "Apply");
  const previouslyOwned = mine ? pathsOfFieldsV1(mine.fieldsV1) : [];
  const ownedByOthers = new Set(entries.filter((e) => e !== mine).flatMap((e) => pathsOfFieldsV1(e.fieldsV1)));
  let merged = strategicMergePatch(current, config);
  for (const path of previouslyOwned) {
    if (paths.includes(path) || ownedByOthers.has(path)) continue;
    merged = removePath(merged, path);
  }
  const others = entries
    .filter((e) => e !== mine)
    .map((e) => ({ ...e, fieldsV1: fieldsV1(pathsOfFieldsV1(e.fieldsV1).filter((p) => !paths.includes(p))) }))
    .filter((e) => Object.keys(e.fieldsV1).length > 0);
  merged.metadata.managedFields = [...others, managedEntry(t, manager, "Apply", paths)];
  return merged;
}

export function withoutStatus(object: Json): Json {
  const { status: _s, ...rest } = object;
  return rest;
}

function removePath(doc: Json, path: string): Json {
  const parts = path.split(".");
  const out = deepCopy(doc);
  let node = out;
  for (const part of parts.slice(0, -1)) {
    node = node?.[part];
    if (!isPlainObject(node)) return out;
  }
  delete node[parts[parts.length - 1] as string];
  return out;
}

export function managedEntry(t: ResourceType, manager: string, operation: "Apply" | "Update", paths: string[]): Json {
  return {
    manager,
    operation,
    apiVersion: apiVersionOf(t),
    time: kubeTime(),
    fieldsType: "FieldsV1",
    fieldsV1: fieldsV1(paths),
  };
}

/** managedFields after a non-apply write: the writer now owns what it changed. */
export function recordUpdateOwnership(
  t: ResourceType,
  entries: Json[],
  manager: string,
  before: KubeObject,
  after: KubeObject,
): Json[] {
  const changed = fieldPaths(withoutStatus(after)).filter(
    (p) => !sameJson(valueAtPath(before, p), valueAtPath(after, p)),
  );
  if (changed.length === 0) return entries;
  const others = entries
    .filter((e) => !(e.manager === manager && e.operation === "Update"))
    .map((e) => ({ ...e, fieldsV1: fieldsV1(pathsOfFieldsV1(e.fieldsV1).filter((p) => !changed.includes(p))) }))
    .filter((e) => Object.keys(e.fieldsV1).length > 0);
  const mine = entries.find((e) => e.manager === manager && e.operation === "Update");
  const owned = new Set([...(mine ? pathsOfFieldsV1(mine.fieldsV1) : []), ...changed]);
  return [...others, managedEntry(t, manager, "Update", [...owned])];
}
