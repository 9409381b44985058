// Puts stand-in `kind` and `docker` executables first on PATH in a temp folder, and reads back what
// they were asked to do. See stand-in/stand-in.mjs for the output they play back.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

const standInScript = fileURLToPath(new URL("./stand-in/stand-in.mjs", import.meta.url));

export type StandInFailure = "docker-not-running" | "port-in-use" | "image-pull-failed" | "already-exists";

export interface StandIns {
  folder: string;
  binFolder: string;
  /** The env to hand to the package (PATH with the stand-ins first). */
  env: NodeJS.ProcessEnv;
  kubeconfigPath: string;
  calls(): Promise<{ tool: string; args: string[]; input?: string }[]>;
  /** Makes a cluster exist, as if created earlier; `state` is its node container's status. */
  addCluster(name: string, state?: string): Promise<void>;
  generatedConfig(name: string): Promise<string>;
  remove(): Promise<void>;
}

export async function createStandIns(
  options: { failure?: StandInFailure; kindVersion?: string; extraEnv?: NodeJS.ProcessEnv } = {},
): Promise<StandIns> {
  const folder = await mkdtemp(join(tmpdir(), "kind-stand-in-"));
  const binFolder = join(folder, "bin");
  const stateFolder = join(folder, "state");
  const logFile = join(folder, "calls.jsonl");
  await mkdir(binFolder);
  await mkdir(join(stateFolder, "clusters"), { recursive: true });
  await writeFile(logFile, "");
  for (const tool of ["kind", "docker"]) {
    const launcher = join(binFolder, tool);
    await writeFile(launcher, `#!/bin/sh\nexec '${process.execPath}' '${standInScript}' ${tool} "$@"\n`);
    await chmod(launcher, 0o755);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${binFolder}${delimiter}${process.env["PATH"] ?? ""}`,
    STAND_IN_STATE: stateFolder,
    STAND_IN_LOG: logFile,
    ...(options.failure ? { STAND_IN_FAILURE: options.failure } : {}),
    ...(options.kindVersion ? { STAND_IN_KIND_VERSION: options.kindVersion } : {}),
    ...options.extraEnv,
  };
  return {
    folder,
    binFolder,
    env,
    kubeconfigPath: join(folder, "kubeconfig.devbox.yml"),
    async calls() {
      const text = await readFile(logFile, "utf8");
      return text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line));
    },
    async addCluster(name, state = "running") {
      await writeFile(join(stateFolder, "clusters", name), state);
    },
    generatedConfig(name) {
      return readFile(join(stateFolder, `config-${name}.yaml`), "utf8");
    },
    remove() {
      return rm(folder, { recursive: true, force: true });
    },
  };
}
