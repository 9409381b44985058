import { vitestProject } from "../../tools/vitest.shared.ts";

// The CLI is tested as users meet it: the built `dist/cli.js`, spawned. The global setup builds it
// (and, through Nx's ^build, every library it imports) once before any test file runs.
export default vitestProject("pr-pod", { globalSetup: ["./test/build-cli.global-setup.ts"] });
