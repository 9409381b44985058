import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRedactingTransform, createStreamRedactor, REDACTED, redactor, tokenForms } from "../src/index.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const b64url = (s: string) => Buffer.from(s).toString("base64url");

/** Every way the test token might show up, for the leak checks. */
function leaks(output: string, token = TOKEN): string[] {
  return tokenForms(token).filter((form) => output.includes(form));
}

describe("redactor", () => {
  const redact = redactor(TOKEN);

  it("removes the raw token from a git URL and an Authorization header", () => {
    expect(redact(`fatal: unable to access 'https://x-access-token:${TOKEN}@github.com/o/r.git/'`)).toBe(
      `fatal: unable to access 'https://x-access-token:${REDACTED}@github.com/o/r.git/'`,
    );
    expect(redact(`Authorization: token ${TOKEN}`)).toBe(`Authorization: token ${REDACTED}`);
  });

  it("removes base64 of the token alone and of basic-auth pairs with any user name", () => {
    for (const user of ["x-access-token", "git", "a", "ab", "abc", "monalisa"]) {
      const header = `Authorization: Basic ${b64(`${user}:${TOKEN}`)}`;
      const out = redact(header);
      expect(out).toContain(REDACTED);
      expect(leaks(out)).toEqual([]);
      // What is left cannot be decoded back to the token.
      expect(Buffer.from(out.split(" ").pop()!, "base64").toString()).not.toContain(TOKEN);
    }
    expect(redact(b64(TOKEN))).not.toContain(b64(TOKEN).slice(4, 40));
  });

  it("removes base64url, URL-encoded and hex forms", () => {
    const odd = "ghp_a+b/c?d=e&f%g~~~~>>>>????";
    const r = redactor(odd);
    for (const form of [b64url(odd), encodeURIComponent(odd), Buffer.from(odd).toString("hex"), b64url(`u:${odd}`)]) {
      expect(leaks(r(`x ${form} y`), odd)).toEqual([]);
    }
  });

  it("handles several tokens and ignores empty ones", () => {
    const other = "github_pat_11AAAAAAA0testtesttesttest_testtesttesttesttesttesttest";
    const r = redactor([TOKEN, "", other]);
    expect(r(`${TOKEN} and ${other}`)).toBe(`${REDACTED} and ${REDACTED}`);
    expect(redactor("")("nothing to hide")).toBe("nothing to hide");
  });
});

describe("streaming redaction", () => {
  const forms = [
    TOKEN,
    b64(TOKEN),
    b64(`x-access-token:${TOKEN}`),
    b64(`u:${TOKEN}`),
    b64url(`ab:${TOKEN}`),
    encodeURIComponent(TOKEN),
  ];
  const document = fc
    .array(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...forms)), { maxLength: 12 })
    .map((parts) => parts.join(""));
  const cuts = fc.array(fc.nat({ max: 400 }), { maxLength: 30 });

  function splitAt(textValue: string, positions: number[]): string[] {
    const sorted = [...new Set(positions.map((p) => p % (textValue.length + 1)))].sort((a, b) => a - b);
    const pieces: string[] = [];
    let start = 0;
    for (const p of sorted) {
      pieces.push(textValue.slice(start, p));
      start = p;
    }
    pieces.push(textValue.slice(start));
    return pieces;
  }

  it("never lets the token through, however the text is chunked, and loses nothing else", () => {
    fc.assert(
      fc.property(document, cuts, (input, positions) => {
        const stream = createStreamRedactor(TOKEN);
        const out =
          splitAt(input, positions)
            .map((piece) => stream.push(piece))
            .join("") + stream.flush();
        expect(leaks(out)).toEqual([]);
        expect(out).toBe(redactor(TOKEN)(input));
      }),
      { numRuns: 400 },
    );
  });

  it("a Transform redacts a token split across byte chunks, even mid-UTF-8 character", async () => {
    const bytes = Buffer.from(`héllo ${TOKEN} wörld ${b64(`x-access-token:${TOKEN}`)} end`);
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const out = await text(Readable.from(chunks).pipe(createRedactingTransform(TOKEN)));
    expect(out.startsWith("héllo *** wörld ")).toBe(true);
    expect(out.endsWith(" end")).toBe(true);
    expect(leaks(out)).toEqual([]);
  });
});
