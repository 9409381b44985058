// The loader hook record-loaded-modules.mjs registers (it runs on Node's module loader thread).
import { appendFileSync } from "node:fs";

const log = process.env.PR_POD_TEST_MODULE_LOG;

export async function load(url, context, nextLoad) {
  if (log && url.startsWith("file:")) appendFileSync(log, `${url}\n`);
  return nextLoad(url, context);
}
