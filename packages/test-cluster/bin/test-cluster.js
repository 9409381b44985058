#!/usr/bin/env node
// The `test-cluster` command: loads the built command (dist/cli.js). It lives outside dist/ so that npm
// links it when the workspace is installed, before the first build: npm skips a bin whose file is missing.
const built = new URL("../dist/cli.js", import.meta.url);
try {
  await import(built.href);
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes(built.pathname)) {
    process.stderr.write("test-cluster is not built yet: run `npm run build` in the workspace first\n");
    process.exit(70);
  }
  throw error;
}
