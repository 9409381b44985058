import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1ConfigMap, V1Container, V1Pod, V1Secret } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { type HostContainerOptions, LineSplitter, startHostContainer } from "./host-container.ts";

const rootDirs: string[] = [];
afterEach(() => {
  for (const dir of rootDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const secrets: Record<string, V1Secret> = {
  "gh-token": {
    data: {
      token: Buffer.from("ghp_testtesttesttesttesttesttesttest1234").toString("base64"),
      user: Buffer.from("octocat").toString("base64"),
    },
  },
};

type Line = { line: string; stream: "stdout" | "stderr" };

/** Starts `script` under `sh -c` in a fresh pod folder and collects its output lines. */
function startScript(
  script: string,
  container: Partial<V1Container> = {},
  options: Partial<HostContainerOptions> & { volumes?: NonNullable<V1Pod["spec"]>["volumes"] } = {},
) {
  const rootDir = options.rootDir ?? mkdtempSync(join(tmpdir(), "pr-pod-host-"));
  rootDirs.push(rootDir);
  const lines: Array<Line & { time: Date }> = [];
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const pod: V1Pod = {
    metadata: { name: "pr-pod-1-x", namespace: "ci" },
    spec: { containers: [], volumes: options.volumes ?? [] },
  };
  const handle = startHostContainer({
    pod,
    container: { name: "build", command: ["sh", "-c", script], ...container },
    env: {},
    getSecret: (name) => secrets[name],
    rootDir,
    killGraceMs: 100,
    ...options,
    onOutput: (line, stream, time) => {
      lines.push({ line, stream, time });
      for (const waiter of waiters.filter((w) => w.text === line)) waiter.resolve();
    },
  });
  const lineSeen = (text: string) =>
    lines.some((l) => l.line === text)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ text, resolve }));
  const stdout = () => lines.filter((l) => l.stream === "stdout").map((l) => l.line);
  return { ...handle, rootDir, lines, stdout, lineSeen };
}

/** Running, as opposed to gone or a zombie waiting for its (re)parent to reap it. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return false;
  }
}

/** The kernel finishes a killed process's exit shortly after its pipes close: poll, with a bound. */
async function stopsRunning(pid: number): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return true;
}

describe("startHostContainer", () => {
  it("delivers stdout and stderr lines, a last partial line, and the exit code", async () => {
    const run = startScript("echo one; echo two >&2; printf 'three\\r\\nfour'; exit 3");
    const exit = await run.exited;
    // the two pipes are read independently, so only the order within one stream is fixed
    expect(run.stdout()).toEqual(["one", "three", "four"]);
    expect(run.lines.filter((l) => l.stream === "stderr").map((l) => l.line)).toEqual(["two"]);
    expect(exit).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(exit.signal).toBeUndefined();
    expect(exit.finishedAt.getTime()).toBeGreaterThanOrEqual(exit.startedAt.getTime());
  });

  it("resolves exited only after every output line was delivered", async () => {
    const run = startScript("i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); done; printf tail");
    let linesAtExit = 0;
    const exit = await run.exited.then((result) => {
      linesAtExit = run.lines.length;
      return result;
    });
    expect(exit).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(linesAtExit).toBe(3001);
    expect(run.stdout().at(2999)).toBe("line-2999");
    expect(run.stdout().at(-1)).toBe("tail");
  });

  it("runs a leading shell under busybox sh and expands $(VAR) in args as the kubelet does", async () => {
    const run = startScript(
      "",
      { command: ["/bin/bash", "-c"], args: ["readlink /proc/$$$$/exe; echo '$(GREETING) $$(GREETING) $(UNKNOWN)'"] },
      { env: { GREETING: "hello" } },
    );
    expect((await run.exited).exitCode).toBe(0);
    expect(run.stdout()).toEqual(["/usr/bin/busybox", "hello $(GREETING) $(UNKNOWN)"]);
  });

  it("gives the child only the resolved env, with HOME and PATH, and remaps mounted paths", async () => {
    process.env.PR_POD_HOST_RUNTIME_LEAK = "from-the-test-process";
    try {
      const run = startScript(
        'env | sort; echo built > "$PR_POD_WORKSPACE/out.txt"; pwd',
        {
          workingDir: "/workspace/src",
          volumeMounts: [
            { name: "workspace", mountPath: "/workspace" },
            { name: "cache", mountPath: "/cache/", subPath: "npm" },
          ],
        },
        {
          env: {
            PR_POD_WORKSPACE: "/workspace",
            PR_POD_SRC: "/workspace/src/app",
            PR_POD_TERMINATION_LOG: "/dev/termination-log",
            CACHE: "/cache",
            NOT_A_MOUNT: "/workspaces",
            PLAIN: "x=$(y)",
          },
          extraPath: ["/opt/stand-ins"],
          volumes: [
            { name: "workspace", emptyDir: {} },
            { name: "cache", emptyDir: {} },
          ],
        },
      );
      expect((await run.exited).exitCode).toBe(0);
      const ws = join(run.rootDir, "volumes", "workspace");
      const vars = Object.fromEntries(
        run
          .stdout()
          .slice(0, -1)
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
      expect(vars).toMatchObject({
        PR_POD_WORKSPACE: ws,
        PR_POD_SRC: join(ws, "src/app"),
        PR_POD_TERMINATION_LOG: join(run.rootDir, "termination-log"),
        CACHE: join(run.rootDir, "volumes", "cache", "npm"),
        NOT_A_MOUNT: "/workspaces",
        PLAIN: "x=$(y)",
        HOME: join(run.rootDir, "home"),
      });
      expect(vars.PATH).toBe(`/opt/stand-ins:${process.env.PATH}`);
      expect(vars.PR_POD_HOST_RUNTIME_LEAK).toBeUndefined();
      // busybox sh adds only its own bookkeeping variables
      const expected = ["PR_POD_WORKSPACE", "PR_POD_SRC", "PR_POD_TERMINATION_LOG", "CACHE", "NOT_A_MOUNT", "PLAIN"];
      const extra = Object.keys(vars).filter((name) => ![...expected, "HOME", "PATH", "PWD", "SHLVL"].includes(name));
      expect(extra).toEqual([]);
      expect(run.stdout().at(-1)).toBe(join(ws, "src"));
      expect(readFileSync(join(ws, "out.txt"), "utf8")).toBe("built\n");
    } finally {
      delete process.env.PR_POD_HOST_RUNTIME_LEAK;
    }
  });

  it("keeps a HOME and PATH the pod sets, with extraPath still first", async () => {
    // busybox is still found on the host although the pod's own PATH could not find it
    const run = startScript(
      'echo "$HOME"; echo "$PATH"',
      { volumeMounts: [{ name: "workspace", mountPath: "/workspace" }] },
      {
        env: { HOME: "/workspace/home", PATH: "/nowhere" },
        extraPath: ["/opt/a"],
        volumes: [{ name: "workspace", emptyDir: {} }],
      },
    );
    await run.exited;
    expect(run.stdout()).toEqual([join(run.rootDir, "volumes", "workspace", "home"), "/opt/a:/nowhere"]);
  });

  it("fills a secret volume with its keys as files, honouring items and modes", async () => {
    const run = startScript(
      'cat "$TOKEN_DIR/github/token"; echo; ls "$TOKEN_DIR" | sort; cat "$ALL_DIR/user"',
      {
        volumeMounts: [
          { name: "token", mountPath: "/var/run/pr-pod/token", readOnly: true },
          { name: "all", mountPath: "/var/run/pr-pod/all" },
        ],
      },
      {
        env: { TOKEN_DIR: "/var/run/pr-pod/token", ALL_DIR: "/var/run/pr-pod/all" },
        volumes: [
          {
            name: "token",
            secret: { secretName: "gh-token", defaultMode: 0o400, items: [{ key: "token", path: "github/token" }] },
          },
          { name: "all", secret: { secretName: "gh-token" } },
        ],
      },
    );
    expect((await run.exited).exitCode).toBe(0);
    expect(run.stdout()).toEqual(["ghp_testtesttesttesttesttesttesttest1234", "github", "octocat"]);
    expect(statSync(join(run.rootDir, "volumes", "token", "github", "token")).mode & 0o777).toBe(0o400);
    expect(statSync(join(run.rootDir, "volumes", "all", "user")).mode & 0o777).toBe(0o644);
  });

  it("refuses to start when a secret volume's secret is missing, in the kubelet's FailedMount words", () => {
    expect(() =>
      startScript(
        "true",
        { volumeMounts: [{ name: "token", mountPath: "/t" }] },
        {
          volumes: [{ name: "token", secret: { secretName: "nope" } }],
        },
      ),
    ).toThrow(
      expect.objectContaining({
        name: "HostContainerSetupError",
        reason: "FailedMount",
        message: 'MountVolume.SetUp failed for volume "token" : secret "nope" not found',
      }),
    );
  });

  it("refuses a secret volume item whose key is missing unless the volume is optional", async () => {
    const volume = (optional: boolean) => ({
      name: "token",
      secret: { secretName: "gh-token", optional, items: [{ key: "pat", path: "pat" }] },
    });
    const mounts = { volumeMounts: [{ name: "token", mountPath: "/t" }] };
    expect(() => startScript("true", mounts, { volumes: [volume(false)] })).toThrow(
      'MountVolume.SetUp failed for volume "token" : references non-existent secret key: pat',
    );
    const run = startScript('ls -A "$T"', mounts, { env: { T: "/t" }, volumes: [volume(true)] });
    expect(await run.exited).toMatchObject({ exitCode: 0 });
    expect(run.stdout()).toEqual([]);
  });

  it("fills a configMap volume with its data and binaryData keys as files, bytes unchanged", async () => {
    const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);
    const configMaps: Record<string, V1ConfigMap> = {
      "local-changes": { data: { "head-sha": "abc" }, binaryData: { "local.bundle": binary.toString("base64") } },
    };
    const run = startScript(
      'cat "$C/head-sha"; echo; ls "$C" | sort',
      { volumeMounts: [{ name: "changes", mountPath: "/var/run/pr-pod/changes", readOnly: true }] },
      {
        env: { C: "/var/run/pr-pod/changes" },
        getConfigMap: (name) => configMaps[name],
        volumes: [{ name: "changes", configMap: { name: "local-changes" } }],
      },
    );
    expect((await run.exited).exitCode).toBe(0);
    expect(run.stdout()).toEqual(["abc", "head-sha", "local.bundle"]);
    expect(readFileSync(join(run.rootDir, "volumes", "changes", "local.bundle")).equals(binary)).toBe(true);
  });

  it("refuses a configMap volume whose ConfigMap is missing unless it is optional", async () => {
    const mounts = { volumeMounts: [{ name: "changes", mountPath: "/c" }] };
    expect(() => startScript("true", mounts, { volumes: [{ name: "changes", configMap: { name: "nope" } }] })).toThrow(
      'MountVolume.SetUp failed for volume "changes" : configmap "nope" not found',
    );
    const run = startScript('ls -A "$C"', mounts, {
      env: { C: "/c" },
      volumes: [{ name: "changes", configMap: { name: "nope", optional: true } }],
    });
    expect(await run.exited).toMatchObject({ exitCode: 0 });
    expect(run.stdout()).toEqual([]);
  });

  it("keeps emptyDir contents and starts a fresh termination log when a container restarts in its pod", async () => {
    const container = {
      volumeMounts: [
        { name: "workspace", mountPath: "/workspace" },
        { name: "token", mountPath: "/token" },
      ],
    };
    const options = {
      env: { W: "/workspace", PR_POD_TERMINATION_LOG: "/dev/termination-log" },
      volumes: [
        { name: "workspace", emptyDir: {} },
        { name: "token", secret: { secretName: "gh-token", defaultMode: 0o400 } },
      ],
    };
    const first = startScript(
      'echo 1 >> "$W/runs"; echo first > "$PR_POD_TERMINATION_LOG"; exit 1',
      container,
      options,
    );
    expect(await first.exited).toMatchObject({ exitCode: 1, message: "first\n" });
    const second = startScript('echo 2 >> "$W/runs"; cat "$W/runs"', container, { ...options, rootDir: first.rootDir });
    expect(await second.exited).toMatchObject({ exitCode: 0 });
    expect((await second.exited).message).toBeUndefined();
    expect(second.stdout()).toEqual(["1", "2"]);
  });

  it("stamps each line with the time its bytes arrived", async () => {
    const before = new Date();
    const run = startScript("echo a; echo b >&2; printf c");
    const exit = await run.exited;
    for (const { time } of run.lines) {
      expect(time.getTime()).toBeGreaterThanOrEqual(before.getTime());
      expect(time.getTime()).toBeLessThanOrEqual(Date.now());
    }
    expect(exit.startedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
  });

  it("still resolves when a process that left the group keeps the output pipes open", async () => {
    const run = startScript('setsid sleep 1000 & echo "escaped $!"; echo done');
    const exit = await run.exited;
    const escaped = Number(run.stdout()[0]?.split(" ")[1]);
    process.kill(escaped, "SIGKILL"); // the runtime cannot reach it; clean up after the test
    expect(exit).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(run.stdout()).toEqual([`escaped ${escaped}`, "done"]);
  });

  it("reports a command it cannot exec as exit code 128", async () => {
    const run = startScript("", { command: ["/no/such/entrypoint"] });
    expect(await run.exited).toMatchObject({
      exitCode: 128,
      reason: "Error",
      message: 'exec: "/no/such/entrypoint": executable file not found in $PATH',
    });
  });
});

describe("termination message", () => {
  const terminationLog = { PR_POD_TERMINATION_LOG: "/dev/termination-log" };

  it("is the file the container wrote at terminationMessagePath", async () => {
    const run = startScript(
      'printf "verdict: ok" > "$MSG"',
      { terminationMessagePath: "/tmp/msg" },
      {
        env: { MSG: "/tmp/msg" },
      },
    );
    expect(await run.exited).toMatchObject({ exitCode: 0, message: "verdict: ok" });
  });

  it("keeps only the last 4096 bytes of a longer file", async () => {
    const run = startScript(
      'i=0; while [ $i -lt 100 ]; do printf "%099d\\n" $i; i=$((i+1)); done > "$PR_POD_TERMINATION_LOG"',
      {},
      { env: terminationLog },
    );
    const { message } = await run.exited;
    expect(Buffer.byteLength(message ?? "")).toBe(4096);
    expect(message?.endsWith(`${"0".repeat(97)}99\n`)).toBe(true);
  });

  it("falls back to the last 80 lines / 2048 bytes of the log when the file is empty and the container failed", async () => {
    const run = startScript("i=0; while [ $i -lt 100 ]; do echo out-$i; i=$((i+1)); done; echo boom; exit 1", {
      terminationMessagePolicy: "FallbackToLogsOnError",
    });
    const { message } = await run.exited;
    const expected = [...Array.from({ length: 79 }, (_, i) => `out-${i + 21}`), "boom"].join("\n");
    expect(message).toBe(`${expected}\n`);

    const long = startScript('i=0; while [ $i -lt 50 ]; do printf "%0100d\\n" $i; i=$((i+1)); done; exit 2', {
      terminationMessagePolicy: "FallbackToLogsOnError",
    });
    const tail = (await long.exited).message ?? "";
    expect(Buffer.byteLength(tail)).toBe(2048);
    expect(tail.endsWith(`${"0".repeat(98)}49\n`)).toBe(true);
  });

  it("does not fall back when the container succeeded or wrote the file", async () => {
    const policy = { terminationMessagePolicy: "FallbackToLogsOnError" } as const;
    const succeeded = startScript("echo fine", policy);
    expect((await succeeded.exited).message).toBeUndefined();
    const wrote = startScript('echo noise; printf "why" > "$PR_POD_TERMINATION_LOG"; exit 4', policy, {
      env: terminationLog,
    });
    expect(await wrote.exited).toMatchObject({ exitCode: 4, message: "why" });
    const defaultPolicy = startScript("echo noise; exit 4");
    expect((await defaultPolicy.exited).message).toBeUndefined();
  });
});

describe("kill", () => {
  it("terminates the whole process group and reports 128+15 with the kill reason", async () => {
    const run = startScript('sleep 1000 & echo "child $!"; echo ready; wait');
    await run.lineSeen("ready");
    const childPid = Number(run.stdout()[0]?.split(" ")[1]);
    expect(isRunning(childPid)).toBe(true);
    run.kill("DeadlineExceeded");
    const exit = await run.exited;
    expect(exit).toMatchObject({ exitCode: 143, signal: "SIGTERM", reason: "DeadlineExceeded" });
    expect(await stopsRunning(childPid)).toBe(true);
    run.kill("Killed"); // a kill after the end changes nothing
    expect((await run.exited).reason).toBe("DeadlineExceeded");
  });

  it("sends SIGKILL after the grace period to a process that ignores SIGTERM", async () => {
    const run = startScript("trap '' TERM; echo ready; while :; do sleep 1; done");
    await run.lineSeen("ready");
    run.kill("Killed");
    expect(await run.exited).toMatchObject({ exitCode: 137, signal: "SIGKILL", reason: "Killed" });
  });

  it("reports Completed when the process exits 0 on SIGTERM", async () => {
    // `wait` returns as soon as a trapped signal arrives; the long grace keeps a slow machine from hitting SIGKILL
    const run = startScript(
      "trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 1000 & wait $!; done",
      {},
      {
        killGraceMs: 10_000,
      },
    );
    await run.lineSeen("ready");
    run.kill("Killed");
    expect(await run.exited).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(run.stdout()).toContain("bye");
  });

  it("tears down what the first process left running when it exits, as a container runtime does", async () => {
    const run = startScript('sleep 1000 & echo "child $!"');
    await run.exited;
    expect(await stopsRunning(Number(run.stdout()[0]?.split(" ")[1]))).toBe(true);
  });
});

describe("LineSplitter", () => {
  function split(chunks: Buffer[]) {
    const lines: Array<[string, boolean]> = [];
    const splitter = new LineSplitter((line, partial) => lines.push([line, partial]));
    for (const chunk of chunks) splitter.push(chunk);
    splitter.flush();
    return lines;
  }

  it("joins lines across chunk boundaries, drops \\r before \\n and flushes the last partial line", () => {
    const bytes = Buffer.from("a\r\nbé\n\nc\rd\né€x", "utf8");
    const expected: Array<[string, boolean]> = [
      ["a", false],
      ["bé", false],
      ["", false],
      ["c\rd", false],
      ["é€x", true],
    ];
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(split([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected);
    }
    expect(split([...bytes].map((byte) => Buffer.from([byte])))).toEqual(expected);
  });

  it("adds no partial line when the stream ends with a line break", () => {
    expect(split([Buffer.from("x\n")])).toEqual([["x", false]]);
  });
});
