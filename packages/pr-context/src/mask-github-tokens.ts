// Error messages here echo the bad value so people can see it. A value can hold a credential by
// mistake (a token pasted as a branch name, a clone URL with user:token@), so every message is
// passed through this mask first. It needs no knowledge of the token: it removes URL credentials and
// anything shaped like a GitHub token (https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/),
// raw or inside base64, base64url, hex or percent-encoding.

const TOKEN_SHAPE = /(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{6,}/;
const TOKEN_SHAPE_GLOBAL = new RegExp(TOKEN_SHAPE.source, "g");
const MASK = "***";

function hidesToken(decoded: string): boolean {
  return TOKEN_SHAPE.test(decoded);
}

function base64HidesToken(run: string): boolean {
  const standard = run.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  for (let offset = 0; offset < 4; offset++) {
    if (hidesToken(Buffer.from(standard.slice(offset), "base64").toString("latin1"))) return true;
  }
  return false;
}

function hexHidesToken(run: string): boolean {
  return [0, 1].some((offset) => hidesToken(Buffer.from(run.slice(offset), "hex").toString("latin1")));
}

function percentHidesToken(run: string): boolean {
  try {
    return hidesToken(decodeURIComponent(run));
  } catch {
    return false;
  }
}

/** Replaces URL credentials and GitHub-token-shaped text (in any common encoding) with "***". */
export function maskGitHubTokens(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s"']*@/gi, `$1${MASK}@`)
    .replace(TOKEN_SHAPE_GLOBAL, MASK)
    .replace(/(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9_.~-])*%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9_.~-])*/g, (run) =>
      percentHidesToken(run) ? MASK : run,
    )
    .replace(/[0-9A-Fa-f]{16,}/g, (run) => (hexHidesToken(run) ? MASK : run))
    .replace(/[A-Za-z0-9+/_-]{12,}={0,2}/g, (run) => (base64HidesToken(run) ? MASK : run));
}
