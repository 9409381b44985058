import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { buildPrPodScript, PR_POD_EXIT_CODES } from "../src/index.ts";
import { POD_SCRIPT_SOURCE } from "../src/pod-script.generated.ts";

const shPath = new URL("../src/pod-script.sh", import.meta.url);

describe("the embedded pod script", () => {
  it("is exactly src/pod-script.sh (run scripts/embed-pod-script.mjs after editing it)", async () => {
    expect(POD_SCRIPT_SOURCE).toBe(await readFile(shPath, "utf8"));
  });

  it("uses the exit codes of PR_POD_EXIT_CODES, and no others", () => {
    const inScript = Object.fromEntries(
      [...POD_SCRIPT_SOURCE.matchAll(/^EXIT_([A-Z_]+)=(\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    expect(inScript).toEqual(Object.fromEntries(PR_POD_EXIT_CODES.map((e) => [e.name, e.code])));
  });

  it("splices in file-verifier's snippet for the requested files", () => {
    const script = buildPrPodScript({ verify: ["go.mod", "cmd/**/main.go"] });
    expect(script).not.toContain("@@VERIFY_FILES_SNIPPET@@");
    expect(script).toContain("pr_pod_verify_one required 'go.mod' ''");
    expect(script).toContain("pr_pod_verify_one required 'cmd/**/main.go' '^cmd/(.*/)?main\\.go$'");
    expect(script).not.toContain("'package.json'");
  });
});
