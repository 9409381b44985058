export type { PrPodExitCode } from "./exit-codes.ts";
export { describePrPodExitCode, PR_POD_EXIT_CODES } from "./exit-codes.ts";
export type { PrPodScriptOptions } from "./pod-script.ts";
export { buildPrPodScript } from "./pod-script.ts";
