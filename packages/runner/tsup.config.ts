import { defineConfig } from "tsup";
import { libraryBuild } from "../../tools/tsup.shared.ts";

// Two entries: index (the whole runner) and pure (no cluster or GitHub client), the "./pure" export.
export default defineConfig(libraryBuild({ entry: ["src/index.ts", "src/pure.ts"] }));
