// Query parameters and DeleteOptions bodies, read as the API server reads them.
import { isPlainObject, type Json } from "../json.ts";
import type { DeleteOptions } from "./registry.ts";
import { badRequest } from "./status-error.ts";

export function dryRunOf(query: URLSearchParams, body?: Json): boolean {
  const values = [...query.getAll("dryRun"), ...(Array.isArray(body?.dryRun) ? body.dryRun : [])];
  for (const v of values)
    if (v !== "All") throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

/** kubectl's default field manager is its binary name plus the command ("kubectl-create"). */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const first = (userAgent ?? "unknown").split("/")[0] ?? "unknown";
  return first.slice(0, 128) || "unknown";
}

export function deleteOptions(query: URLSearchParams, body: Json): DeleteOptions {
  const options: DeleteOptions = {};
  const source: Json = isPlainObject(body) ? body : {};
  const policy = query.get("propagationPolicy") ?? source.propagationPolicy;
  if (policy) {
    if (!["Foreground", "Background", "Orphan"].includes(policy)) {
      throw badRequest(
        `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    options.propagationPolicy = policy;
  }
  const grace = query.get("gracePeriodSeconds") ?? source.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) options.gracePeriodSeconds = Number(grace);
  const orphan = query.get("orphanDependents") ?? source.orphanDependents;
  if (orphan !== undefined && orphan !== null) options.orphanDependents = orphan === true || orphan === "true";
  if (source.preconditions) options.preconditions = source.preconditions;
  if (dryRunOf(query, source)) options.dryRun = true;
  return options;
}
