// A certificate authority made at start, and a serving certificate it signs for localhost and
// 127.0.0.1, so clients verify the server as they would a real cluster (no insecure-skip-tls-verify).
import { generate } from "selfsigned";

export interface ClusterCertificates {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

export async function createClusterCertificates(host: string): Promise<ClusterCertificates> {
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3600 * 1000);
  const ca = await generate([{ name: "commonName", value: "test-cluster-ca" }], {
    keyType: "ec",
    algorithm: "sha256",
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const altNames: { type: 2 | 7; value?: string; ip?: string }[] = [
    { type: 2, value: "localhost" },
    { type: 7, ip: "127.0.0.1" },
    { type: 7, ip: "::1" },
  ];
  if (/^[\d.]+$/.test(host) && host !== "127.0.0.1") altNames.push({ type: 7, ip: host });
  else if (!/^[\d.:]+$/.test(host) && host !== "localhost") altNames.push({ type: 2, value: host });
  const server = await generate([{ name: "commonName", value: "kube-apiserver" }], {
    keyType: "ec",
    algorithm: "sha256",
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
  });
  return { caCert: ca.cert, serverCert: server.cert, serverKey: server.private };
}
