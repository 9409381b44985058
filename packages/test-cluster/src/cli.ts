#!/usr/bin/env node
// `test-cluster`: starts a test cluster, prints its kubeconfig path, serves until SIGINT/SIGTERM.
import { Command, Option } from "commander";
import { startTestCluster } from "./start-test-cluster.ts";

const program = new Command()
  .name("test-cluster")
  .description("An in-process Kubernetes API server for tests; prints the kubeconfig path and serves until Ctrl-C.")
  .addOption(new Option("--runtime <runtime>", "what runs pods").choices(["host", "scripted"]).default("host"))
  .option("--http", "serve plain HTTP instead of HTTPS", false)
  .option("--port <port>", "port to listen on (0: any free port)", "0")
  .option("--host <host>", "interface to listen on", "127.0.0.1")
  .option("--namespace <name...>", "extra namespaces to create")
  .option("--kubeconfig-dir <dir>", "where to write the kubeconfig files (default: a temp folder)");

program.parse();
const opts = program.opts<{
  runtime: "host" | "scripted";
  http: boolean;
  port: string;
  host: string;
  namespace?: string[];
  kubeconfigDir?: string;
}>();
const port = Number(opts.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`test-cluster: --port ${opts.port} is not a port number; use 0 for any free port`);
  process.exit(2);
}

const cluster = await startTestCluster({
  runtime: opts.runtime,
  http: opts.http,
  port,
  host: opts.host,
  ...(opts.namespace ? { namespaces: opts.namespace } : {}),
  ...(opts.kubeconfigDir ? { kubeconfigDir: opts.kubeconfigDir } : {}),
});
process.stdout.write(`${cluster.kubeconfigPath}\n`);
console.error(`test-cluster: serving ${cluster.url} (${opts.runtime} runtime); Ctrl-C stops it`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.error(`test-cluster: ${signal}, stopping`);
  cluster.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`test-cluster: close failed: ${error}`);
      process.exit(1);
    },
  );
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
