// The pure half: JUnit XML summaries, preview service URLs, and the test Job built from the config.
import { describe, expect, it } from "vitest";
import {
  buildTestJob,
  JUNIT_BEGIN,
  JUNIT_END,
  parseJUnitXml,
  previewServiceUrls,
  splitJUnitFromLog,
} from "../src/index.ts";

describe("parseJUnitXml", () => {
  it("counts passed, failed (failure and error) and skipped cases across nested suites, naming the failures", () => {
    const summary = parseJUnitXml(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="api">
    <testcase classname="api.orders" name="lists orders"/>
    <testcase classname="api.orders" name="creates an order"><failure message="expected 201, got 500">trace</failure></testcase>
    <testsuite name="nested">
      <testcase name="health"><error message="connection refused"/></testcase>
      <testcase name="later"><skipped/></testcase>
    </testsuite>
  </testsuite>
</testsuites>`);
    expect(summary).toEqual({
      tests: 4,
      passed: 1,
      failed: 2,
      skipped: 1,
      failures: [
        { name: "api.orders › creates an order", message: "expected 201, got 500" },
        { name: "health", message: "connection refused" },
      ],
    });
  });

  it("reads a lone <testsuite> with one case", () => {
    expect(parseJUnitXml('<testsuite><testcase name="only"/></testsuite>')).toMatchObject({ tests: 1, passed: 1 });
  });

  it("says what is wrong with a report that is not JUnit XML", () => {
    expect(() => parseJUnitXml("<testsuite><testcase></testsuite>")).toThrow(/not well-formed XML/);
    expect(() => parseJUnitXml("<report/>")).toThrow(/no <testsuites> or <testsuite>/);
  });
});

describe("test Jobs", () => {
  it("get one URL per Service and per named port", () => {
    expect(
      previewServiceUrls(
        [
          { name: "shop-web", ports: [{ port: 80 }] },
          {
            name: "shop-api",
            ports: [
              { name: "http", port: 8080 },
              { name: "grpc", port: 9090 },
            ],
          },
        ],
        "pr-1-shop",
      ),
    ).toEqual({
      PREVIEW_URL_SHOP_WEB: "http://shop-web.pr-1-shop.svc:80",
      PREVIEW_URL_SHOP_API: "http://shop-api.pr-1-shop.svc:8080",
      PREVIEW_URL_SHOP_API_HTTP: "http://shop-api.pr-1-shop.svc:8080",
      PREVIEW_URL_SHOP_API_GRPC: "http://shop-api.pr-1-shop.svc:9090",
    });
  });

  it("run the test's own argv once, with the URLs, and no Kubernetes credentials", () => {
    const job = buildTestJob(
      { name: "smoke", image: "curlimages/curl:8.11.0", command: ["curl", "-f", "$(PREVIEW_URL_SHOP_WEB)"] },
      "pr-1-shop",
      { PREVIEW_URL_SHOP_WEB: "http://shop-web.pr-1-shop.svc:80" },
    );
    expect(job.metadata.name).toBe("pr-pod-test-smoke");
    const pod = job.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(job.spec.backoffLimit).toBe(0);
    expect(pod.containers[0].command.slice(3)).toEqual(["pr-pod-test", "curl", "-f", "$(PREVIEW_URL_SHOP_WEB)"]);
    expect(pod.containers[0].env).toContainEqual({
      name: "PREVIEW_URL_SHOP_WEB",
      value: "http://shop-web.pr-1-shop.svc:80",
    });
    expect(JSON.stringify(job)).not.toMatch(/GITHUB|secretKeyRef|"secret"|volumes/i);
  });

  it("refuse a test name that cannot name a Job, and a test without a command", () => {
    expect(() => buildTestJob({ name: "Smoke Test", image: "x", command: ["true"] }, "n", {})).toThrow(
      /test name "Smoke Test" must be lowercase/,
    );
    expect(() => buildTestJob({ name: "smoke", image: "x", command: [] }, "n", {})).toThrow(/has no command/);
  });

  it("take the JUnit XML out of the log", () => {
    expect(splitJUnitFromLog(["a", JUNIT_BEGIN, "<testsuite/>", "", JUNIT_END])).toEqual({
      output: ["a"],
      junitXml: "<testsuite/>\n",
    });
    expect(splitJUnitFromLog(["a"])).toEqual({ output: ["a"] });
  });
});
