// Types for bundle-dependencies.mjs (plain JavaScript, so the action's build script runs it without a build step).
import type { Plugin } from "esbuild";

export declare const bundleAliases: Record<string, string>;
export declare const clientNodeTreeShaking: Plugin;
export declare const nodeHttpThroughRequire: Plugin;
