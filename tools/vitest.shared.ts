// Per-project vitest settings: workspace packages resolve to their src/ through the
// "@pr-pod/source" export condition, so tests never need a build of their dependencies.
import { defaultServerConditions } from "vite";
import { defineProject, type UserWorkspaceConfig } from "vitest/config";

export function vitestProject(name: string, extra: UserWorkspaceConfig["test"] = {}): UserWorkspaceConfig {
  const conditions = ["@pr-pod/source", ...defaultServerConditions];
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["@pr-pod/source"] } },
    test: {
      name,
      environment: "node",
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      ...extra,
    },
  });
}
