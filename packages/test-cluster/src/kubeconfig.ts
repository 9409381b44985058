// The kubeconfig a client needs to reach the test cluster: server URL, the CA that signed the
// serving certificate, and a bearer token.
import { KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";

export interface KubeconfigInput {
  url: string;
  caCert?: string;
  token: string;
  namespace?: string;
  contextName?: string;
}

export function buildKubeconfigDocument(input: KubeconfigInput): Record<string, unknown> {
  const name = input.contextName ?? "test-cluster";
  const cluster: Record<string, unknown> = { server: input.url };
  if (input.caCert) cluster["certificate-authority-data"] = Buffer.from(input.caCert).toString("base64");
  // client-node refuses http:// servers unless TLS verification is (vacuously) off.
  else cluster["insecure-skip-tls-verify"] = true;
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster }],
    users: [{ name: `${name}-user`, user: { token: input.token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-user`, namespace: input.namespace ?? "default" } }],
    "current-context": name,
    preferences: {},
  };
}

export function kubeconfigYaml(input: KubeconfigInput): string {
  return stringify(buildKubeconfigDocument(input));
}

export function kubeConfigFor(input: KubeconfigInput): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(input));
  return kc;
}
