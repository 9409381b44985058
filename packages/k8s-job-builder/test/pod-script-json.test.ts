// The script builds its report without jq: its JSON string escaping, checked against JSON.parse on
// arbitrary text (quotes, backslashes, every control character, multi-byte UTF-8), under busybox sh and dash.
import { execFile } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { POD_SCRIPT_SOURCE } from "../src/pod-script.generated.ts";

const helpers = POD_SCRIPT_SOURCE.slice(
  POD_SCRIPT_SOURCE.indexOf("# --- small helpers"),
  POD_SCRIPT_SOURCE.indexOf("# @@VERIFY_FILES_SNIPPET@@"),
);

function jsonString(shell: string[], value: string): Promise<string> {
  // Under busybox, busybox's own awk too, as in docker:24-git.
  const awk = shell[0] === "busybox" ? 'awk() { busybox awk "$@"; }\n' : "";
  const program = `${awk}${helpers}\npr_pod_json_str "$1"`;
  return new Promise((resolve, reject) =>
    execFile(shell[0]!, [...shell.slice(1), "-c", program, "json", value], (error, stdout, stderr) =>
      error ? reject(new Error(stderr)) : resolve(stdout),
    ),
  );
}

const awkward = fc
  .array(
    fc.oneof(
      fc.integer({ min: 1, max: 31 }).map((code) => String.fromCharCode(code)),
      fc.constantFrom('"', "\\", "/", "'", "$", "`", "%", "%s", "\u007f", "ñ", "€", "😀", "é\u0301"),
      fc.string({ maxLength: 5 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));

describe("pr_pod_json_str", () => {
  for (const shell of [["busybox", "sh"], ["dash"]]) {
    it(`round-trips any text through JSON.parse under ${shell.join(" ")}`, async () => {
      await fc.assert(
        fc.asyncProperty(awkward, async (value) => {
          expect(JSON.parse(await jsonString(shell, value))).toBe(value);
        }),
        { numRuns: 60 },
      );
    });
  }
});
