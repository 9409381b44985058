import { vitestProject } from "../../tools/vitest.shared.ts";

export default vitestProject("preview-deploy", { testTimeout: 120_000 });
