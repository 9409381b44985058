// pr-pod's programmatic surface: the exit code table and the kubeconfig lookup the CLI uses.
// To run a PR pod from code, use @pr-pod/runner's runPrPod; this package is its command line.
export { CliError, type CliErrorCode } from "./cli-error.ts";
export { exitCodeForError } from "./exit-code-for-error.ts";
export { EXIT_CODES, type ExitCode, type ExitCodeName } from "./exit-codes.ts";
export {
  chooseKubeconfig,
  type KubeconfigChoice,
  type KubeconfigLookup,
  type KubeconfigSource,
  type LoadedKubeConfig,
  loadKubeConfig,
} from "./kubeconfig.ts";
