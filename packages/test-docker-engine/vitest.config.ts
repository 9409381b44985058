import { vitestProject } from "../../tools/vitest.shared.ts";

export default vitestProject("test-docker-engine");
