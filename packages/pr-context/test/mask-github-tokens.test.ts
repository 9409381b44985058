import { describe, expect, it } from "vitest";
import { maskGitHubTokens, PrContextError } from "../src/index.ts";

const TOKEN = "ghp_leakleakleakleakleakleakleakleak9876";
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("maskGitHubTokens", () => {
  it.each([
    ["raw", TOKEN],
    ["base64", b64(TOKEN)],
    ["base64 of x-access-token:<token>", b64(`x-access-token:${TOKEN}`)],
    ["base64 of ab:<token>", b64(`ab:${TOKEN}`)],
    ["base64url of u:<token>", Buffer.from(`u:${TOKEN}`).toString("base64url")],
    ["hex", Buffer.from(TOKEN).toString("hex")],
    ["percent-encoded", `%67%68%70%5F${TOKEN.slice(4)}`],
    ["fine-grained", "github_pat_11AAAAAAA0testtesttesttest_testtesttest"],
  ])("removes a token given %s", (_, form) => {
    const masked = maskGitHubTokens(`value ${form} end`);
    expect(masked).toBe("value *** end");
  });

  it("removes credentials from URLs", () => {
    expect(maskGitHubTokens("https://x-access-token:anything@github.com/o/r.git")).toBe(
      "https://***@github.com/o/r.git",
    );
  });

  it("keeps ordinary values: branches, SHAs, repo names", () => {
    for (const value of [
      "feature/login",
      "6dcb09b5b57875f334f61aebed695e2e4193db5e",
      "refs/heads/feature/AddLogin2FAForUsersWithLongNames",
      "octo-org/hello-world",
      "https://github.com/octo-org/hello-world.git",
      "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    ]) {
      expect(maskGitHubTokens(value)).toBe(value);
    }
  });

  it("is applied to every PrContextError message", () => {
    expect(new PrContextError("INVALID_REF", `invalid head ref "${TOKEN}"`).message).toBe('invalid head ref "***"');
  });
});
