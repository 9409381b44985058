// One keep-alive HTTPS agent per KubeConfig and cluster, so that a run's requests (typed API
// clients, watches, log streams) reuse TLS connections instead of opening one per request.
// client-node 1.4 builds a new `https.Agent` for every request (KubeConfig.applyToHTTPSOptions and
// applySecurityAuthentication each call createAgent), and a fresh agent never reuses a socket.
// The view returned here is the same KubeConfig with those two methods swapping that agent for a
// shared one with the same TLS options; proxy agents (cluster.proxyUrl) are left as they are.
import https from "node:https";
import tls from "node:tls";
import type { KubeConfig } from "@kubernetes/client-node";

type AgentHolder = { agent?: unknown };
type RequestContextLike = { getAgent(): unknown; setAgent(agent: https.Agent): void };

const views = new WeakMap<KubeConfig, KubeConfig>();
const isView = new WeakSet<KubeConfig>();

/**
 * The same KubeConfig, with every HTTPS request it sets up going through one keep-alive agent per
 * cluster and TLS settings. Use it for `makeApiClient`, `new Watch(...)` and `applyToHTTPSOptions`
 * alike. Cached per KubeConfig; idle sockets do not keep the process alive.
 */
export function keepAliveKubeConfig(kubeConfig: KubeConfig): KubeConfig {
  if (isView.has(kubeConfig)) return kubeConfig;
  const cached = views.get(kubeConfig);
  if (cached) return cached;
  const agents = new Map<string, https.Agent>();
  const shared = (agent: unknown): unknown => {
    // Only a plain https.Agent is replaced: proxy agents and http.Agent keep their own behaviour.
    if (!(agent instanceof https.Agent) || agent.constructor !== https.Agent) return agent;
    const options = agent.options;
    const key = [
      kubeConfig.getCurrentCluster()?.server,
      options.servername,
      options.rejectUnauthorized,
      options.passphrase,
      ...[options.ca, options.cert, options.key, options.pfx].map(textOf),
    ].join("\u0000");
    let reused = agents.get(key);
    if (!reused) {
      // One TLS context for every connection of the agent: without it, each new socket parses the CA
      // and client certificate again (tls.createSecureContext), which a burst of requests pays per socket.
      const secureContext = tls.createSecureContext({
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.cert !== undefined ? { cert: options.cert } : {}),
        ...(options.key !== undefined ? { key: options.key } : {}),
        ...(options.pfx !== undefined ? { pfx: options.pfx } : {}),
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      });
      reused = new https.Agent({ ...options, secureContext, keepAlive: true });
      agents.set(key, reused);
    }
    return reused;
  };
  const view = new Proxy(kubeConfig, {
    get(target, property, receiver) {
      if (property === "applyToHTTPSOptions")
        return async (options: AgentHolder) => {
          await target.applyToHTTPSOptions.call(receiver, options as never);
          options.agent = shared(options.agent);
        };
      if (property === "applySecurityAuthentication")
        return async (context: RequestContextLike) => {
          await target.applySecurityAuthentication.call(receiver, context as never);
          context.setAgent(shared(context.getAgent()) as https.Agent);
        };
      return Reflect.get(target, property, receiver);
    },
  });
  views.set(kubeConfig, view);
  isView.add(view);
  return view;
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Buffer.isBuffer(value)) return value.toString("base64");
  if (Array.isArray(value)) return value.map(textOf).join(",");
  return String(value);
}
