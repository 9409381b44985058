import { describe, expect, it } from "vitest";
import { classifyKindFailure, lastErrorLine } from "./kind-errors.ts";

// Each text is what kind v0.31.0 / Docker print for that failure.
describe("classifyKindFailure", () => {
  it("recognises Docker not running from kind's wrapped docker output", () => {
    const stderr = `ERROR: failed to list clusters: command "docker ps -a --filter label=io.x-k8s.kind.cluster --format '{{.Label "io.x-k8s.kind.cluster"}}'" failed with error: exit status 1
Command Output: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`;
    expect(classifyKindFailure(stderr)).toMatchObject({ code: "DOCKER_NOT_RUNNING" });
  });

  it("recognises a Docker socket this user may not use", () => {
    const stderr =
      'Command Output: permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json": dial unix /var/run/docker.sock: connect: permission denied';
    expect(classifyKindFailure(stderr)).toMatchObject({ code: "DOCKER_PERMISSION_DENIED" });
  });

  it("recognises kind not finding docker at all", () => {
    const stderr =
      'ERROR: failed to list clusters: command "docker ps -a" failed with error: exec: "docker": executable file not found in $PATH';
    expect(classifyKindFailure(stderr)).toMatchObject({ code: "DOCKER_NOT_FOUND" });
  });

  it("names the host port another container holds", () => {
    const stderr =
      "docker: Error response from daemon: driver failed programming external connectivity on endpoint dev-control-plane (2f3d): Bind for 0.0.0.0:80 failed: port is already allocated.";
    const failure = classifyKindFailure(stderr, "dev");
    expect(failure).toMatchObject({ code: "PORT_IN_USE", problem: "host port 80 is already in use" });
    expect(failure.fix).toContain("lsof -i :80");
  });

  it("names the host port another process listens on", () => {
    const stderr =
      "Error response from daemon: ports are not available: exposing port TCP 127.0.0.1:6443 -> 0.0.0.0:0: listen tcp 127.0.0.1:6443: bind: address already in use";
    expect(classifyKindFailure(stderr)).toMatchObject({
      code: "PORT_IN_USE",
      problem: "host port 6443 is already in use",
    });
  });

  it("names the node image that could not be pulled", () => {
    const stderr = ` ✗ Ensuring node image (kindest/node:v1.35.0) 🖼
ERROR: failed to create cluster: failed to pull image "kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f": command "docker pull kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f" failed with error: exit status 1
Command Output: Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host`;
    const failure = classifyKindFailure(stderr);
    expect(failure.code).toBe("NODE_IMAGE_PULL_FAILED");
    expect(failure.problem).toContain("kindest/node:v1.35.0@sha256:452d707d");
  });

  it("names the cluster that already exists", () => {
    const stderr = 'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "pr-pod"';
    const failure = classifyKindFailure(stderr);
    expect(failure).toMatchObject({ code: "CLUSTER_ALREADY_EXISTS" });
    expect(failure.fix).toContain("kind delete cluster --name pr-pod");
  });

  it("quotes kind's ERROR line for failures it does not know", () => {
    const stderr =
      'Creating cluster "dev" ...\nERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged dev-control-plane kubeadm init" failed with error: exit status 1\nCommand Output: ...';
    expect(classifyKindFailure(stderr)).toMatchObject({
      code: "KIND_COMMAND_FAILED",
      problem: expect.stringContaining("failed to init node with kubeadm"),
    });
  });
});

describe("lastErrorLine", () => {
  it("falls back to the last line, or says there was no output", () => {
    expect(lastErrorLine("one\ntwo\n\n")).toBe("two");
    expect(lastErrorLine("")).toBe("(no output)");
  });
});
