// A real pull request for host-runtime runs: a git server that demands the token, a repository with
// a PR branch, and a `docker` stand-in on PATH that records what the pod script asks of buildx and can
// hold a build until the test lets it go (so a test can act "mid-run" on an event, not a timer).
import { constants } from "node:fs";
import { chmod, mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PullRequestContext } from "@pr-pod/pr-context";
import type { TestGitServer } from "@pr-pod/test-git-server";

export const SEED_FILES = { "package.json": "{}\n", "README.md": "# widgets\n", Dockerfile: "FROM scratch\n" };

export interface DockerStandin {
  binDir: string;
  /** Every docker call so far, as argument lists. */
  calls(): Promise<string[][]>;
  /** While set, `docker buildx build` waits until release() (it polls nothing: it blocks on a FIFO read). */
  holdBuilds(): Promise<void>;
  release(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function installDockerStandin(): Promise<DockerStandin> {
  const dir = await mkdtemp(join(tmpdir(), "runner-docker-"));
  const binDir = join(dir, "bin");
  await mkdir(binDir);
  const calls = join(dir, "calls");
  const holdFlag = join(dir, "hold");
  const fifo = join(dir, "release.fifo");
  await writeFile(calls, "");
  const script = `#!/usr/bin/busybox sh
{ for a in "$@"; do printf '%s\\n' "$a"; done; echo --; } >> ${JSON.stringify(calls)}
[ "$1" = buildx ] || exit 2
case $2 in
  create) echo "created builder"; exit 0 ;;
  rm) exit 0 ;;
  build|bake) ;;
  *) exit 2 ;;
esac
meta=
while [ $# -gt 0 ]; do
  [ "$1" = --metadata-file ] && { meta=$2; shift; }
  shift
done
echo "#1 [internal] load build definition"
if [ -e ${JSON.stringify(holdFlag)} ]; then echo "#2 waiting for the test"; read -r _ < ${JSON.stringify(fifo)}; fi
printf '{"containerimage.digest": "sha256:%064d"}\\n' 1 > "$meta"
echo "#9 DONE"
`;
  await writeFile(join(binDir, "docker"), script);
  await chmod(join(binDir, "docker"), 0o755);
  return {
    binDir,
    async calls() {
      const text = await readFile(calls, "utf8");
      return text
        .split("--\n")
        .filter((call) => call.length > 0)
        .map((call) => call.split("\n").filter((arg) => arg !== ""));
    },
    async holdBuilds() {
      const { execFileSync } = await import("node:child_process");
      execFileSync("mkfifo", [fifo]);
      await writeFile(holdFlag, "");
    },
    async release() {
      await rm(holdFlag, { force: true });
      await releaseFifoReaders(fifo);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Lets every process blocked reading a line from `fifo` go, whether it is waiting, already gone (its
 * pod was deleted) or about to open the FIFO, and removes the FIFO. Never blocks, never fails for want
 * of a reader.
 *
 * A write-only open races the readers: with O_NONBLOCK it fails (ENXIO) while no reader has opened yet,
 * and its write fails (EPIPE) when the reader dies between the open and the write (a pod deleted
 * mid-build); a blocking open waits forever for a reader that never comes. Opening read-write instead
 * never blocks on Linux, and since this end reads too the pipe never loses its last reader. The line
 * is written before the path is removed and the handle closed after, so a reader that opened in
 * between still finds it buffered, and one that comes later finds no FIFO and goes on.
 * (fifo(7), pipe(7): https://man7.org/linux/man-pages/man7/fifo.7.html)
 */
export async function releaseFifoReaders(fifo: string, lines = 64): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return; // already released
    throw error;
  }
  try {
    // One line per reader that may be waiting; 64 short lines fit the pipe buffer, so nothing blocks.
    await handle.write("go\n".repeat(lines));
    await rm(fifo, { force: true });
  } finally {
    await handle.close();
  }
}

/**
 * A repository `acme/<name>` with main (seed files) and PR #7 on branch `feature` (the seed plus `head`);
 * its context. With `base`, main moves on after the PR branched: a commit adding those files to the seed.
 */
export async function pullRequestOn(
  server: TestGitServer,
  name: string,
  head: Record<string, string> = { "feature.txt": "new\n" },
  base: Record<string, string> = {},
) {
  let headSha = "";
  let baseSha = "";
  await server.createRepo(`acme/${name}`, async (repo) => {
    const seed = await repo.commit(SEED_FILES, { message: "seed" });
    headSha = await repo.commit(head, { branch: "feature", from: "main", message: "the change" });
    baseSha = Object.keys(base).length > 0 ? await repo.commit(base, { branch: "main", parents: [seed] }) : seed;
    await repo.pullRequest(7, headSha);
  });
  const context: PullRequestContext = {
    owner: "acme",
    repo: name,
    number: 7,
    title: "A change",
    author: "dev",
    headSha,
    headRef: "feature",
    headCloneUrl: server.repoUrl(`acme/${name}`),
    baseRef: "main",
    baseSha,
    baseCloneUrl: server.repoUrl(`acme/${name}`),
    mergeRef: "refs/pull/7/merge",
    isFork: false,
    draft: false,
    state: "open",
    source: "offline",
  };
  return context;
}
