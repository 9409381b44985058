import { defineConfig } from "tsup";
import { libraryBuild } from "../../tools/tsup.shared.ts";

// Three entries: index (the whole runner), pure (no cluster or GitHub client), the "./pure" export, and
// preview-stages, the "./preview-stages" export.
export default defineConfig(libraryBuild({ entry: ["src/index.ts", "src/pure.ts", "src/preview-stages.ts"] }));
