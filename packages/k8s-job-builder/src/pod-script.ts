// The script the PR pod runs: pod-script.sh (embedded) with file-verifier's snippet spliced in. Pure.
import { buildVerifyFilesScript, type FileSpec } from "@pr-pod/file-verifier";
import { POD_SCRIPT_SOURCE } from "./pod-script.generated.ts";

const SNIPPET_PLACEHOLDER = "# @@VERIFY_FILES_SNIPPET@@";

export interface PrPodScriptOptions {
  /** Files that must (and may) exist in the clone. Default: package.json, README.md, Dockerfile. */
  verify?: FileSpec | readonly string[];
}

/** The whole POSIX sh program; run as `sh -c <script>` with the env from `prPodScriptEnv`. */
export function buildPrPodScript(options: PrPodScriptOptions = {}): string {
  const snippet = buildVerifyFilesScript(options.verify);
  return POD_SCRIPT_SOURCE.replace(SNIPPET_PLACEHOLDER, () => snippet.trimEnd());
}
