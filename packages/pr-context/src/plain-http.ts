// Whether a run's token would cross the network in the clear: a clone URL with plain `http://` to a
// host other than this machine's loopback. pr-pod clones such a URL as it is (a plain-HTTP git
// server inside a company network is real), and only says so once.
import type { PullRequestContext } from "./pull-request-context.ts";

/** 127.0.0.0/8, localhost, [::1] (a URL's hostname keeps IPv6 brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return name === "localhost" || name === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** The plain-http, non-loopback host of a clone URL, else undefined. */
function plainHttpHost(cloneUrl: string): string | undefined {
  try {
    const url = new URL(cloneUrl);
    return url.protocol === "http:" && !isLoopbackHost(url.hostname) ? url.host : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One warning for a run whose pod sends the token to a plain-http git server off this machine, else
 * undefined. Both clone URLs are looked at; a host is named once.
 */
export function plainHttpTokenWarning(
  context: Pick<PullRequestContext, "headCloneUrl" | "baseCloneUrl">,
): string | undefined {
  const hosts = [...new Set([context.headCloneUrl, context.baseCloneUrl].flatMap((url) => plainHttpHost(url) ?? []))];
  if (hosts.length === 0) return undefined;
  return `the token will be sent over plain HTTP to ${hosts.join(" and ")}, readable by anyone on the network path: use an https:// clone URL (git remote set-url, or --clone-url) unless that network is trusted`;
}
