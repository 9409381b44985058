// Loaded with `node --import` (through NODE_OPTIONS) by start-up-modules.test.ts: registers a module
// loader hook that appends the URL of every file the process loads to the file named by
// PR_POD_TEST_MODULE_LOG, one per line, so a test can see what a command loaded.
import { register } from "node:module";

register(new URL("./record-loaded-modules-hook.mjs", import.meta.url));
