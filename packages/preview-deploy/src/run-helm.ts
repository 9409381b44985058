// Runs the helm binary with nothing of ours in its environment but a kubeconfig holding the
// preview ServiceAccount's token and private HELM_* folders: no GitHub token, no admin credentials.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export interface HelmRun {
  code: number | null;
  /** stdout and stderr lines, in the order they came. */
  lines: string[];
  stderr: string;
  aborted: boolean;
}

export interface RunHelmOptions {
  helmPath: string;
  kubeconfigPath: string;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

export function runHelm(args: string[], options: RunHelmOptions): Promise<HelmRun> {
  const home = mkdtempSync(join(tmpdir(), "pr-pod-helm-"));
  return new Promise((resolve, reject) => {
    const child = spawn(options.helmPath, ["--kubeconfig", options.kubeconfigPath, ...args], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        HELM_CACHE_HOME: join(home, "cache"),
        HELM_CONFIG_HOME: join(home, "config"),
        HELM_DATA_HOME: join(home, "data"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    let stderr = "";
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      child.kill("SIGTERM");
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const take = (line: string) => {
      lines.push(line);
      options.onLine?.(line);
    };
    createInterface({ input: child.stdout }).on("line", take);
    createInterface({ input: child.stderr }).on("line", (line) => {
      stderr += `${line}\n`;
      take(line);
    });
    child.on("error", (error) => {
      options.signal?.removeEventListener("abort", onAbort);
      rmSync(home, { recursive: true, force: true });
      reject(
        new Error(
          (error as NodeJS.ErrnoException).code === "ENOENT"
            ? `preview: helm was not found at ${options.helmPath}: install helm (https://helm.sh/docs/intro/install/) and put it on PATH, or set PR_POD_HELM to its path`
            : `preview: could not run helm at ${options.helmPath}: ${error.message}`,
        ),
      );
    });
    child.on("close", (code) => {
      options.signal?.removeEventListener("abort", onAbort);
      rmSync(home, { recursive: true, force: true });
      resolve({ code, lines, stderr, aborted });
    });
  });
}
