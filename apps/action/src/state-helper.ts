// What the post step needs from the main step, carried through GITHUB_STATE. The runner hands saved
// state back to the post step as STATE_<name> variables. Nothing secret is ever saved: no token and
// no kubeconfig content, only paths and names.
import * as core from "@actions/core";

/** True in the post step: the main step saved `isPost` before doing anything else. */
export const isPost = process.env["STATE_isPost"] === "true";

/** The first thing the main step does, so that even a main step that crashes gets a post step. */
export function markMainStarted(): void {
  core.saveState("isPost", "true");
}

/** The run's objects, for the post step's cleanup when the main step could not finish its own. */
export interface RunState {
  namespace: string;
  jobName: string;
  /** Label selector of exactly this run's objects (one PR at one head SHA). */
  selector: string;
  /** The keep input was true. */
  keep: boolean;
  /**
   * The preview namespace, saved when the deploy starts (before anything of it exists) and dropped
   * once the run's teardown deleted it or kept it on purpose. Still set in the post step: the run
   * was cut short (cancelled, killed) or its teardown failed, so the post step deletes it.
   */
  previewNamespace?: string | undefined;
  /** keep-preview was true: the preview stays even when the run was cut short. */
  keepPreview?: boolean;
  /**
   * The runner reached the end of the run, so it already deleted its objects, or kept them as its
   * settings (inputs or config file) said. Only a run that never finished is the post step's to clean.
   */
  finished: boolean;
}

/** A kind cluster this action created, deleted in the post step. A reused cluster is never saved. */
export interface KindClusterState {
  name: string;
  kindPath: string;
}

export interface PostState {
  kubeconfigPath?: string;
  /** A private temp dir the main step made (the kubeconfig input's file lives there). */
  tempDir?: string;
  run?: RunState;
  kindCluster?: KindClusterState;
}

export function saveKubeconfigPath(path: string): void {
  core.saveState("kubeconfigPath", path);
}

export function saveTempDir(path: string): void {
  core.saveState("tempDir", path);
}

export function saveRun(run: RunState): void {
  core.saveState("run", JSON.stringify(run));
}

export function saveKindCluster(cluster: KindClusterState): void {
  core.saveState("kindCluster", JSON.stringify(cluster));
}

/** Reads what the main step saved; fields it never saved are absent. */
export function readPostState(env: NodeJS.ProcessEnv = process.env): PostState {
  const state: PostState = {};
  if (env["STATE_kubeconfigPath"]) state.kubeconfigPath = env["STATE_kubeconfigPath"];
  if (env["STATE_tempDir"]) state.tempDir = env["STATE_tempDir"];
  const run = parseJson<RunState>(env["STATE_run"]);
  if (run) state.run = run;
  const kindCluster = parseJson<KindClusterState>(env["STATE_kindCluster"]);
  if (kindCluster) state.kindCluster = kindCluster;
  return state;
}

function parseJson<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
