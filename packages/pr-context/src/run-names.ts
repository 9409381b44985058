// Names, labels, annotations and env vars derived from a PullRequestContext. Pure: every other
// package builds its Kubernetes objects from these, so the same PR always maps to the same names.
// Rules followed: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ and
// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
import { createHash } from "node:crypto";
import type { PullRequestContext } from "./pull-request-context.ts";

/**
 * Longest run name: 63 (DNS-1123 label) minus room for the suffixes other objects add,
 * "-token" for the Secret and the Job controller's "-xxxxx" pod suffix.
 */
export const MAX_RUN_NAME_LENGTH = 52;
const LABEL_VALUE_MAX = 63;
const RUN_PREFIX = "pr-pod-";

export const LABEL_NAME = "app.kubernetes.io/name";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const LABEL_INSTANCE = "app.kubernetes.io/instance";
export const LABEL_OWNER = "pr-pod.dev/owner";
export const LABEL_REPO = "pr-pod.dev/repo";
export const LABEL_PR = "pr-pod.dev/pr";
export const LABEL_HEAD_SHA = "pr-pod.dev/head-sha";

function shortHash(text: string, length = 8): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** Lower-case DNS-1123 fragment: runs of anything else become one '-', no '-' at either end. */
function dnsFragment(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function trimDashes(text: string): string {
  return text.replace(/^-+|-+$/g, "");
}

function sha7(context: PullRequestContext): string {
  const fragment = dnsFragment(context.headSha).replace(/-/g, "").slice(0, 7);
  return fragment || shortHash(context.headSha, 7);
}

function prNumberText(context: PullRequestContext): string {
  return Number.isSafeInteger(context.number) && context.number >= 0
    ? String(context.number)
    : shortHash(String(context.number), 6);
}

/**
 * `pr-pod-<repo>-<pr>-<sha7>`: a DNS-1123 label of at most 52 characters, used for the Job,
 * ServiceAccount, Role and RoleBinding. When the repo part is cut or sanitized away, an 8-hex hash of
 * owner/repo takes its tail so two repos never share names.
 */
export function prPodRunName(context: PullRequestContext): string {
  const repo = dnsFragment(context.repo);
  const tail = `-${prNumberText(context)}-${sha7(context)}`;
  const plain = `${RUN_PREFIX}${repo}${tail}`;
  if (repo && repo === context.repo && plain.length <= MAX_RUN_NAME_LENGTH) return plain;
  const hash = shortHash(`${context.owner}/${context.repo}`);
  const budget = MAX_RUN_NAME_LENGTH - RUN_PREFIX.length - tail.length - hash.length - 1;
  const kept = trimDashes(repo.slice(0, Math.max(0, budget)));
  return `${RUN_PREFIX}${kept ? `${kept}-` : ""}${hash}${tail}`;
}

/**
 * Makes any text a valid label value: kept as is when already valid; otherwise invalid runs become
 * '-', the ends are trimmed to alphanumerics, and an 8-hex hash of the original keeps distinct inputs
 * distinct. Empty input stays empty (a valid label value).
 */
export function toLabelValue(text: string): string {
  if (/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(text) && text.length <= LABEL_VALUE_MAX) return text;
  const hash = shortHash(text);
  const cleaned = text
    .replace(/[^-A-Za-z0-9_.]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, LABEL_VALUE_MAX - hash.length - 1)
    .replace(/[^A-Za-z0-9]+$/, "");
  return cleaned ? `${cleaned}-${hash}` : hash;
}

/** Labels on every object of a run; values always pass Kubernetes' label value rules. */
export function prPodLabels(context: PullRequestContext): Record<string, string> {
  return {
    [LABEL_NAME]: "pr-pod",
    [LABEL_MANAGED_BY]: "pr-pod",
    [LABEL_INSTANCE]: prPodRunName(context),
    [LABEL_OWNER]: toLabelValue(context.owner),
    [LABEL_REPO]: toLabelValue(context.repo),
    [LABEL_PR]: toLabelValue(String(context.number)),
    [LABEL_HEAD_SHA]: toLabelValue(context.headSha),
  };
}

/**
 * A labelSelector for what pr-pod made: everything, one owner, one repo, or one PR.
 * Values go through the same sanitizing as prPodLabels, so they always match.
 */
export function prPodSelector(filter: { owner?: string; repo?: string; number?: number } = {}): string {
  const terms = [`${LABEL_MANAGED_BY}=pr-pod`];
  if (filter.owner !== undefined) terms.push(`${LABEL_OWNER}=${toLabelValue(filter.owner)}`);
  if (filter.repo !== undefined) terms.push(`${LABEL_REPO}=${toLabelValue(filter.repo)}`);
  if (filter.number !== undefined) terms.push(`${LABEL_PR}=${toLabelValue(String(filter.number))}`);
  return terms.join(",");
}

/** Free text (refs, URLs, title) goes in annotations, which take any string. */
export function prPodAnnotations(context: PullRequestContext): Record<string, string> {
  const annotations: Record<string, string> = {
    "pr-pod.dev/head-ref": context.headRef,
    "pr-pod.dev/base-ref": context.baseRef,
    "pr-pod.dev/clone-url": context.headCloneUrl,
  };
  if (context.htmlUrl) annotations["pr-pod.dev/html-url"] = context.htmlUrl;
  annotations["pr-pod.dev/title"] = context.title;
  return annotations;
}

/** The env vars the pod's script reads. PR_BASE_SHA only when the base SHA is known. */
export function prPodEnv(context: PullRequestContext): Array<{ name: string; value: string }> {
  const env = [
    { name: "PR_REPO", value: `${context.owner}/${context.repo}` },
    { name: "PR_OWNER", value: context.owner },
    { name: "PR_NAME", value: context.repo },
    { name: "PR_NUMBER", value: String(context.number) },
    { name: "PR_HEAD_SHA", value: context.headSha },
    { name: "PR_HEAD_REF", value: context.headRef },
    { name: "PR_BASE_REF", value: context.baseRef },
  ];
  if (context.baseSha) env.push({ name: "PR_BASE_SHA", value: context.baseSha });
  env.push(
    { name: "PR_CLONE_URL", value: context.headCloneUrl },
    { name: "PR_BASE_CLONE_URL", value: context.baseCloneUrl },
    { name: "PR_MERGE_REF", value: context.mergeRef },
    { name: "PR_IS_FORK", value: context.isFork ? "true" : "false" },
  );
  return env;
}
