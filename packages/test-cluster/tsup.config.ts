import { defineConfig } from "tsup";
import { libraryBuild } from "../../tools/tsup.shared.ts";

// The library, plus the `test-cluster` command.
export default defineConfig(libraryBuild({ entry: ["src/index.ts", "src/cli.ts"] }));
