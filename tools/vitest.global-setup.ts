// Before any test: real kubectl/helm unpacked into .tools/bin (tests find them via PR_POD_KUBE_TOOLS).
// @ts-expect-error: plain .mjs tool script without types
import { ensureKubeTools } from "./kube-tools.mjs";

export default async function setup(): Promise<void> {
  const tools = await ensureKubeTools();
  process.env.PR_POD_KUBE_TOOLS = tools.binDir;
}
