import { defineConfig } from "tsup";
import { libraryBuild } from "../../tools/tsup.shared.ts";

// Two entries: index (everything) and pure (no octokit), the package's "./pure" export.
export default defineConfig(libraryBuild({ entry: ["src/index.ts", "src/pure.ts"] }));
