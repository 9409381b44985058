export type { DaemonProcess } from "./daemon-process.ts";
export type { DockerTools } from "./docker-tools.ts";
export {
  defaultDockerPrefix,
  dockerToolsAt,
  dockerToolsMissing,
  findDockerTools,
  realBuildsSkipReason,
} from "./docker-tools.ts";
export type { DockerCommandResult, TestDockerEngine } from "./test-docker-engine.ts";
export { freeLoopbackPort, runDocker, startTestDockerEngine } from "./test-docker-engine.ts";
export type { RegistryCredentials, TestRegistry } from "./test-registry.ts";
export { startTestRegistry } from "./test-registry.ts";
