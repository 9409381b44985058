// JUnit XML, as test runners write it (surefire, pytest --junitxml, jest-junit, vitest's junit
// reporter, go-junit-report), summarized: passed, failed, skipped and the failing tests' names.
// Reads <testsuites> or a lone <testsuite>, nested suites included; <failure> and <error> both fail.
// https://github.com/testmoapp/junitxml
import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface JUnitFailure {
  /** "classname › name" when the case has a classname, else its name. */
  name: string;
  message: string;
}

export interface JUnitSummary {
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
  failures: JUnitFailure[];
}

export class JUnitParseError extends Error {
  readonly code = "JUNIT_PARSE";
  constructor(message: string) {
    super(message);
    this.name = "JUnitParseError";
  }
}

// biome-ignore lint/suspicious/noExplicitAny: parsed XML is untyped
type Node = Record<string, any>;

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function collectCases(suite: Node, out: Node[]): void {
  for (const testCase of asList(suite.testcase)) out.push(testCase ?? {});
  for (const inner of asList(suite.testsuite)) collectCases(inner ?? {}, out);
}

function firstText(node: unknown): string {
  const first = asList(node as Node | Node[])[0];
  if (first === undefined || first === null) return "";
  if (typeof first !== "object") return String(first);
  return String(first["@_message"] ?? first["#text"] ?? "").trim();
}

export function parseJUnitXml(xml: string): JUnitSummary {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new JUnitParseError(`JUnit report is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  }
  const doc: Node = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_" }).parse(xml);
  const root = doc.testsuites ?? (doc.testsuite ? { testsuite: doc.testsuite } : undefined);
  if (!root) throw new JUnitParseError("JUnit report has no <testsuites> or <testsuite> element");
  const cases: Node[] = [];
  collectCases(typeof root === "object" ? root : {}, cases);
  const summary: JUnitSummary = { tests: cases.length, passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const testCase of cases) {
    const name = String(testCase["@_name"] ?? "(unnamed)");
    const fullName = testCase["@_classname"] ? `${testCase["@_classname"]} › ${name}` : name;
    if ("failure" in testCase || "error" in testCase) {
      summary.failed += 1;
      summary.failures.push({ name: fullName, message: firstText(testCase.failure ?? testCase.error) });
    } else if ("skipped" in testCase) summary.skipped += 1;
    else summary.passed += 1;
  }
  return summary;
}
