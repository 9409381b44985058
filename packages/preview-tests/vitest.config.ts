import { vitestProject } from "../../tools/vitest.shared.ts";

export default vitestProject("preview-tests", { testTimeout: 120_000 });
