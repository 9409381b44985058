// A pull request's preview namespace and what lives in it before any chart: the namespace itself
// (labelled and annotated so `pr-pod preview list` and `pr-pod cleanup` find it), a ServiceAccount
// that Helm and the tests run as, a Role and RoleBinding that give it everything inside this
// namespace and nothing outside, and the ResourceQuota and LimitRange from the config file. Pure.
import { createHash } from "node:crypto";

export const PREVIEW_SERVICE_ACCOUNT = "pr-pod-preview";
export const PREVIEW_LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  component: "pr-pod.dev/component",
  repo: "pr-pod.dev/repo",
  pr: "pr-pod.dev/pr",
} as const;
/** When a kept preview may be deleted by `pr-pod cleanup` (RFC 3339). */
export const PREVIEW_EXPIRES_ANNOTATION = "pr-pod.dev/expires-at";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are plain JSON
export type KubeObject = Record<string, any>;

export interface PreviewIdentity {
  /** "owner/name" or "name". */
  repo: string;
  pr: number;
}

export class PreviewConfigError extends Error {
  readonly code = "PREVIEW_CONFIG";
  constructor(message: string) {
    super(message);
    this.name = "PreviewConfigError";
  }
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `pr-<number>-<repo>` (`pr-local-<repo>` for number 0): a valid DNS-1123 label of at most 63 characters. The repo part is
 * lowercased, runs of other characters become "-", and a name that would be too long is cut and
 * ends in 6 hex characters of a hash of the full name, so two long repos never share a namespace.
 */
export function previewNamespaceName({ repo, pr }: PreviewIdentity): string {
  if (!Number.isInteger(pr) || pr < 0) {
    throw new PreviewConfigError(`preview: the pull request number must be a whole number, got ${pr}`);
  }
  const name = (repo.split("/").pop() ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  // 0 is a `run --source` of a branch that belongs to no pull request.
  const number = pr === 0 ? "local" : String(pr);
  const full = name ? `pr-${number}-${name}` : `pr-${number}`;
  if (full.length <= 63) return full;
  const hash = createHash("sha256").update(`${repo}#${pr}`).digest("hex").slice(0, 6);
  return `${full.slice(0, 63 - 7).replace(/-+$/, "")}-${hash}`;
}

/** The `pr-pod.dev/repo` label value of a repository: "owner.name", cut to a valid label value. */
export function previewRepoLabel(repo: string): string {
  return repo
    .replace("/", ".")
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .slice(0, 63);
}

export function assertNamespaceName(name: string): void {
  if (name.length > 63 || !dns1123Label.test(name)) {
    throw new PreviewConfigError(
      `preview: namespace "${name}" is not a valid DNS-1123 label (lowercase letters, digits and "-", at most 63 characters); change preview.namespace in the config file`,
    );
  }
}

export interface PreviewNamespaceInput extends PreviewIdentity {
  namespace: string;
  /** ResourceQuota `spec.hard`, e.g. { "requests.cpu": "2", "pods": "20" }; none when undefined. */
  quota?: Record<string, string>;
  /** LimitRange container defaults, e.g. { cpu: "500m", memory: "256Mi" }; none when undefined. */
  containerDefaults?: { default?: Record<string, string>; defaultRequest?: Record<string, string> };
  /** Set when the preview is kept: `pr-pod cleanup` deletes it after this time. */
  expiresAt?: Date;
}

/** Every object the preview namespace needs before Helm runs, in creation order (namespace first). */
export function buildPreviewNamespaceObjects(input: PreviewNamespaceInput): KubeObject[] {
  assertNamespaceName(input.namespace);
  const labels = {
    [PREVIEW_LABELS.managedBy]: "pr-pod",
    [PREVIEW_LABELS.component]: "preview",
    [PREVIEW_LABELS.repo]: previewRepoLabel(input.repo),
    [PREVIEW_LABELS.pr]: String(input.pr),
  };
  const namespace = input.namespace;
  const objects: KubeObject[] = [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: namespace,
        labels,
        annotations: input.expiresAt ? { [PREVIEW_EXPIRES_ANNOTATION]: input.expiresAt.toISOString() } : {},
      },
    },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: PREVIEW_SERVICE_ACCOUNT, namespace, labels },
      // The deploy and tests authenticate with a TokenRequest token; pods of the chart need none.
      automountServiceAccountToken: false,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: PREVIEW_SERVICE_ACCOUNT, namespace, labels },
      // Everything inside the preview namespace (Helm stores releases as Secrets here); a Role can
      // grant nothing cluster-scoped, so a chart's ClusterRole or CRD is refused.
      rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: PREVIEW_SERVICE_ACCOUNT, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: PREVIEW_SERVICE_ACCOUNT },
      subjects: [{ kind: "ServiceAccount", name: PREVIEW_SERVICE_ACCOUNT, namespace }],
    },
  ];
  if (input.quota && Object.keys(input.quota).length > 0) {
    objects.push({
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "pr-pod-preview", namespace, labels },
      spec: { hard: input.quota },
    });
  }
  const defaults = input.containerDefaults;
  if (defaults && (defaults.default || defaults.defaultRequest)) {
    objects.push({
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "pr-pod-preview", namespace, labels },
      spec: {
        limits: [
          {
            type: "Container",
            ...(defaults.default ? { default: defaults.default } : {}),
            ...(defaults.defaultRequest ? { defaultRequest: defaults.defaultRequest } : {}),
          },
        ],
      },
    });
  }
  return objects;
}
