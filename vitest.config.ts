// One vitest run over every package and app (each has its own vitest.config.ts).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "tools"],
    globalSetup: ["./tools/vitest.global-setup.ts"],
    reporters: ["default", "./tools/vitest-summary-reporter.ts"],
  },
});
