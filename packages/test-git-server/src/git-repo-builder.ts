// Builds commits, branches and pull-request refs straight into a bare repository with git's plumbing
// (a throwaway index file, `commit-tree`, `update-ref`), so tests describe history as data instead of
// driving a working tree.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A file's new content; `null` deletes the file; `{ executable: true }` gives it mode 100755. */
export type RepoFileContent = string | Buffer | null | { content: string | Buffer; executable?: boolean };

/** Path (with `/` separators, relative to the repository root) → content. */
export type RepoFiles = Record<string, RepoFileContent>;

export interface CommitOptions {
  /** Branch to commit on (created when missing). Default `main`. */
  branch?: string;
  message?: string;
  /** Parent commits. Default: the branch's current tip (none for a new branch unless `from` is given). */
  parents?: string[];
  /** Start a new branch from this commit or branch when the branch does not exist yet. */
  from?: string;
  /** Author/committer date, for reproducible SHAs. Default a fixed date. */
  date?: string;
}

export interface GitRepoBuilder {
  /** Name as served: `<server url>/<name>.git`. */
  readonly name: string;
  /** Absolute path of the bare repository. */
  readonly path: string;
  /** Writes the files on top of the parent's tree, commits, moves the branch; returns the commit SHA. */
  commit(files: RepoFiles, options?: CommitOptions): Promise<string>;
  /** Creates or moves `refs/heads/<name>` to a commit (SHA or branch). Returns the SHA. */
  branch(name: string, from: string): Promise<string>;
  /** Sets `refs/pull/<number>/head` (and `refs/pull/<number>/merge` when given), as GitHub does. */
  pullRequest(number: number, headSha: string, mergeSha?: string): Promise<void>;
  /** Sets any ref to a commit. */
  setRef(ref: string, sha: string): Promise<void>;
  /** Resolves a ref or SHA to a full commit SHA, or undefined. */
  resolve(ref: string): Promise<string | undefined>;
  /** Runs git in the bare repository (for anything the helpers do not cover). */
  git(args: string[], options?: { input?: string | Buffer; env?: Record<string, string> }): Promise<string>;
}

const FIXED_DATE = "1700000000 +0000";

export function runGit(
  args: string[],
  options: { cwd?: string; input?: string | Buffer; env?: Record<string, string> } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", ...options.env },
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(`git ${args.join(" ")} failed in ${options.cwd ?? process.cwd()}: ${stderr || error.message}`),
          );
        } else {
          resolve(stdout);
        }
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

export async function initBareRepo(path: string): Promise<void> {
  await runGit(["init", "--quiet", "--bare", "--initial-branch=main", path]);
  // Like GitHub: pushes over HTTP are allowed (authenticated), a client may fetch any commit by SHA,
  // and partial clones (`--filter=blob:none`) are served, missing blobs fetched on demand.
  await runGit(["config", "http.receivepack", "true"], { cwd: path });
  await runGit(["config", "uploadpack.allowAnySHA1InWant", "true"], { cwd: path });
  await runGit(["config", "uploadpack.allowFilter", "true"], { cwd: path });
}

export function createRepoBuilder(name: string, path: string): GitRepoBuilder {
  const git = (args: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}) =>
    runGit(args, { cwd: path, ...options });

  const resolve = async (ref: string): Promise<string | undefined> => {
    try {
      return (await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim() || undefined;
    } catch {
      return undefined;
    }
  };

  const commit = async (files: RepoFiles, options: CommitOptions = {}): Promise<string> => {
    const branch = options.branch ?? "main";
    let parents = options.parents;
    if (!parents) {
      const tip = (await resolve(`refs/heads/${branch}`)) ?? (options.from ? await resolve(options.from) : undefined);
      if (options.from && !tip)
        throw new Error(`commit: start point ${JSON.stringify(options.from)} not found in ${name}`);
      parents = tip ? [tip] : [];
    }
    const indexDir = await mkdtemp(join(tmpdir(), "test-git-index-"));
    const env = {
      GIT_INDEX_FILE: join(indexDir, "index"),
      GIT_AUTHOR_NAME: "Test Author",
      GIT_AUTHOR_EMAIL: "author@example.test",
      GIT_COMMITTER_NAME: "Test Author",
      GIT_COMMITTER_EMAIL: "author@example.test",
      GIT_AUTHOR_DATE: options.date ?? FIXED_DATE,
      GIT_COMMITTER_DATE: options.date ?? FIXED_DATE,
    };
    try {
      if (parents[0]) await git(["read-tree", parents[0]], { env });
      else await git(["read-tree", "--empty"], { env });
      // Two git calls per commit however many files: blobs hashed from temp files in one go, then one index update.
      const entries = Object.entries(files);
      const written = entries.filter(([, value]) => value !== null);
      const blobPaths: string[] = [];
      for (const [index, [, value]] of written.entries()) {
        const content = typeof value === "string" || Buffer.isBuffer(value) ? value : value!.content;
        const blobPath = join(indexDir, `blob-${index}`);
        await writeFile(blobPath, content);
        blobPaths.push(blobPath);
      }
      const blobs =
        blobPaths.length > 0
          ? (await git(["hash-object", "-w", "--no-filters", "--stdin-paths"], { input: `${blobPaths.join("\n")}\n` }))
              .trim()
              .split("\n")
          : [];
      const indexInfo = entries.map(([file, value]) => {
        if (value === null) return `0 ${"0".repeat(40)}\t${file}`; // mode 0 removes the path
        const blob = blobs[written.findIndex(([name]) => name === file)];
        const executable = typeof value === "object" && !Buffer.isBuffer(value) && value.executable;
        return `${executable ? "100755" : "100644"} ${blob}\t${file}`;
      });
      if (indexInfo.length > 0)
        await git(["update-index", "--index-info"], { env, input: `${indexInfo.join("\n")}\n` });
      const tree = (await git(["write-tree"], { env })).trim();
      const parentArgs = parents.flatMap((p) => ["-p", p]);
      const message = options.message ?? `commit on ${branch}`;
      const sha = (await git(["commit-tree", tree, ...parentArgs, "-m", message], { env })).trim();
      await git(["update-ref", `refs/heads/${branch}`, sha]);
      return sha;
    } finally {
      await rm(indexDir, { recursive: true, force: true });
    }
  };

  const setRef = async (ref: string, sha: string) => {
    await git(["update-ref", ref, sha]);
  };

  return {
    name,
    path,
    commit,
    resolve,
    setRef,
    git: (args, options) => git(args, options),
    async branch(branchName, from) {
      const sha = await resolve(from);
      if (!sha) throw new Error(`branch: ${JSON.stringify(from)} is not a commit in ${name}`);
      await setRef(`refs/heads/${branchName}`, sha);
      return sha;
    },
    async pullRequest(number, headSha, mergeSha) {
      await setRef(`refs/pull/${number}/head`, headSha);
      if (mergeSha) await setRef(`refs/pull/${number}/merge`, mergeSha);
    },
  };
}
