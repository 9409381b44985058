import { vitestProject } from "../../tools/vitest.shared.ts";

export default vitestProject("action", { globalSetup: ["./test/global-setup.ts"] });
