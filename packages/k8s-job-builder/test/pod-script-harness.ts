// Runs the real pod script under `busybox sh`, with busybox's own tools first on PATH (as in docker:24-git),
// real git, and optional stand-ins (a recording `docker`, a recording `git` wrapper) in front of them.
import { execFile, spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PrPodReport, parsePrPodReport } from "@pr-pod/file-verifier";

const BUSYBOX_APPLETS = [
  "sh",
  "awk",
  "sed",
  "grep",
  "find",
  "sort",
  "tee",
  "head",
  "tail",
  "tr",
  "wc",
  "cat",
  "rm",
  "mkdir",
  "dirname",
  "basename",
  "date",
  "printf",
  "test",
  "[",
  "env",
  "ls",
  "sha256sum",
  "cut",
  "sleep",
  "ps",
  "ln",
];

export interface PodScriptRun {
  exitCode: number;
  log: string;
  terminationMessage: string;
  report: PrPodReport | undefined;
  workspace: string;
}

export interface Harness {
  dir: string;
  busyboxBin: string;
  standinBin: string;
  /** Env every run starts from: PATH, HOME, workspace and termination log paths. */
  run(options: {
    script: string;
    env: Record<string, string>;
    onSpawn?: (pid: number) => void;
    /** Called with the whole output so far, each time more arrives. */
    onOutput?: (logSoFar: string) => void;
  }): Promise<PodScriptRun>;
  cleanup(): Promise<void>;
}

/**
 * `tools: "busybox"` (default) puts busybox's applets first on PATH, as in docker:24-git; `"host"` leaves the
 * host's GNU tools (as the test cluster's host runtime does) and only the shell is busybox.
 */
export async function createHarness(
  options: { tools?: "busybox" | "host"; shell?: [string, ...string[]] } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "pod-script-"));
  const busyboxBin = join(dir, "busybox-bin");
  const standinBin = join(dir, "standin-bin");
  await mkdir(busyboxBin);
  await mkdir(standinBin);
  for (const applet of BUSYBOX_APPLETS) await symlink("/usr/bin/busybox", join(busyboxBin, applet));
  // Only git from the host: a folder holding a link to it, after busybox's tools.
  const gitBin = join(dir, "git-bin");
  await mkdir(gitBin);
  await symlink("/usr/bin/git", join(gitBin, "git"));
  let runs = 0;

  return {
    dir,
    busyboxBin,
    standinBin,
    async run({ script, env, onSpawn, onOutput }) {
      runs++;
      const root = join(dir, `run-${runs}`);
      const workspace = join(root, "workspace");
      const home = join(root, "home");
      await mkdir(workspace, { recursive: true });
      await mkdir(home, { recursive: true });
      const terminationLog = join(root, "termination-log");
      await writeFile(terminationLog, "");
      const [shell, ...shellArgs] = options.shell ?? ["/usr/bin/busybox", "sh"];
      const child = spawn(shell, [...shellArgs, "-c", script], {
        env: {
          PATH:
            options.tools === "host"
              ? [standinBin, process.env.PATH ?? "/usr/bin:/bin"].join(":")
              : [standinBin, busyboxBin, gitBin].join(":"),
          HOME: home,
          PR_POD_WORKSPACE: workspace,
          PR_POD_TERMINATION_LOG: terminationLog,
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      if (child.pid) onSpawn?.(child.pid);
      let log = "";
      child.stdout.on("data", (chunk: Buffer) => {
        log += chunk.toString("utf8");
        onOutput?.(log);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        log += chunk.toString("utf8");
        onOutput?.(log);
      });
      const exitCode = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
      const terminationMessage = await readFile(terminationLog, "utf8");
      const report = parsePrPodReport({ terminationMessage, logText: log })?.report;
      return { exitCode, log, terminationMessage, report, workspace };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A `docker` stand-in: records each call's argv (one line per arg, calls separated by "--"), writes metadata. */
export async function installDockerStandin(binDir: string, recordFile: string): Promise<void> {
  const script = `#!/usr/bin/busybox sh
{ for a in "$@"; do printf '%s\\n' "$a"; done; echo --; } >> ${JSON.stringify(recordFile)}
[ "$1" = buildx ] || exit 2
case $2 in
  create) [ -n "\${STANDIN_FAIL_CREATE:-}" ] && { echo "ERROR: failed to create deployment: forbidden" >&2; exit 1; }; echo created; exit 0 ;;
  rm) exit 0 ;;
  build|bake) ;;
  *) exit 2 ;;
esac
meta= file= print=
while [ $# -gt 0 ]; do
  case $1 in
    --metadata-file) meta=$2; shift ;;
    -f) file=$2; shift ;;
    --print) print=1 ;;
  esac
  shift
done
if [ -n "$print" ]; then
  printf '{\n  "group": {\n    "default": {\n      "targets": [\n        "app",\n        "worker"\n      ]\n    }\n  },\n  "target": {\n    "app": {\n      "context": ".",\n      "dockerfile": "Dockerfile"\n    },\n    "worker": {\n      "context": "worker",\n      "dockerfile": "worker.Dockerfile"\n    }\n  }\n}\n'
  exit 0
fi
echo "#1 [internal] load build definition from $file"
if [ -n "\${STANDIN_BLOCK_FIFO:-}" ]; then read -r _ < "$STANDIN_BLOCK_FIFO"; fi
if grep -q PUSH500 "$file" && { grep -q PUSH500ALWAYS "$file" || [ ! -e "$file.pushed" ]; }; then
  : > "$file.pushed"
  echo "#9 [app] pushing 127.0.0.1:5000/acme/app:pr-7 with docker"
  echo "#9 ERROR: unexpected status from HEAD request to http://127.0.0.1:5000/v2/acme/app/manifests/pr-7: 500 Internal Server Error"
  echo "ERROR: unexpected status from HEAD request to http://127.0.0.1:5000/v2/acme/app/manifests/pr-7: 500 Internal Server Error" >&2
  exit 1
fi
if grep -q FAIL "$file"; then echo "ERROR: failed to solve: process \\"/bin/sh -c exit 1\\" did not complete successfully" >&2; exit 1; fi
digest=$(printf '%s' "$file" | sha256sum | cut -d' ' -f1)
if [ "$2" = bake ] || [ "$1" = bake ]; then :; fi
if [ "\${file##*.}" = hcl ]; then
  printf '{\\n  "app": {\\n    "containerimage.digest": "sha256:%s"\\n  },\\n  "worker": {\\n    "containerimage.digest": "sha256:%s"\\n  }\\n}\\n' "$digest" "$(printf x%s "$digest" | sha256sum | cut -d' ' -f1)" > "$meta"
else
  printf '{\\n  "buildx.build.ref": "b/b0/x",\\n  "containerimage.config.digest": "sha256:%s",\\n  "containerimage.digest": "sha256:%s"\\n}\\n' "$(printf c%s "$digest" | sha256sum | cut -d' ' -f1)" "$digest" > "$meta"
fi
echo "#9 DONE"
`;
  const path = join(binDir, "docker");
  await writeFile(path, script);
  await chmod(path, 0o755);
}

/** A `git` wrapper that records each call's argv, then runs the real git. */
export async function installGitRecorder(binDir: string, recordFile: string): Promise<void> {
  const path = join(binDir, "git");
  await writeFile(
    path,
    `#!/usr/bin/busybox sh\n{ printf '%s ' "$@"; echo; } >> ${JSON.stringify(recordFile)}\nexec /usr/bin/git "$@"\n`,
  );
  await chmod(path, 0o755);
}

export function sha256Hex(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("sha256sum", [], (error, stdout) =>
      error ? reject(error) : resolve(stdout.split(" ")[0]!),
    );
    child.stdin?.end(text);
  });
}
