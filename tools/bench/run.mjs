// Builds the bench (and the small programs it starts as child processes) from TypeScript with esbuild,
// then runs it. Workspace packages are bundled from their src/ through the "@pr-pod/source" export
// condition, so the bench measures the code in the checkout without waiting for a build; everything from
// node_modules stays external and loads as it would for a user.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { bundleAliases, clientNodeTreeShaking, nodeHttpThroughRequire } from "../bundle/bundle-dependencies.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "dist");

/** Bundle @pr-pod/* (from source), leave every other bare import to Node. */
const externalDependencies = {
  name: "external-dependencies",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@pr-pod/") || args.path.startsWith("node:")) return undefined;
      return { path: args.path, external: true };
    });
  },
};

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["@pr-pod/source"],
  // Dynamic imports become their own files, so a child can say "started" before its libraries load.
  splitting: true,
  outExtension: { ".js": ".mjs" },
  banner: {
    js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
};

await build({
  ...common,
  entryPoints: {
    main: join(here, "src/main.ts"),
    "pr-pod-run": join(here, "src/children/pr-pod-run.ts"),
    "follow-logs": join(here, "src/children/follow-logs.ts"),
  },
  outdir,
  plugins: [externalDependencies],
  sourcemap: "inline",
});

// The same pr-pod child with every dependency bundled in (as the action ships), to show what loading
// @kubernetes/client-node's many files from node_modules costs a process.
await build({
  ...common,
  entryPoints: { "pr-pod-run": join(here, "src/children/pr-pod-run.ts") },
  outdir: join(outdir, "bundled"),
  mainFields: ["module", "main"],
  minify: true,
  alias: bundleAliases,
  plugins: [clientNodeTreeShaking, nodeHttpThroughRequire],
});

// A machine whose NODE_EXTRA_CA_CERTS names a CA bundle (this one sets it for its proxy) makes Node 20
// read and parse that file at every process start, before any code runs: about 45 ms of each pr-pod
// start here, which kubectl never pays and a machine without the variable does not either. The bench
// and every Node process it starts run without it (the test cluster's CA comes from the kubeconfig),
// and its report says so (machine.nodeExtraCaCertsUnset).
const env = { ...process.env };
if (env.NODE_EXTRA_CA_CERTS) {
  delete env.NODE_EXTRA_CA_CERTS;
  env.BENCH_NODE_EXTRA_CA_CERTS_UNSET = "1";
}

// The log-throughput figure keeps up to 1 GB of log lines inside the test cluster in this process.
const child = spawn(
  process.execPath,
  ["--max-old-space-size=8192", "--enable-source-maps", join(outdir, "main.mjs"), ...process.argv.slice(2)],
  { stdio: "inherit", env },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
