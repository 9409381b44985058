// Where the engine, buildx, registry and a static busybox are: the prefix `npm run setup` unpacks them into
// (tools/install-docker-engine.sh → .tools/docker), or PR_POD_DOCKER_PREFIX. Missing tools are a reason to skip.
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface DockerTools {
  prefix: string;
  dockerd: string;
  docker: string;
  registry: string;
  /** A static busybox, for `COPY` into `FROM scratch` test images. */
  busyboxStatic: string;
  /** Folders to put first on PATH: containerd, runc, docker-init and the CLI live there. */
  binDirs: string[];
  /** A DOCKER_CONFIG-style folder holding `cli-plugins/docker-buildx`. */
  pluginsDir: string;
}

/** `<repo>/.tools/docker` (src/ and dist/ are both two levels under the package). */
export function defaultDockerPrefix(): string {
  return process.env.PR_POD_DOCKER_PREFIX ?? fileURLToPath(new URL("../../../.tools/docker", import.meta.url));
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function dockerToolsAt(prefix: string): DockerTools {
  return {
    prefix,
    dockerd: join(prefix, "usr/sbin/dockerd"),
    docker: join(prefix, "usr/bin/docker"),
    registry: join(prefix, "usr/bin/docker-registry"),
    busyboxStatic: join(prefix, "bin/busybox"),
    binDirs: [join(prefix, "usr/bin"), join(prefix, "usr/sbin")],
    pluginsDir: join(prefix, "usr/libexec/docker/cli-plugins"),
  };
}

/**
 * Why the real-build tests cannot run here, or undefined when they can. Tests pass it to `describe.skipIf`
 * and print it, so a machine without the tools says what to do.
 */
export function dockerToolsMissing(prefix = defaultDockerPrefix()): string | undefined {
  const tools = dockerToolsAt(prefix);
  const missing = [
    tools.dockerd,
    tools.docker,
    join(tools.pluginsDir, "docker-buildx"),
    tools.registry,
    tools.busyboxStatic,
  ]
    .filter((path) => !executable(path))
    .map((path) => path.slice(prefix.length + 1));
  if (missing.length > 0) {
    return `no private Docker engine in ${prefix} (missing ${missing.join(", ")}): run npm run setup (Debian/Ubuntu)`;
  }
  if (process.getuid?.() !== 0) return "the private Docker engine needs root (dockerd runs without rootless mode)";
  return undefined;
}

/** Throws the reason when the tools are missing (for CI, where skipping is a failure). */
export function findDockerTools(prefix = defaultDockerPrefix()): DockerTools {
  const reason = dockerToolsMissing(prefix);
  if (reason) throw new Error(reason);
  return dockerToolsAt(prefix);
}

/**
 * For `describe.skipIf(realBuildsSkipReason())`: the reason to skip (printed once), or undefined. Under CI=true a
 * missing engine is an error, not a skip: CI runs `npm run setup`, which installs it, so skipping would hide it.
 */
export function realBuildsSkipReason(prefix = defaultDockerPrefix()): string | undefined {
  const reason = dockerToolsMissing(prefix);
  if (!reason) return undefined;
  if (process.env.CI === "true") {
    throw new Error(`CI=true but ${reason}. CI must run the real-build tests; npm run setup installs the engine`);
  }
  console.warn(`skipping the real-build tests: ${reason}`);
  return reason;
}
