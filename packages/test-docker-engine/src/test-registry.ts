// A loopback OCI registry per test run: distribution 2.8 (`docker-registry serve`) with its own config and
// storage, optionally behind htpasswd basic auth (bcrypt, as distribution requires).
// https://distribution.github.io/distribution/about/configuration/
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { type DaemonProcess, startDaemon } from "./daemon-process.ts";
import { type DockerTools, findDockerTools } from "./docker-tools.ts";
import { freeLoopbackPort } from "./test-docker-engine.ts";

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`, the host part of image references. */
  readonly host: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pidFile: string;
  readonly credentials?: RegistryCredentials;
  /** A `kubernetes.io/dockerconfigjson` Secret's `.dockerconfigjson` value for this registry. */
  dockerConfigJson(): string;
  /** The registry's `Docker-Content-Digest` for a tag or digest (any manifest or index media type). */
  manifestDigest(repository: string, reference: string): Promise<string | undefined>;
  /** The manifest (or index) body as JSON. */
  manifest(repository: string, reference: string): Promise<unknown>;
  /** A blob's bytes (layers, image configs). */
  blob(repository: string, digest: string): Promise<Buffer>;
  /** What the registry logged (errors with their cause), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export async function startTestRegistry(
  options: { tools?: DockerTools; credentials?: RegistryCredentials } = {},
): Promise<TestRegistry> {
  const tools = options.tools ?? findDockerTools();
  const root = await mkdtemp(join(tmpdir(), "prpr-"));
  const port = await freeLoopbackPort();
  const host = `127.0.0.1:${port}`;
  const { credentials } = options;
  const config = [
    "version: 0.1",
    "log:",
    "  level: info",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${JSON.stringify(join(root, "data"))}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: ${host}`,
  ];
  if (credentials) {
    await writeFile(join(root, "htpasswd"), `${credentials.username}:${bcrypt.hashSync(credentials.password, 5)}\n`);
    config.push(
      "auth:",
      "  htpasswd:",
      "    realm: pr-pod-test-registry",
      `    path: ${JSON.stringify(join(root, "htpasswd"))}`,
    );
  }
  await writeFile(join(root, "config.yml"), `${config.join("\n")}\n`);
  const pidFile = join(root, "registry.pid");
  let daemon: DaemonProcess;
  try {
    daemon = await startDaemon({
      name: "docker-registry",
      command: tools.registry,
      args: ["serve", join(root, "config.yml")],
      env: { PATH: "/usr/bin:/bin", HOME: root },
      pidFile,
      writePidFile: true,
      ready: /listening on/,
    });
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const url = `http://${host}`;
  const authHeader: Record<string, string> = credentials
    ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}` }
    : {};
  const get = async (path: string, accept?: string) => {
    const response = await fetch(`${url}${path}`, { headers: { ...authHeader, ...(accept ? { accept } : {}) } });
    return response;
  };
  return {
    host,
    url,
    pidFile,
    ...(credentials ? { credentials } : {}),
    dockerConfigJson() {
      const auths: Record<string, { auth: string }> = {};
      if (credentials) {
        auths[host] = { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64") };
      }
      return JSON.stringify({ auths });
    },
    async manifestDigest(repository, reference) {
      const response = await get(`/v2/${repository}/manifests/${reference}`, MANIFEST_TYPES);
      await response.arrayBuffer();
      return response.ok ? (response.headers.get("docker-content-digest") ?? undefined) : undefined;
    },
    async manifest(repository, reference) {
      const response = await get(`/v2/${repository}/manifests/${reference}`, MANIFEST_TYPES);
      if (!response.ok) throw new Error(`GET manifest ${repository}:${reference}: HTTP ${response.status}`);
      return response.json();
    },
    async blob(repository, digest) {
      const response = await get(`/v2/${repository}/blobs/${digest}`);
      if (!response.ok) throw new Error(`GET blob ${repository}@${digest}: HTTP ${response.status}`);
      return Buffer.from(await response.arrayBuffer());
    },
    log: () => daemon.log(),
    async stop() {
      await daemon.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
