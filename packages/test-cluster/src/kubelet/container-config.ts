// The kubelet's check before it creates a container: every Secret and ConfigMap the container's env
// names must exist (unless optional), else the container waits in CreateContainerConfigError with
// the kubelet's message. Volumes are checked separately (missing ones keep ContainerCreating).
import type { Json, KubeObject } from "../json.ts";

export type Lookup = (kind: "Secret" | "ConfigMap", name: string) => Json | undefined;

export function containerConfigError(pod: KubeObject, container: Json, lookup: Lookup): string | undefined {
  const ns = pod.metadata.namespace;
  for (const from of container.envFrom ?? []) {
    const secret = from.secretRef;
    if (secret && !secret.optional && !lookup("Secret", secret.name)) return `secret "${secret.name}" not found`;
    const cm = from.configMapRef;
    if (cm && !cm.optional && !lookup("ConfigMap", cm.name)) return `configmap "${cm.name}" not found`;
  }
  for (const env of container.env ?? []) {
    const secretRef = env.valueFrom?.secretKeyRef;
    if (secretRef && !secretRef.optional) {
      const secret = lookup("Secret", secretRef.name);
      if (!secret) return `secret "${secretRef.name}" not found`;
      if (!(secretRef.key in (secret.data ?? {})))
        return `couldn't find key ${secretRef.key} in Secret ${ns}/${secretRef.name}`;
    }
    const cmRef = env.valueFrom?.configMapKeyRef;
    if (cmRef && !cmRef.optional) {
      const cm = lookup("ConfigMap", cmRef.name);
      if (!cm) return `configmap "${cmRef.name}" not found`;
      if (!(cmRef.key in (cm.data ?? {})) && !(cmRef.key in (cm.binaryData ?? {}))) {
        return `couldn't find key ${cmRef.key} in ConfigMap ${ns}/${cmRef.name}`;
      }
    }
  }
  return undefined;
}

/** A secret or configMap volume whose source is missing: the kubelet's FailedMount message. */
export function volumeMountError(pod: KubeObject, lookup: Lookup): string | undefined {
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.secret && !volume.secret.optional && !lookup("Secret", volume.secret.secretName)) {
      return `MountVolume.SetUp failed for volume "${volume.name}" : secret "${volume.secret.secretName}" not found`;
    }
    if (volume.configMap && !volume.configMap.optional && !lookup("ConfigMap", volume.configMap.name)) {
      return `MountVolume.SetUp failed for volume "${volume.name}" : configmap "${volume.configMap.name}" not found`;
    }
  }
  return undefined;
}
