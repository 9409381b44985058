// The helm command lines a preview runs, built from typed input: `helm upgrade --install --wait`
// with the run's images substituted into the chart's values, `helm test`, `helm uninstall`. Pure.
// https://helm.sh/docs/helm/helm_upgrade/
import { PreviewConfigError } from "./preview-namespace.ts";

/** An image this run built, as the build stage reports it. */
export interface BuiltImage {
  /** The bake target or Dockerfile path it came from ("web", "services/api/Dockerfile"). */
  source: string;
  /** "registry.local/web" */
  repository: string;
  /** "pr-12-abc1234" */
  tag: string;
  /** "sha256:…" when known: then the values get repository@digest semantics through `image.digest`. */
  digest?: string;
}

/**
 * Where an image goes in a chart's values: the keys to set to its repository and tag. The default
 * is the layout `helm create` makes (`image.repository` + `image.tag`).
 */
export interface ImageValuesMapping {
  /** Which built image (its `source`); the only built image when omitted. */
  source?: string;
  repositoryKey: string;
  tagKey: string;
}

export interface HelmChartRelease {
  /** Release name (a DNS-1123 label of at most 53 characters, as Helm requires). */
  release: string;
  /** Path of the chart folder. */
  chart: string;
  namespace: string;
  valuesFiles?: string[];
  /** `--set key=value`, in order. */
  set?: Record<string, string>;
  images?: BuiltImage[];
  /** Default: one mapping to image.repository / image.tag when exactly one image was built. */
  imageValues?: ImageValuesMapping[];
  /** `--timeout` for --wait, in seconds (default 300). */
  timeoutSeconds?: number;
}

const releaseName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The `--set`s that put the built images into the chart's values. */
export function imageSetValues(
  images: BuiltImage[],
  mappings: ImageValuesMapping[] | undefined,
): Record<string, string> {
  if (images.length === 0) return {};
  const effective =
    mappings ?? (images.length === 1 ? [{ repositoryKey: "image.repository", tagKey: "image.tag" }] : []);
  if (!mappings && images.length > 1) {
    throw new PreviewConfigError(
      `preview: this run built ${images.length} images (${images.map((i) => i.source).join(", ")}) and the config names no values keys for them; add preview.images entries (source, repositoryKey, tagKey) to the config file`,
    );
  }
  const out: Record<string, string> = {};
  for (const mapping of effective) {
    const image = mapping.source === undefined ? images[0] : images.find((i) => i.source === mapping.source);
    if (!image) {
      throw new PreviewConfigError(
        `preview: preview.images names source "${mapping.source}" but this run built ${images.map((i) => `"${i.source}"`).join(", ")}; fix the source in the config file`,
      );
    }
    out[mapping.repositoryKey] = image.repository;
    out[mapping.tagKey] = image.digest ? `${image.tag}@${image.digest}` : image.tag;
  }
  return out;
}

/** `helm upgrade --install` argv (without the helm binary and the kubeconfig). */
export function buildHelmUpgradeArgs(input: HelmChartRelease): string[] {
  if (input.release.length > 53 || !releaseName.test(input.release)) {
    throw new PreviewConfigError(
      `preview: release name "${input.release}" is not valid for Helm (lowercase letters, digits and "-", at most 53 characters); set preview.charts[].release in the config file`,
    );
  }
  const args = [
    "upgrade",
    "--install",
    input.release,
    input.chart,
    "--namespace",
    input.namespace,
    "--wait",
    "--timeout",
    `${input.timeoutSeconds ?? 300}s`,
  ];
  for (const file of input.valuesFiles ?? []) args.push("--values", file);
  const escapeSetValue = (value: string) => value.replace(/([\\,])/g, "\\$1");
  for (const [key, value] of Object.entries(input.set ?? {})) args.push("--set", `${key}=${escapeSetValue(value)}`);
  // --set-string: an image tag like 1.10 must stay a string, not become the number 1.1.
  for (const [key, value] of Object.entries(imageSetValues(input.images ?? [], input.imageValues))) {
    args.push("--set-string", `${key}=${escapeSetValue(value)}`);
  }
  return args;
}

export function buildHelmTestArgs(release: string, namespace: string, timeoutSeconds = 300): string[] {
  return ["test", release, "--namespace", namespace, "--logs", "--timeout", `${timeoutSeconds}s`];
}

export function buildHelmUninstallArgs(release: string, namespace: string, timeoutSeconds = 120): string[] {
  return ["uninstall", release, "--namespace", namespace, "--wait", "--timeout", `${timeoutSeconds}s`];
}
