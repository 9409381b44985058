import { vitestProject } from "../../tools/vitest.shared.ts";

export default vitestProject("k8s-job-builder");
