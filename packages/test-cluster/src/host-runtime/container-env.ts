// The environment the kubelet would give a container, worked out from the pod spec alone (pure).
// Follows the kubelet's makeEnvironmentVariables: envFrom first, then env in order, later entries win,
// and a `$(VAR)` in a value sees only the variables defined before it.
// https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
import type { V1ConfigMap, V1Container, V1ObjectFieldSelector, V1Pod, V1Secret } from "@kubernetes/client-node";

/** Why the kubelet would refuse to create the container; `message` is worded as the kubelet words it. */
export type ContainerConfigError = { reason: "CreateContainerConfigError"; message: string };

/**
 * Env the kubelet would give the container: `value` (with `$(VAR)` expansion), `valueFrom.secretKeyRef`
 * (missing secret or key is an error unless `optional`), `valueFrom.fieldRef`, and `envFrom` secretRef.
 * Does not add the service-link variables (`KUBERNETES_SERVICE_HOST`...) a real kubelet adds.
 */
export function resolveContainerEnv(
  pod: V1Pod,
  container: V1Container,
  getSecret: (name: string) => V1Secret | undefined,
): { env: Record<string, string> } | { error: ContainerConfigError } {
  const namespace = pod.metadata?.namespace ?? "default";
  const env: Record<string, string> = {};
  const fail = (message: string) => ({ error: { reason: "CreateContainerConfigError" as const, message } });

  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      if (source.configMapRef.optional) continue;
      return fail(`configmap "${source.configMapRef.name}": envFrom configMapRef is not supported by the host runtime`);
    }
    if (!source.secretRef) continue;
    const secretName = source.secretRef.name ?? "";
    const secret = getSecret(secretName);
    if (!secret) {
      if (source.secretRef.optional) continue;
      return fail(secretNotFound(secretName));
    }
    for (const [key, bytes] of Object.entries(secretDataBytes(secret)))
      env[(source.prefix ?? "") + key] = bytes.toString("utf8");
  }

  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (variable.value || !from) {
      env[variable.name] = expandKubernetesVariables(variable.value ?? "", env);
    } else if (from.secretKeyRef) {
      const { name = "", key, optional } = from.secretKeyRef;
      const secret = getSecret(name);
      if (!secret) {
        if (optional) continue;
        return fail(secretNotFound(name));
      }
      const bytes = secretDataBytes(secret)[key];
      if (!bytes) {
        if (optional) continue;
        return fail(`couldn't find key ${key} in Secret ${namespace}/${name}`);
      }
      env[variable.name] = bytes.toString("utf8");
    } else if (from.fieldRef) {
      const value = podFieldValue(pod, from.fieldRef);
      if (typeof value !== "string") return fail(value.error);
      env[variable.name] = value;
    } else if (from.configMapKeyRef?.optional) {
      // an optional reference to something the host runtime cannot read resolves like a missing one
    } else {
      const kind = from.configMapKeyRef ? "configMapKeyRef" : from.resourceFieldRef ? "resourceFieldRef" : "fileKeyRef";
      return fail(
        `env ${variable.name}: valueFrom.${kind} is not supported by the host runtime; use value or secretKeyRef`,
      );
    }
  }
  return { env };
}

/**
 * Kubernetes' `$(VAR)` expansion, as the kubelet applies it to env values, command and args:
 * `$(NAME)` becomes the variable's value when it is defined, and stays as written when not;
 * `$$` is an escaped `$` (so `$$(NAME)` gives the literal `$(NAME)`); any other `$` stays as it is.
 */
export function expandKubernetesVariables(input: string, variables: Record<string, string>): string {
  let output = "";
  let i = 0;
  while (i < input.length) {
    const char = input[i] as string;
    if (char !== "$" || i + 1 >= input.length) {
      output += char;
      i += 1;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      output += "$";
      i += 2;
    } else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close === -1) {
        // unterminated: keep "$(" and carry on scanning after it
        output += "$(";
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      output += Object.hasOwn(variables, name) ? variables[name] : `$(${name})`;
      i = close + 1;
    } else {
      output += char;
      i += 1;
    }
  }
  return output;
}

/** A secret's values as bytes: `data` is base64 as the API serves it; `stringData` wins, as on write. */
export function secretDataBytes(secret: V1Secret): Record<string, Buffer> {
  const bytes: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) bytes[key] = Buffer.from(value, "base64");
  for (const [key, value] of Object.entries(secret.stringData ?? {})) bytes[key] = Buffer.from(value, "utf8");
  return bytes;
}

/** A ConfigMap's keys as bytes: `data` as UTF-8, `binaryData` decoded from base64 (the API forbids a key in both). */
export function configMapDataBytes(configMap: V1ConfigMap): Record<string, Buffer> {
  const bytes: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(configMap.data ?? {})) bytes[key] = Buffer.from(value, "utf8");
  for (const [key, value] of Object.entries(configMap.binaryData ?? {})) bytes[key] = Buffer.from(value, "base64");
  return bytes;
}

/** The kubelet's secret manager reports a missing secret with the singular resource name. */
function secretNotFound(name: string): string {
  return `secret "${name}" not found`;
}

// The downward API fields an env var may select.
// https://kubernetes.io/docs/concepts/workloads/pods/downward-api/#downwardapi-fieldRef
function podFieldValue(pod: V1Pod, selector: V1ObjectFieldSelector): string | { error: string } {
  const path = selector.fieldPath;
  const subscript = /^(.*)\['(.*)'\]$/.exec(path);
  if (subscript) {
    if (subscript[1] === "metadata.labels") return pod.metadata?.labels?.[subscript[2] as string] ?? "";
    if (subscript[1] === "metadata.annotations") return pod.metadata?.annotations?.[subscript[2] as string] ?? "";
    return { error: `field label does not support subscript: ${path}` };
  }
  switch (path) {
    case "metadata.name":
      return pod.metadata?.name ?? "";
    case "metadata.namespace":
      return pod.metadata?.namespace ?? "";
    case "metadata.uid":
      return pod.metadata?.uid ?? "";
    case "metadata.labels":
      return formatMap(pod.metadata?.labels);
    case "metadata.annotations":
      return formatMap(pod.metadata?.annotations);
    case "spec.nodeName":
    case "spec.host":
      return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "";
    case "status.hostIP":
      return pod.status?.hostIP ?? "";
    case "status.hostIPs":
      return (pod.status?.hostIPs ?? []).map((entry) => entry.ip).join(",");
    case "status.podIP":
      return pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? "";
    case "status.podIPs":
      return (pod.status?.podIPs ?? []).map((entry) => entry.ip).join(",");
    case "spec.terminationGracePeriodSeconds":
      return String(pod.spec?.terminationGracePeriodSeconds ?? 30);
    case "spec.restartPolicy":
    case "spec.schedulerName":
    case "status.phase":
      // fields the downward API converts but cannot give to env
      return { error: `unsupported fieldPath: ${path}` };
    default:
      return { error: `field label not supported: ${path}` };
  }
}

/** How the downward API renders a whole map: sorted `key="value"` lines. */
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${JSON.stringify(map?.[key])}`)
    .join("\n");
}
