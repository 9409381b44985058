// A private Docker engine per test run: its own containerd (never another on the machine), dockerd 26 with the
// containerd image store, no iptables, no bridge, private data-root/exec-root/pidfile/socket, and HTTP(S)_PROXY
// pointed at a closed loopback port so a missing base image fails at once instead of reaching Docker Hub
// (loopback registries are never proxied). https://docs.docker.com/reference/cli/dockerd/
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DaemonProcess, startDaemon } from "./daemon-process.ts";
import { type DockerTools, findDockerTools } from "./docker-tools.ts";

export interface DockerCommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestDockerEngine {
  /** `unix://<private socket>` */
  readonly host: string;
  readonly tools: DockerTools;
  /** A DOCKER_CONFIG folder with the buildx plugin linked in (no credentials). */
  readonly configDir: string;
  /** Env for a `docker` client of this engine: DOCKER_HOST, DOCKER_CONFIG, PATH with the CLI first. */
  readonly env: Record<string, string>;
  /** Pid files of the engine's daemons (containerd, dockerd). */
  readonly pidFiles: readonly string[];
  /** Runs the engine's `docker` CLI; never throws on a non-zero exit. */
  docker(args: string[], options?: { cwd?: string; env?: Record<string, string> }): Promise<DockerCommandResult>;
  /** Stops dockerd, then containerd (by pid), and deletes the data. */
  stop(): Promise<void>;
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedLoopbackPort(): Promise<number> {
  return freeLoopbackPort();
}

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("could not find a free loopback port");
  return address.port;
}

export function runDocker(
  docker: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<DockerCommandResult> {
  return new Promise((resolve) => {
    execFile(docker, args, { env, cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export async function startTestDockerEngine(options: { tools?: DockerTools } = {}): Promise<TestDockerEngine> {
  const tools = options.tools ?? findDockerTools();
  // Short: the sockets under it must fit in sun_path (108 bytes).
  const root = await mkdtemp(join(tmpdir(), "prpd-"));
  const configDir = join(root, "config");
  await mkdir(join(configDir, "cli-plugins"), { recursive: true });
  await symlink(join(tools.pluginsDir, "docker-buildx"), join(configDir, "cli-plugins", "docker-buildx"));
  const containerdSocket = join(root, "containerd.sock");
  const socket = join(root, "docker.sock");
  const proxy = `http://127.0.0.1:${await closedLoopbackPort()}`;
  const daemonEnv: NodeJS.ProcessEnv = {
    PATH: [...tools.binDirs, "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(":"),
    HOME: root,
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
  };
  await writeFile(join(root, "containerd.toml"), "version = 2\n");
  await writeFile(join(root, "daemon.json"), `${JSON.stringify({ features: { "containerd-snapshotter": true } })}\n`);
  const pidFiles = [join(root, "containerd.pid"), join(root, "dockerd.pid")];
  const started: DaemonProcess[] = [];
  const stopAll = async () => {
    for (const daemon of started.reverse()) await daemon.stop();
    started.length = 0;
    await rm(root, { recursive: true, force: true });
  };
  try {
    started.push(
      await startDaemon({
        name: "containerd",
        command: join(tools.prefix, "usr/bin/containerd"),
        args: [
          "--config",
          join(root, "containerd.toml"),
          "--address",
          containerdSocket,
          "--root",
          join(root, "containerd-root"),
          "--state",
          join(root, "containerd-state"),
        ],
        env: daemonEnv,
        pidFile: pidFiles[0]!,
        writePidFile: true,
        ready: /containerd successfully booted/,
      }),
    );
    started.push(
      await startDaemon({
        name: "dockerd",
        command: tools.dockerd,
        args: [
          "--config-file",
          join(root, "daemon.json"),
          "--containerd",
          containerdSocket,
          "--iptables=false",
          "--ip6tables=false",
          "--bridge=none",
          "--data-root",
          join(root, "data"),
          "--exec-root",
          join(root, "exec"),
          "--pidfile",
          pidFiles[1]!,
          "-H",
          `unix://${socket}`,
        ],
        env: daemonEnv,
        pidFile: pidFiles[1]!,
        writePidFile: false,
        ready: /API listen on/,
      }),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
  const env: Record<string, string> = {
    PATH: [...tools.binDirs, process.env.PATH ?? "/usr/bin:/bin"].join(":"),
    HOME: process.env.HOME ?? root,
    DOCKER_HOST: `unix://${socket}`,
    DOCKER_CONFIG: configDir,
  };
  return {
    host: `unix://${socket}`,
    tools,
    configDir,
    env,
    pidFiles,
    docker: (args, options = {}) => runDocker(tools.docker, args, { ...env, ...options.env }, options.cwd),
    stop: stopAll,
  };
}
