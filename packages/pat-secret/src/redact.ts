// Removes a token from text in every form that tools are known to print it in: raw (git URLs,
// "Authorization: token ..."), URL-encoded, hex, and base64/base64url, including base64 of a longer
// string such as the "x-access-token:<token>" or "<user>:<token>" that HTTP basic auth and git's
// http.extraHeader carry. Base64 of a token inside a longer string depends on the token's offset
// modulo 3, so each of the three alignments contributes the characters that come only from the token.

import { Transform } from "node:stream";
import { StringDecoder } from "node:string_decoder";

export const REDACTED = "***";
/** Forms shorter than this are not matched: they would redact ordinary text. */
const MIN_FORM_LENGTH = 6;

function base64Cores(token: Buffer): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), token]).toString("base64");
    const bits = (offset + token.length) * 8;
    const first = Math.ceil((offset * 8) / 6);
    const end = Math.floor(bits / 6);
    cores.push(encoded.slice(first, end));
  }
  return cores;
}

/** Every string the token could appear as. Longest first, so a longer form wins over its pieces. */
export function tokenForms(token: string): string[] {
  if (!token) return [];
  const bytes = Buffer.from(token, "utf8");
  const forms = new Set<string>([token]);
  forms.add(encodeURIComponent(token));
  forms.add(encodeURI(token));
  forms.add(JSON.stringify(token).slice(1, -1));
  forms.add(bytes.toString("hex"));
  forms.add(bytes.toString("hex").toUpperCase());
  for (const core of base64Cores(bytes)) {
    forms.add(core);
    forms.add(core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return [...forms]
    .filter((form) => form === token || form.length >= MIN_FORM_LENGTH)
    .sort((a, b) => b.length - a.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function formsPattern(tokens: readonly string[]): { pattern: RegExp | undefined; longest: number } {
  const forms = [...new Set(tokens.flatMap(tokenForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return { pattern: undefined, longest: 0 };
  return { pattern: new RegExp(forms.map(escapeRegExp).join("|"), "g"), longest: forms[0]!.length };
}

/** Returns a function that replaces every form of the token(s) with "***". Empty tokens are ignored. */
export function redactor(tokens: string | readonly string[]): (text: string) => string {
  const { pattern } = formsPattern(typeof tokens === "string" ? [tokens] : tokens);
  if (!pattern) return (text) => text;
  return (text) => text.replace(pattern, REDACTED);
}

/**
 * Redacts a stream of text pieces. Holds back the last (longest form - 1) characters of what it has
 * seen, because a token split across two pieces is only recognisable once both have arrived.
 */
export interface StreamRedactor {
  /** Feed a piece; returns the text that is now safe to print (may be ""). */
  push(piece: string): string;
  /** End of stream: returns whatever was held back, redacted. */
  flush(): string;
}

export function createStreamRedactor(tokens: string | readonly string[]): StreamRedactor {
  const { pattern, longest } = formsPattern(typeof tokens === "string" ? [tokens] : tokens);
  const hold = Math.max(0, longest - 1);
  let pending = "";
  return {
    push(piece) {
      if (!pattern) return piece;
      pending += piece;
      if (pending.length <= hold) return "";
      // A match that reaches into the held tail is complete only if it ends inside `pending`; any
      // form that could still grow is shorter than `hold` and starts inside the tail.
      let safeEnd = pending.length - hold;
      let out = "";
      let last = 0;
      pattern.lastIndex = 0;
      for (let m = pattern.exec(pending); m; m = pattern.exec(pending)) {
        if (m.index >= safeEnd) break;
        out += pending.slice(last, m.index) + REDACTED;
        last = m.index + m[0].length;
        if (last > safeEnd) safeEnd = last;
      }
      out += pending.slice(last, safeEnd);
      pending = pending.slice(safeEnd);
      return out;
    },
    flush() {
      const rest = pattern ? pending.replace(pattern, REDACTED) : pending;
      pending = "";
      return rest;
    },
  };
}

/** A Transform stream (bytes or strings in, UTF-8 strings out) that never lets a token through. */
export function createRedactingTransform(tokens: string | readonly string[]): Transform {
  const redact = createStreamRedactor(tokens);
  const decoder = new StringDecoder("utf8");
  return new Transform({
    decodeStrings: false,
    encoding: "utf8",
    transform(chunk: Buffer | string, _encoding, callback) {
      const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
      const out = redact.push(text);
      callback(null, out || undefined);
    },
    flush(callback) {
      const out = redact.push(decoder.end()) + redact.flush();
      callback(null, out || undefined);
    },
  });
}
