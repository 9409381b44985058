import { defineConfig } from "tsup";
import { libraryBuild } from "../../tools/tsup.shared.ts";

export default defineConfig(libraryBuild());
