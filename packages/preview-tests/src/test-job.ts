// A test Job declared in the config file, built to run against the preview: the preview's service
// URLs in its env, no Kubernetes credentials mounted, and a wrapper that prints the JUnit file the
// test wrote between two marker lines, so it reaches us through the log (no volume, no copy). Pure.
import { PREVIEW_SERVICE_ACCOUNT } from "@pr-pod/preview-deploy";

export const JUNIT_BEGIN = "::pr-pod-junit-begin::";
export const JUNIT_END = "::pr-pod-junit-end::";
/** Where the test should write its JUnit XML (the env var PR_POD_JUNIT_PATH says so). */
export const DEFAULT_JUNIT_PATH = "/tmp/pr-pod-junit.xml";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are plain JSON
export type KubeObject = Record<string, any>;

export interface PreviewService {
  name: string;
  ports: { name?: string; port: number }[];
}

/**
 * `PREVIEW_URL_<SERVICE>` = `http://<service>.<ns>.svc:<port>` for each Service's first port, and
 * `PREVIEW_URL_<SERVICE>_<PORTNAME>` for each named port.
 */
export function previewServiceUrls(services: PreviewService[], namespace: string): Record<string, string> {
  const envName = (...parts: string[]) =>
    `PREVIEW_URL_${parts
      .join("_")
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, "_")}`;
  const out: Record<string, string> = {};
  for (const service of services) {
    const url = (port: number) => `http://${service.name}.${namespace}.svc:${port}`;
    const [first] = service.ports;
    if (first) out[envName(service.name)] = url(first.port);
    for (const port of service.ports) if (port.name) out[envName(service.name, port.name)] = url(port.port);
  }
  return out;
}

export interface TestJobSpec {
  /** The test's name in the config file; the Job is `pr-pod-test-<name>`. */
  name: string;
  image: string;
  command: string[];
  env?: Record<string, string>;
  /** Where the test writes JUnit XML (default /tmp/pr-pod-junit.xml; given to it as PR_POD_JUNIT_PATH). */
  junitPath?: string;
  /** activeDeadlineSeconds (default 600). */
  timeoutSeconds?: number;
}

const jobName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function testJobName(name: string): string {
  const full = `pr-pod-test-${name}`;
  if (full.length > 63 || !jobName.test(full)) {
    throw new Error(
      `preview tests: test name "${name}" must be lowercase letters, digits and "-" (at most 51 characters); rename it in the config file`,
    );
  }
  return full;
}

export function buildTestJob(spec: TestJobSpec, namespace: string, urls: Record<string, string>): KubeObject {
  if (spec.command.length === 0) {
    throw new Error(`preview tests: test "${spec.name}" has no command; set tests[].command in the config file`);
  }
  const junitPath = spec.junitPath ?? DEFAULT_JUNIT_PATH;
  // The test's own argv runs unchanged as "$@"; its exit code is the Job's.
  const wrapper = `"$@"; code=$?; if [ -s "$PR_POD_JUNIT_PATH" ]; then echo '${JUNIT_BEGIN}'; cat "$PR_POD_JUNIT_PATH"; echo; echo '${JUNIT_END}'; fi; exit $code`;
  const env = { ...urls, ...(spec.env ?? {}), PREVIEW_NAMESPACE: namespace, PR_POD_JUNIT_PATH: junitPath };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: testJobName(spec.name),
      namespace,
      labels: { "app.kubernetes.io/managed-by": "pr-pod", "pr-pod.dev/component": "preview-test" },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: spec.timeoutSeconds ?? 600,
      template: {
        metadata: { labels: { "pr-pod.dev/component": "preview-test" } },
        spec: {
          restartPolicy: "Never",
          serviceAccountName: PREVIEW_SERVICE_ACCOUNT,
          // The test talks to the preview over HTTP; it gets no Kubernetes (or GitHub) credentials.
          automountServiceAccountToken: false,
          containers: [
            {
              name: "test",
              image: spec.image,
              command: ["sh", "-c", wrapper, "pr-pod-test", ...spec.command],
              env: Object.entries(env).map(([name, value]) => ({ name, value })),
            },
          ],
        },
      },
    },
  };
}

/** Splits a test's log into what it printed and the JUnit XML between the markers (if any). */
export function splitJUnitFromLog(lines: string[]): { output: string[]; junitXml?: string } {
  const begin = lines.lastIndexOf(JUNIT_BEGIN);
  const end = lines.lastIndexOf(JUNIT_END);
  if (begin < 0 || end < begin) return { output: lines };
  return {
    output: [...lines.slice(0, begin), ...lines.slice(end + 1)],
    junitXml: lines.slice(begin + 1, end).join("\n"),
  };
}
