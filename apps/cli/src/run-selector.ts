// `--repo --pr | --all` for status and cleanup: which runs a command is about.
import { CliError } from "./cli-error.ts";

export interface SelectorFlags {
  repo?: string;
  pr?: number;
  all?: boolean;
}

export interface RunFilter {
  owner?: string;
  repo?: string;
  number?: number;
}

/** The label filter for the flags; cleanup refuses to guess "everything" without --all. */
export function cleanupSelector(
  flags: SelectorFlags,
  options: { allowEverything: boolean },
): { filter: RunFilter; description: string } {
  if (flags.pr !== undefined && (!Number.isSafeInteger(flags.pr) || flags.pr < 1)) {
    throw new CliError("USAGE", `--pr ${flags.pr} is not a pull request number`, {
      fix: "pass a whole number, 1 or more",
    });
  }
  if (flags.pr !== undefined && !flags.repo) {
    throw new CliError("USAGE", "--pr needs --repo: PR numbers are per repository", { fix: "add --repo owner/name" });
  }
  if (flags.all && flags.repo) {
    throw new CliError("USAGE", "--all and --repo do not go together", { fix: "pass one of them" });
  }
  if (!flags.repo) {
    if (!flags.all && !options.allowEverything) {
      throw new CliError("USAGE", "which runs? pass --repo owner/name [--pr N], or --all", {
        fix: "pr-pod cleanup --repo owner/name --pr 123, or pr-pod cleanup --all to remove every pr-pod object in the namespace",
      });
    }
    return { filter: {}, description: "" };
  }
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(flags.repo);
  if (!match) {
    throw new CliError("USAGE", `--repo ${JSON.stringify(flags.repo)} is not owner/name`, {
      fix: "pass it as it appears in the GitHub URL, e.g. --repo octo/app",
    });
  }
  const filter: RunFilter = { owner: match[1], repo: match[2] };
  if (flags.pr !== undefined) filter.number = flags.pr;
  return { filter, description: `${flags.repo}${flags.pr !== undefined ? `#${flags.pr}` : ""}` };
}
