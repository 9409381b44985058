import { describe, expect, it } from "vitest";
import { pullRequestEvent } from "../test/fixtures/pull-request-event.ts";
import {
  ActionInputError,
  feedbackFor,
  type InputName,
  kubeconfigSecretsToMask,
  parseInputs,
  parseList,
  previewOptionsFor,
  pullRequestSourceFor,
  runOptionsFor,
} from "./context.ts";

const HEAD_SHA = "0123456789abcdef0123456789abcdef01234567";
const BASE_SHA = "89abcdef0123456789abcdef0123456789abcdef";
const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";

function inputsFrom(values: Partial<Record<InputName, string>>) {
  return parseInputs((name) => values[name] ?? "");
}

function actionsRun(eventName: string, payload: unknown = {}) {
  return {
    eventName,
    payload: payload as { [key: string]: unknown },
    repository: "octo-org/hello-world",
    apiUrl: "https://api.github.com",
  };
}

describe("parseInputs", () => {
  it("reads booleans the way YAML 1.2 spells them", () => {
    expect(inputsFrom({ keep: "True", build: "FALSE", bake: "true" })).toMatchObject({
      keep: true,
      build: false,
      bake: true,
    });
  });

  it("rejects a boolean it cannot read, naming the input and the value", () => {
    expect(() => inputsFrom({ keep: "yes" })).toThrow('input keep is "yes": set it to true or false');
  });

  it("rejects a cluster mode it does not know, listing the ones it does", () => {
    expect(() => inputsFrom({ cluster: "minikube" })).toThrow(
      'input cluster is "minikube": set it to one of kind, existing',
    );
  });

  it("reads verify as one file per line or per comma", () => {
    expect(inputsFrom({ verify: "package.json\n README.md ,\n\nDockerfile" }).verify).toEqual([
      "package.json",
      "README.md",
      "Dockerfile",
    ]);
    expect(parseList("  ")).toEqual([]);
  });

  it("reads timeout as whole seconds and rejects anything else", () => {
    expect(inputsFrom({ timeout: "900" }).timeout).toBe(900);
    expect(() => inputsFrom({ timeout: "15m" })).toThrow(ActionInputError);
  });

  it("reads pr as a pull request number", () => {
    expect(inputsFrom({ pr: "#42" }).pr).toBe(42);
    expect(() => inputsFrom({ pr: "forty-two" })).toThrow('input pr is "forty-two"');
  });
});

describe("pullRequestSourceFor", () => {
  const event = pullRequestEvent({
    headSha: HEAD_SHA,
    baseSha: BASE_SHA,
    baseCloneUrl: "https://github.com/octo-org/hello-world.git",
  });

  it("takes the pull request from a pull_request event", () => {
    const source = pullRequestSourceFor(inputsFrom({}), actionsRun("pull_request", event));
    expect(source.kind).toBe("context");
    expect(source.kind === "context" && source.context).toMatchObject({
      owner: "octo-org",
      repo: "hello-world",
      number: 7,
      headSha: HEAD_SHA,
      isFork: false,
      source: "actions",
    });
  });

  it("takes it from a pull_request_target event too", () => {
    expect(pullRequestSourceFor(inputsFrom({}), actionsRun("pull_request_target", event)).kind).toBe("context");
  });

  it("fails on other events, saying which event and how to fix it", () => {
    expect(() => pullRequestSourceFor(inputsFrom({}), actionsRun("push", { ref: "refs/heads/main" }))).toThrow(
      /"push".*pull_request.*pr inputs/,
    );
  });

  it("looks the pull request up through the API when the pr input is set, on any event", () => {
    expect(pullRequestSourceFor(inputsFrom({ pr: "12" }), actionsRun("workflow_dispatch"))).toEqual({
      kind: "github-api",
      repo: "octo-org/hello-world",
      pr: 12,
      apiBaseUrl: "https://api.github.com",
    });
    expect(pullRequestSourceFor(inputsFrom({ pr: "3", repo: "other/repo" }), actionsRun("push"))).toMatchObject({
      repo: "other/repo",
      pr: 3,
    });
  });

  it("rejects repo without pr", () => {
    expect(() => pullRequestSourceFor(inputsFrom({ repo: "other/repo" }), actionsRun("push"))).toThrow(
      "but pr is not: set pr too",
    );
  });

  it("marks a pull request from another repository as a fork", () => {
    const fromFork = pullRequestEvent({
      headSha: HEAD_SHA,
      baseSha: BASE_SHA,
      baseCloneUrl: "https://github.com/octo-org/hello-world.git",
      headFullName: "someone/hello-world",
      headCloneUrl: "https://github.com/someone/hello-world.git",
    });
    const source = pullRequestSourceFor(inputsFrom({}), actionsRun("pull_request", fromFork));
    expect(source.kind === "context" && source.context.isFork).toBe(true);
  });
});

describe("runOptionsFor", () => {
  const parts = { kubeConfig: {} as never, pullRequest: { kind: "github-api", repo: "o/r", pr: 1 } as const };

  it("passes the inputs that are set", () => {
    const options = runOptionsFor(
      inputsFrom({
        "github-token": TOKEN,
        namespace: "ci",
        "create-namespace": "true",
        checkout: "merge",
        build: "false",
        bake: "true",
        keep: "true",
        image: "docker:27-git",
        timeout: "60",
        verify: "a,b",
        config: "ci/pr-pod.config.yaml",
      }),
      parts,
    );
    expect(options).toEqual({
      ...parts,
      token: TOKEN,
      namespace: "ci",
      createNamespace: true,
      checkout: "merge",
      build: false,
      bake: true,
      keep: true,
      image: "docker:27-git",
      timeoutSeconds: 60,
      verify: ["a", "b"],
      configFile: "ci/pr-pod.config.yaml",
      allowForkToken: false,
    });
  });

  it("pins the merge base only with pin-base and checkout merge", () => {
    expect(runOptionsFor(inputsFrom({ checkout: "merge", "pin-base": "true" }), parts)).toMatchObject({
      checkout: "merge",
      pinBaseSha: true,
    });
    expect(runOptionsFor(inputsFrom({ checkout: "merge" }), parts).pinBaseSha).toBeUndefined();
    expect(() => runOptionsFor(inputsFrom({ "pin-base": "true" }), parts)).toThrow(
      /input pin-base is true: it pins the base of checkout merge; set checkout: merge/,
    );
  });

  it("leaves the inputs that are empty to the config file, except allowForkToken, which only the workflow decides", () => {
    expect(runOptionsFor(inputsFrom({}), parts)).toEqual({ ...parts, allowForkToken: false });
  });
  it("passes the registry and builder inputs, and refuses a builder it does not know", () => {
    const options = runOptionsFor(
      inputsFrom({
        registry: "ghcr.io/acme",
        "registry-secret": "push-creds",
        "insecure-registry": "false",
        "image-template": "{registry}/{target}:{sha}",
        builder: "remote",
        "builder-endpoint": "tcp://buildkitd:1234",
      }),
      parts,
    );
    expect(options.registry).toEqual({
      host: "ghcr.io/acme",
      credentialsSecret: "push-creds",
      insecure: false,
      imageTemplate: "{registry}/{target}:{sha}",
    });
    expect(options.buildx).toEqual({ driver: "remote", endpoint: "tcp://buildkitd:1234" });
    expect(() => inputsFrom({ builder: "docker-container" })).toThrow(/builder/);
  });
});

describe("feedbackFor", () => {
  const run = { ...actionsRun("pull_request"), serverUrl: "https://github.com", runId: 4242 };

  it("reports on the PR by default for pull_request events, linked to the workflow run", () => {
    expect(feedbackFor(inputsFrom({}), run)).toEqual({
      github: {
        apiUrl: "https://api.github.com",
        targetUrl: "https://github.com/octo-org/hello-world/actions/runs/4242",
      },
    });
    expect(feedbackFor(inputsFrom({}), { ...run, eventName: "pull_request_target" })?.github).toBeTruthy();
  });

  it("stays off for other events unless feedback is github, and feedback none turns it off", () => {
    expect(feedbackFor(inputsFrom({}), { ...run, eventName: "workflow_dispatch" })).toBeUndefined();
    expect(
      feedbackFor(inputsFrom({ feedback: "github" }), { ...run, eventName: "workflow_dispatch" })?.github,
    ).toBeTruthy();
    expect(feedbackFor(inputsFrom({ feedback: "none" }), run)).toEqual({ github: false });
  });

  it("passes the context name and the comment switch", () => {
    expect(
      feedbackFor(inputsFrom({ "feedback-context": "pr-pod/e2e", "feedback-comment": "true" }), run),
    ).toMatchObject({
      github: { context: "pr-pod/e2e", comment: true },
    });
  });

  it("refuses a feedback value it does not know, naming the input", () => {
    expect(() => inputsFrom({ feedback: "slack" })).toThrow(/input feedback is "slack": set it to one of github, none/);
  });
});

describe("kubeconfigSecretsToMask", () => {
  it("finds every credential value and nothing else", () => {
    const kubeconfig = [
      "apiVersion: v1",
      "clusters:",
      "- cluster:",
      "    certificate-authority-data: LS0tQ0EtLS0=",
      "    server: https://127.0.0.1:6443",
      "  name: dev",
      "users:",
      "- name: dev",
      "  user:",
      "    client-certificate-data: Y2VydGNlcnRjZXJ0",
      '    client-key-data: "a2V5a2V5a2V5"',
      "    token: sa-token-value-1234",
    ].join("\n");
    expect(kubeconfigSecretsToMask(kubeconfig).sort()).toEqual(
      ["Y2VydGNlcnRjZXJ0", "a2V5a2V5a2V5", "sa-token-value-1234"].sort(),
    );
  });
});

describe("previewOptionsFor", () => {
  const where = { helmPath: "/opt/helm" };

  it("deploys by default, torn down at the end, with helm from where the step found it", () => {
    expect(previewOptionsFor(inputsFrom({}), where)).toEqual({ helmPath: "/opt/helm", keep: false });
  });

  it("keeps the preview for preview-ttl hours with keep-preview", () => {
    expect(previewOptionsFor(inputsFrom({ "keep-preview": "true", "preview-ttl": "48" }), where)).toEqual({
      helmPath: "/opt/helm",
      keep: true,
      ttlHours: 48,
    });
  });

  it("deploys nothing with deploy false", () => {
    expect(previewOptionsFor(inputsFrom({ deploy: "false" }), where)).toBeUndefined();
  });

  it("refuses preview inputs that would be ignored, naming the input and the fix", () => {
    const errorOf = (values: Partial<Record<InputName, string>>) => {
      try {
        previewOptionsFor(inputsFrom(values), where);
      } catch (error) {
        return error as ActionInputError;
      }
      throw new Error("no error");
    };
    expect(errorOf({ "preview-ttl": "2" })).toMatchObject({
      input: "preview-ttl",
      message: expect.stringMatching(/keep-preview is not true.*set keep-preview: true/),
    });
    expect(errorOf({ deploy: "false", "keep-preview": "true" })).toMatchObject({ input: "keep-preview" });
    expect(errorOf({ deploy: "false", "preview-ttl": "2" })).toMatchObject({ input: "preview-ttl" });
  });

  it("reads preview-ttl as whole hours and rejects anything else", () => {
    expect(inputsFrom({ "preview-ttl": "12" })["preview-ttl"]).toBe(12);
    for (const value of ["0", "1.5", "2h", "-1"]) {
      expect(() => inputsFrom({ "preview-ttl": value })).toThrow(/input preview-ttl is .*: set it to whole hours/);
    }
  });
});
