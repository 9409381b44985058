// Runs one pod container as a host process, the way a kubelet + container runtime would run it, minus
// the image: command and args unchanged except a leading shell swapped for busybox sh, volumes and the
// termination log mapped into a per-pod folder, env values that name a mounted path rewritten to the
// host path, and the exit reported as a container runtime reports it (a signal n becomes 128+n).
import { type ChildProcess, spawn } from "node:child_process";
import {
  accessSync,
  chmodSync,
  closeSync,
  constants as fsConstants,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { constants as osConstants } from "node:os";
import { dirname, join, posix, relative, resolve } from "node:path";
import type { V1ConfigMap, V1Container, V1Pod, V1Secret } from "@kubernetes/client-node";
import { configMapDataBytes, expandKubernetesVariables, secretDataBytes } from "./container-env.ts";

export interface HostContainerOptions {
  pod: V1Pod;
  container: V1Container;
  /** From resolveContainerEnv; values naming a mountPath or the terminationMessagePath are remapped. */
  env: Record<string, string>;
  /** Reads the secrets that secret volumes refer to. */
  getSecret: (name: string) => V1Secret | undefined;
  /** Reads the ConfigMaps that configMap volumes refer to (data and binaryData). Without it, none exist. */
  getConfigMap?: (name: string) => V1ConfigMap | undefined;
  /** A fresh per-pod temp folder the runtime may fill. */
  rootDir: string;
  /** Replaces a leading sh/bash/ash/dash (also `/usr/bin/env sh`) in the command; default ["busybox", "sh"]. */
  shell?: string[];
  /** Folders put first on PATH (tests put stand-in `docker` etc. there). */
  extraPath?: string[];
  /** Between SIGTERM and SIGKILL when kill() is called; default 2000 ms. */
  killGraceMs?: number;
  /** One call per line, without the line break; a last partial line is flushed at exit. Must not throw. */
  onOutput: (line: string, stream: "stdout" | "stderr", time: Date) => void;
}

export interface HostContainerExit {
  exitCode: number;
  /** The signal that ended the process, e.g. "SIGTERM" (exitCode is then 128 + its number). */
  signal?: string;
  /** Completed iff exitCode is 0; Killed / DeadlineExceeded when kill() was called; never OOMKilled here. */
  reason: "Completed" | "Error" | "OOMKilled" | "DeadlineExceeded" | "Killed";
  startedAt: Date;
  finishedAt: Date;
  /** The termination message, as the kubelet reads it (see readTerminationMessage). */
  message?: string;
}

export interface HostContainer {
  pid: number;
  /** Resolves (never rejects) once the process group is gone and every output line was delivered. */
  exited: Promise<HostContainerExit>;
  /** SIGTERM to the process group, SIGKILL after the grace period. */
  kill(reason: "Killed" | "DeadlineExceeded"): void;
}

/** The kubelet's caps: kubecontainer.MaxContainerTerminationMessageLength / ...LogLength / ...LogLines. */
export const terminationMessageLimits = { fileBytes: 4096, logBytes: 2048, logLines: 80 } as const;

const defaultTerminationMessagePath = "/dev/termination-log";
const shellNames = new Set(["sh", "bash", "ash", "dash"]);

/** Why startHostContainer refused to start: a volume the kubelet could not mount, or a container it cannot run. */
export class HostContainerSetupError extends Error {
  constructor(
    readonly reason: "FailedMount" | "InvalidContainer",
    message: string,
  ) {
    super(message);
    this.name = "HostContainerSetupError";
  }
}

/**
 * Starts the container's process. Throws a HostContainerSetupError (before starting anything) when a
 * volume cannot be set up, worded as the kubelet's FailedMount event, e.g.
 * `MountVolume.SetUp failed for volume "token" : secret "x" not found`, or when the container has
 * neither command nor args (the host runtime has no image entrypoint to fall back on).
 */
export function startHostContainer(options: HostContainerOptions): HostContainer {
  const { pod, container, rootDir } = options;
  const paths = mapContainerPaths(pod, container, rootDir);
  prepareVolumes(pod, container, paths, options.getSecret, options.getConfigMap ?? (() => undefined));
  writeFileSync(paths.terminationLog, ""); // a fresh termination log for each container start, as the kubelet does
  const env = childEnvironment(options, paths);
  const argv = containerArgv(container, env, hostShell(options));
  const graceMs = options.killGraceMs ?? 2000;

  const startedAt = new Date();
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: paths.workingDir,
    env,
    detached: true, // its own process group, so kill() reaches everything it started
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = collectOutput(child, options.onOutput);
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the group is already gone
    }
  };

  let killReason: "Killed" | "DeadlineExceeded" | undefined;
  let sigkillTimer: NodeJS.Timeout | undefined;
  const exited = waitForProcessGroup(child, graceMs, () => {
    clearTimeout(sigkillTimer);
    // When a container's first process ends, the runtime tears down everything else in it.
    signalGroup("SIGKILL");
  }).then((outcome): HostContainerExit => {
    output.flush();
    if ("spawnError" in outcome) {
      // What containerd reports for an entrypoint it cannot exec: StartError, exit code 128.
      const error = outcome.spawnError;
      const why = error.code === "ENOENT" ? "executable file not found in $PATH" : error.message;
      return {
        exitCode: 128,
        reason: "Error",
        startedAt,
        finishedAt: outcome.finishedAt,
        message: `exec: "${argv[0]}": ${why}`,
      };
    }
    const exitCode = outcome.code ?? 128 + (osConstants.signals[outcome.signal as NodeJS.Signals] ?? 0);
    const message = readTerminationMessage({
      file: paths.terminationLog,
      fallbackToLogs: container.terminationMessagePolicy === "FallbackToLogsOnError" && exitCode !== 0,
      logTail: output.logTail,
    });
    return {
      exitCode,
      ...(outcome.signal ? { signal: outcome.signal } : {}),
      reason: exitCode === 0 ? "Completed" : (killReason ?? "Error"),
      startedAt,
      finishedAt: outcome.finishedAt,
      ...(message ? { message } : {}),
    };
  });

  return {
    pid: child.pid ?? -1,
    exited,
    kill(reason) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      killReason ??= reason;
      signalGroup("SIGTERM");
      sigkillTimer ??= setTimeout(() => signalGroup("SIGKILL"), graceMs);
    },
  };
}

type ProcessOutcome =
  | { code: number | null; signal: NodeJS.Signals | null; finishedAt: Date }
  | { spawnError: NodeJS.ErrnoException; finishedAt: Date };

/**
 * Resolves once the first process has exited and its pipes are closed, so every byte was read. A process
 * that left the group (setsid) could hold the pipes open for ever: after `graceMs` we stop reading.
 */
function waitForProcessGroup(child: ChildProcess, graceMs: number, onLeaderExit: () => void): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    let leader: ProcessOutcome | undefined;
    let stragglerTimer: NodeJS.Timeout | undefined;
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve({ spawnError: error, finishedAt: new Date() });
    });
    child.on("exit", (code, signal) => {
      if (child.pid === undefined) return; // a failed spawn, already reported by "error"
      const exit = { code, signal, finishedAt: new Date() };
      leader = exit;
      onLeaderExit();
      stragglerTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve(exit);
      }, graceMs);
    });
    child.on("close", () => {
      clearTimeout(stragglerTimer);
      if (leader) resolve(leader);
    });
  });
}

/** Splits both pipes into lines for onOutput and keeps the log tail a termination message may need. */
function collectOutput(child: ChildProcess, onOutput: HostContainerOptions["onOutput"]) {
  const log = new LogTail();
  const deliver = (stream: "stdout" | "stderr") => (line: string, partial: boolean, time: Date) => {
    log.add(line, partial);
    onOutput(line, stream, time);
  };
  const stdout = new LineSplitter(deliver("stdout"));
  const stderr = new LineSplitter(deliver("stderr"));
  child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
  return {
    flush() {
      stdout.flush();
      stderr.flush();
    },
    logTail: () => log.tail(),
  };
}

/**
 * The termination message as the kubelet builds it: the last 4096 bytes of the file; when the policy is
 * FallbackToLogsOnError, the container failed and the file is empty or gone, the last 80 lines of the
 * log cut to their last 2048 bytes instead.
 */
export function readTerminationMessage(input: {
  file: string;
  fallbackToLogs: boolean;
  logTail: () => string;
}): string {
  let text: string;
  try {
    text = readLastBytes(input.file, terminationMessageLimits.fileBytes).toString("utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      return `Error on reading termination log ${input.file}: ${(error as Error).message}`;
    }
    text = "";
  }
  return text === "" && input.fallbackToLogs ? input.logTail() : text;
}

/** Where the container's paths live on the host; `pathMap` is longest container path first. */
interface ContainerPaths {
  pathMap: Array<{ containerPath: string; hostPath: string }>;
  volumeDirs: Map<string, string>;
  terminationLog: string;
  workingDir: string;
  home: string;
}

function mapContainerPaths(pod: V1Pod, container: V1Container, rootDir: string): ContainerPaths {
  const volumeDirs = new Map<string, string>();
  for (const volume of pod.spec?.volumes ?? []) volumeDirs.set(volume.name, join(rootDir, "volumes", volume.name));
  const terminationLog = join(rootDir, "termination-log");
  const pathMap = [
    {
      containerPath: trimSlash(container.terminationMessagePath ?? defaultTerminationMessagePath),
      hostPath: terminationLog,
    },
  ];
  for (const mount of container.volumeMounts ?? []) {
    const volumeDir = volumeDirs.get(mount.name);
    if (!volumeDir) {
      throw new HostContainerSetupError(
        "InvalidContainer",
        `container "${container.name}" mounts volume "${mount.name}", which the pod does not declare in spec.volumes`,
      );
    }
    pathMap.push({ containerPath: trimSlash(mount.mountPath), hostPath: safeJoin(volumeDir, mount.subPath ?? "") });
  }
  pathMap.sort((a, b) => b.containerPath.length - a.containerPath.length);
  const paths = { pathMap, volumeDirs, terminationLog, workingDir: join(rootDir, "root"), home: join(rootDir, "home") };
  if (container.workingDir) {
    const mapped = remapContainerPath(container.workingDir, pathMap);
    // A working directory outside every mount lives under <rootDir>/root, as if in the image's filesystem.
    paths.workingDir = mapped === container.workingDir ? safeJoin(paths.workingDir, container.workingDir) : mapped;
  }
  return paths;
}

/** An env value equal to a mapped container path, or below one, becomes the host path. */
function remapContainerPath(value: string, pathMap: ContainerPaths["pathMap"]): string {
  for (const { containerPath, hostPath } of pathMap) {
    if (value === containerPath) return hostPath;
    if (value.startsWith(`${containerPath}/`)) return hostPath + value.slice(containerPath.length);
  }
  return value;
}

function prepareVolumes(
  pod: V1Pod,
  container: V1Container,
  paths: ContainerPaths,
  getSecret: (name: string) => V1Secret | undefined,
  getConfigMap: (name: string) => V1ConfigMap | undefined,
): void {
  mkdirSync(paths.workingDir, { recursive: true });
  mkdirSync(paths.home, { recursive: true });
  mkdirSync(dirname(paths.terminationLog), { recursive: true });
  const mounted = new Set((container.volumeMounts ?? []).map((mount) => mount.name));
  for (const volume of pod.spec?.volumes ?? []) {
    if (!mounted.has(volume.name)) continue;
    const dir = paths.volumeDirs.get(volume.name) as string;
    mkdirSync(dir, { recursive: true });
    if (volume.emptyDir) continue;
    const failMount = (why: string) =>
      new HostContainerSetupError("FailedMount", `MountVolume.SetUp failed for volume "${volume.name}" : ${why}`);
    // Secret and configMap volumes project the same way: every key (or the listed items) as a file.
    // https://kubernetes.io/docs/concepts/storage/volumes/#configmap
    // What the volume projects: the source's settings, its object's name and kind, and its keys as bytes.
    const projected = volume.secret
      ? {
          source: volume.secret,
          noun: "secret",
          objectName: volume.secret.secretName ?? "",
          read: (name: string) => {
            const secret = getSecret(name);
            return secret && secretDataBytes(secret);
          },
        }
      : volume.configMap
        ? {
            source: volume.configMap,
            noun: "configmap",
            objectName: volume.configMap.name ?? "",
            read: (name: string) => {
              const configMap = getConfigMap(name);
              return configMap && configMapDataBytes(configMap);
            },
          }
        : undefined;
    if (!projected) {
      const kind = Object.keys(volume).find((key) => key !== "name") ?? "unknown";
      throw new HostContainerSetupError(
        "FailedMount",
        `MountVolume.SetUp failed for volume "${volume.name}" : volume type ${kind} is not supported by the host runtime; use emptyDir, secret or configMap`,
      );
    }
    const { source, noun, objectName } = projected;
    const data = projected.read(objectName);
    if (!data) {
      if (source.optional) continue;
      throw failMount(`${noun} "${objectName}" not found`);
    }
    const defaultMode = source.defaultMode ?? 0o644;
    const files = source.items
      ? source.items.map((item) => ({ key: item.key, path: item.path, mode: item.mode ?? defaultMode }))
      : Object.keys(data).map((key) => ({ key, path: key, mode: defaultMode }));
    for (const file of files) {
      const bytes = data[file.key];
      if (!bytes) {
        if (source.optional) continue;
        throw failMount(`references non-existent ${noun} key: ${file.key}`);
      }
      const target = safeJoin(dir, file.path);
      mkdirSync(dirname(target), { recursive: true });
      rmSync(target, { force: true }); // a restarted container finds last start's files, maybe read-only
      writeFileSync(target, bytes);
      chmodSync(target, file.mode); // explicit, so the process umask cannot change it
    }
  }
  for (const { hostPath } of paths.pathMap) {
    if (hostPath !== paths.terminationLog) mkdirSync(hostPath, { recursive: true });
  }
}

/** Only the resolved env (remapped), plus HOME and PATH; nothing leaks in from the test process. */
function childEnvironment(options: HostContainerOptions, paths: ContainerPaths): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env)) env[name] = remapContainerPath(value, paths.pathMap);
  env.HOME ??= paths.home;
  const basePath = env.PATH ?? process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
  env.PATH = [...(options.extraPath ?? []), basePath].join(":");
  return env;
}

/** command + args with `$(VAR)` expanded as the kubelet does, and a leading shell swapped. */
function containerArgv(container: V1Container, env: Record<string, string>, shell: string[]): string[] {
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map((part) =>
    expandKubernetesVariables(part, env),
  );
  if (argv.length === 0) {
    throw new HostContainerSetupError(
      "InvalidContainer",
      `container "${container.name}" has no command or args: the host runtime has no image entrypoint to run; set command`,
    );
  }
  const first = argv[0] as string;
  if (isShell(first)) return [...shell, ...argv.slice(1)];
  if ((first === "env" || first === "/usr/bin/env") && isShell(argv[1] ?? "")) return [...shell, ...argv.slice(2)];
  return argv;
}

/** The shell, found on the host (extraPath first) even when the pod's own PATH would not find it. */
function hostShell(options: HostContainerOptions): string[] {
  const [program = "busybox", ...rest] = options.shell ?? ["busybox", "sh"];
  if (program.includes("/")) return [program, ...rest];
  const folders = [...(options.extraPath ?? []), ...(process.env.PATH ?? "").split(":")].filter(Boolean);
  const found = folders.map((folder) => join(folder, program)).find(isExecutableFile);
  return [found ?? program, ...rest];
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isShell(executable: string): boolean {
  const isBareOrAbsolute = !executable.includes("/") || executable.startsWith("/");
  return isBareOrAbsolute && shellNames.has(posix.basename(executable));
}

/** Joins a relative path below a folder, refusing `..` escapes (the API server forbids them too). */
function safeJoin(dir: string, path: string): string {
  const target = resolve(dir, `.${posix.sep}${path}`);
  if (relative(dir, target).startsWith("..")) {
    throw new HostContainerSetupError(
      "InvalidContainer",
      `path "${path}" must not leave its folder ${dir}; remove the ".."`,
    );
  }
  return target;
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

function readLastBytes(file: string, max: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, max);
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, size - length);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * Splits a byte stream into lines on "\n" (dropping a "\r" before it), whatever the chunk boundaries;
 * lines are decoded only once whole, so a UTF-8 character split across chunks survives. A line's time is
 * when its last bytes arrived.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingTime = new Date();
  constructor(private readonly emit: (line: string, partial: boolean, time: Date) => void) {}

  push(chunk: Buffer, time = new Date()): void {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      let line = Buffer.concat([...this.pending, chunk.subarray(start, newline)]);
      this.pending = [];
      if (line.at(-1) === 13) line = line.subarray(0, -1);
      this.emit(line.toString("utf8"), false, time);
      start = newline + 1;
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingTime = time;
    }
  }

  /** Emits what is left after the last line break, if anything. */
  flush(): void {
    if (this.pending.length === 0) return;
    const rest = Buffer.concat(this.pending);
    this.pending = [];
    this.emit(rest.toString("utf8"), true, this.pendingTime);
  }
}

/** The last lines of the container's log, stdout and stderr interleaved as they arrived. */
class LogTail {
  private lines: string[] = [];

  add(line: string, partial: boolean): void {
    this.lines.push(partial ? line : `${line}\n`);
    if (this.lines.length > terminationMessageLimits.logLines) this.lines.shift();
  }

  tail(): string {
    const bytes = Buffer.from(this.lines.join(""), "utf8");
    return bytes.subarray(Math.max(0, bytes.length - terminationMessageLimits.logBytes)).toString("utf8");
  }
}
