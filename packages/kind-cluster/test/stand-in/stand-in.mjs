#!/usr/bin/env node
// A stand-in for the `kind` and `docker` executables (the first argument, given by the sh
// launchers test/stand-in.ts writes). It records its argv, keeps clusters as files in STAND_IN_STATE, and plays back what real kind
// v0.31.0 and Docker print, including the failure chosen by STAND_IN_FAILURE.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const tool = process.argv[2];
const args = process.argv.slice(3);
const env = process.env;
const state = env.STAND_IN_STATE;
const failure = env.STAND_IN_FAILURE ?? "";
const clustersDir = join(state, "clusters");
mkdirSync(clustersDir, { recursive: true });

let input = "";
if (tool === "docker" && args[0] === "exec") input = readFileSync(0, "utf8");
appendFileSync(env.STAND_IN_LOG, `${JSON.stringify({ tool, args, ...(input ? { input } : {}) })}\n`);

const out = (text) => process.stdout.write(text);
const err = (text) => process.stderr.write(text);
const flag = (name) => {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
};
const clusters = () => readdirSync(clustersDir);
const DOCKER_DOWN =
  "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n";

// Real kind writes an https server with certificate-authority-data; the tests' API server is plain
// HTTP, which client-node only accepts with insecure-skip-tls-verify.
function writeKubeconfig(path, name) {
  const server = env.STAND_IN_API_SERVER ?? "https://127.0.0.1:40123";
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters:
- cluster:
    server: ${server}
    insecure-skip-tls-verify: true
  name: kind-${name}
contexts:
- context:
    cluster: kind-${name}
    user: kind-${name}
  name: kind-${name}
current-context: kind-${name}
users:
- name: kind-${name}
  user:
    token: stand-in-token
`,
  );
}

async function waitForRelease() {
  const file = env.STAND_IN_HOLD_UNTIL_FILE;
  if (!file) return;
  const deadline = Date.now() + 10_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) {
      err("ERROR: stand-in was never released\n");
      process.exit(3);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function kind() {
  const command = args.slice(0, 2).join(" ");
  if (args[0] === "version") {
    out(`kind ${env.STAND_IN_KIND_VERSION ?? "v0.31.0"} go1.25.5 linux/amd64\n`);
    return 0;
  }
  if (failure === "docker-not-running" && args[0] !== "version") {
    err(
      `ERROR: failed to list clusters: command "docker ps -a --filter label=io.x-k8s.kind.cluster --format '{{.Label "io.x-k8s.kind.cluster"}}'" failed with error: exit status 1\nCommand Output: ${DOCKER_DOWN}`,
    );
    return 1;
  }
  if (command === "get clusters") {
    const names = clusters();
    if (names.length === 0) err("No kind clusters found.\n");
    else out(`${names.join("\n")}\n`);
    return 0;
  }
  const name = flag("--name") ?? "kind";
  if (command === "get nodes") {
    if (existsSync(join(clustersDir, name))) out(`${name}-control-plane\n`);
    else err(`No kind nodes found for cluster "${name}".\n`);
    return 0;
  }
  if (command === "export kubeconfig") {
    if (!existsSync(join(clustersDir, name))) {
      err(
        `ERROR: could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster\n`,
      );
      return 1;
    }
    writeKubeconfig(flag("--kubeconfig"), name);
    err(`Set kubectl context to "kind-${name}"\n`);
    return 0;
  }
  if (command === "delete cluster") {
    err(`Deleting cluster "${name}" ...\n`);
    if (existsSync(join(clustersDir, name))) {
      rmSync(join(clustersDir, name));
      err(`Deleted nodes: ["${name}-control-plane"]\n`);
    }
    return 0;
  }
  if (command === "create cluster") {
    if (existsSync(join(clustersDir, name)) || failure === "already-exists") {
      err(`ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"\n`);
      return 1;
    }
    const image = flag("--image") ?? "kindest/node:v1.35.0";
    const config = flag("--config");
    if (config) writeFileSync(join(state, `config-${name}.yaml`), readFileSync(config));
    err(`Creating cluster "${name}" ...\n`);
    err(` • Ensuring node image (${image}) 🖼  ...\n`);
    await waitForRelease();
    if (failure === "image-pull-failed") {
      err(` ✗ Ensuring node image (${image}) 🖼\n`);
      err(
        `ERROR: failed to create cluster: failed to pull image "${image}": command "docker pull ${image}" failed with error: exit status 1\nCommand Output: Error response from daemon: manifest for ${image} not found: manifest unknown: manifest unknown\n`,
      );
      return 1;
    }
    err(` ✓ Ensuring node image (${image}) 🖼\n`);
    err(" • Preparing nodes 📦   ...\n");
    if (failure === "port-in-use") {
      err(" ✗ Preparing nodes 📦 \n");
      err(`Deleted nodes: ["${name}-control-plane"]\n`);
      err(
        `ERROR: failed to create cluster: command "docker run --name ${name}-control-plane --hostname ${name}-control-plane --label io.x-k8s.kind.role=control-plane --privileged --restart=on-failure:1 --net kind --label io.x-k8s.kind.cluster=${name} --publish=0.0.0.0:8080:80/TCP --publish=127.0.0.1:39017:6443/TCP -e KUBECONFIG=/etc/kubernetes/admin.conf ${image}" failed with error: exit status 125\nCommand Output: 5b0f0e3c1d7a9a55bd1cf1b5a4d3e1f0a7c2b8e6d4f1a3c5e7b9d0f2a4c6e8b0\ndocker: Error response from daemon: driver failed programming external connectivity on endpoint ${name}-control-plane (2f3d9b1c7e5a4d6f8b0c2e4a6d8f0b2c4e6a8d0f2b4c6e8a0d2f4b6c8e0a2d4f): Bind for 0.0.0.0:8080 failed: port is already allocated.\n`,
      );
      return 1;
    }
    err(" ✓ Preparing nodes 📦 \n");
    err(" • Writing configuration 📜  ...\n ✓ Writing configuration 📜\n");
    err(" • Starting control-plane 🕹️  ...\n ✓ Starting control-plane 🕹️\n");
    err(" • Installing CNI 🔌  ...\n ✓ Installing CNI 🔌\n");
    err(" • Installing StorageClass 💾  ...\n ✓ Installing StorageClass 💾\n");
    err(" • Waiting ≤ 1m0s for control-plane = Ready ⏳  ...\n ✓ Waiting ≤ 1m0s for control-plane = Ready ⏳\n");
    err(" • Ready after 16s 💚\n");
    writeFileSync(join(clustersDir, name), "running");
    writeKubeconfig(flag("--kubeconfig"), name);
    err(`Set kubectl context to "kind-${name}"\nYou can now use your cluster with:\n\n`);
    err(
      `kubectl cluster-info --context kind-${name} --kubeconfig ${flag("--kubeconfig")}\n\nThanks for using kind! 😊\n`,
    );
    return 0;
  }
  err(`ERROR: unknown command "${args.join(" ")}" for "kind"\n`);
  return 1;
}

function docker() {
  if (failure === "docker-not-running") {
    err(DOCKER_DOWN);
    return 1;
  }
  if (args[0] === "inspect") {
    const format = flag("--format");
    const targets = args.slice(3);
    const registryFile = join(state, "registry");
    if (format.includes("State.Status")) {
      const lines = [];
      for (const target of targets) {
        const cluster = target.replace(/-control-plane$/, "");
        const file = join(clustersDir, cluster);
        if (!existsSync(file)) {
          err(`Error response from daemon: No such object: ${target}\n`);
          return 1;
        }
        lines.push(`/${target} ${readFileSync(file, "utf8").trim()}`);
      }
      out(`${lines.join("\n")}\n`);
      return 0;
    }
    if (!existsSync(registryFile)) {
      err(`Error response from daemon: No such object: ${targets[0]}\n`);
      return 1;
    }
    if (format.includes("Networks")) {
      out(existsSync(join(state, "registry-on-kind-network")) ? "0xc000123456\n" : "<no value>\n");
    } else {
      out("true\n");
    }
    return 0;
  }
  if (args[0] === "run") {
    writeFileSync(join(state, "registry"), "running");
    out("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90\n");
    return 0;
  }
  if (args[0] === "network" && args[1] === "connect") {
    writeFileSync(join(state, "registry-on-kind-network"), "yes");
    return 0;
  }
  if (args[0] === "exec" || args[0] === "start") return 0;
  err(`docker: '${args[0]}' is not a docker command.\n`);
  return 1;
}

process.exitCode = tool === "kind" ? await kind() : docker();
