import { vitestProject } from "./vitest.shared.ts";

export default vitestProject("workspace");
