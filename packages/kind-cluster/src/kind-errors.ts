// Turns what kind and docker print when they fail into errors that say what to do. Pure: the
// matching reads only stderr text, so every known failure is pinned by a test with kind's real words.
// Texts follow kind's own output (pkg/cluster/internal/providers/docker) and the Docker daemon's.

export type KindErrorCode =
  | "KIND_NOT_FOUND"
  | "UNSUPPORTED_PLATFORM"
  | "DOWNLOAD_FAILED"
  | "CHECKSUM_MISMATCH"
  | "CHECKSUM_UNKNOWN"
  | "DOCKER_NOT_FOUND"
  | "DOCKER_NOT_RUNNING"
  | "DOCKER_PERMISSION_DENIED"
  | "PORT_IN_USE"
  | "NODE_IMAGE_PULL_FAILED"
  | "CLUSTER_ALREADY_EXISTS"
  | "CLUSTER_NOT_RUNNING"
  | "INVALID_CONFIG"
  | "ABORTED"
  | "KIND_COMMAND_FAILED";

export interface KindClusterErrorDetails {
  /** The command that failed, e.g. `["kind", "create", "cluster", "--name", "dev"]`. */
  command?: readonly string[];
  /** What the command printed on stderr (kind prints everything there). */
  stderr?: string;
  exitCode?: number | null;
  cause?: unknown;
}

/** Every failure of this package. `code` is stable for the apps to map to exit codes; `fix` is for people. */
export class KindClusterError extends Error {
  override readonly name = "KindClusterError";
  readonly code: KindErrorCode;
  readonly fix: string;
  readonly command: readonly string[] | undefined;
  readonly stderr: string | undefined;
  readonly exitCode: number | null | undefined;

  constructor(code: KindErrorCode, problem: string, fix: string, details: KindClusterErrorDetails = {}) {
    super(`${problem}. Fix: ${fix}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.fix = fix;
    this.command = details.command;
    this.stderr = details.stderr;
    this.exitCode = details.exitCode;
  }
}

export interface KindFailureClassification {
  code: KindErrorCode;
  problem: string;
  fix: string;
}

/** The last meaningful line kind printed, to quote in an error when nothing better is known. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const errorLine = lines.find((line) => line.startsWith("ERROR:"));
  return errorLine ?? lines.at(-1) ?? "(no output)";
}

/**
 * Reads a failed kind or docker command's stderr and says which known failure it is.
 * `clusterName` only sharpens the fix text.
 */
export function classifyKindFailure(stderr: string, clusterName = "kind"): KindFailureClassification {
  if (/executable file not found in \$PATH/.test(stderr) && /"docker"/.test(stderr)) {
    return {
      code: "DOCKER_NOT_FOUND",
      problem: "kind could not find the docker command",
      fix: "install Docker (https://docs.docker.com/get-docker/) and make sure `docker` is on PATH",
    };
  }
  if (stderr.includes("permission denied while trying to connect to the Docker daemon")) {
    return {
      code: "DOCKER_PERMISSION_DENIED",
      problem: "this user may not talk to the Docker daemon",
      fix: "add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again) or run Docker Desktop",
    };
  }
  if (stderr.includes("Cannot connect to the Docker daemon") || stderr.includes("Is the docker daemon running?")) {
    return {
      code: "DOCKER_NOT_RUNNING",
      problem: "Docker is not running (Cannot connect to the Docker daemon)",
      fix: "start Docker (Docker Desktop, or `sudo systemctl start docker`) and try again",
    };
  }
  const bind = /Bind for ([^\s]+):(\d+) failed: port is already allocated/.exec(stderr);
  const inUse = /listen tcp ([^\s]+):(\d+): bind: address already in use/.exec(stderr);
  if (bind || inUse || stderr.includes("port is already allocated")) {
    const port = (bind ?? inUse)?.[2];
    const which = port === undefined ? "a host port the cluster maps" : `host port ${port}`;
    return {
      code: "PORT_IN_USE",
      problem: `${which} is already in use`,
      fix: `free ${which} (see \`docker ps\` or \`lsof -i :${port ?? "<port>"}\`) or choose another hostPort in extraPortMappings`,
    };
  }
  const pull = /failed to pull image "([^"]+)"/.exec(stderr);
  if (pull || /Ensuring node image.*\n?.*manifest unknown/.test(stderr)) {
    const image = pull?.[1] ?? "the node image";
    return {
      code: "NODE_IMAGE_PULL_FAILED",
      problem: `the node image ${image} could not be pulled`,
      fix: `check the network and Docker Hub login (\`docker pull ${image}\` shows the reason), or pass a nodeImage that exists (kindest/node tags: https://github.com/kubernetes-sigs/kind/releases)`,
    };
  }
  const exists = /node\(s\) already exist for a cluster with the name "([^"]+)"/.exec(stderr);
  if (exists) {
    const name = exists[1] ?? clusterName;
    return {
      code: "CLUSTER_ALREADY_EXISTS",
      problem: `a kind cluster named "${name}" already exists`,
      fix: `reuse it, or delete it first with \`kind delete cluster --name ${name}\``,
    };
  }
  return {
    code: "KIND_COMMAND_FAILED",
    problem: `kind failed: ${lastErrorLine(stderr)}`,
    fix: "read kind's output above; `kind create cluster --retain` keeps the nodes for `kind export logs`",
  };
}
