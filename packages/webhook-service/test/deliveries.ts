// Real-shaped deliveries for tests and the bench: GitHub's own example payloads
// (@octokit/webhooks-examples) with the PR number, SHA, repo and labels changed, each validated
// against @octokit/webhooks-schemas before it is used, then signed like GitHub signs them.
import { randomUUID } from "node:crypto";
import { Webhooks } from "@octokit/webhooks";
import examples from "@octokit/webhooks-examples";
import schema from "@octokit/webhooks-schemas";
import type { PullRequestEvent } from "@octokit/webhooks-types";
import Ajv from "ajv";

// biome-ignore lint/suspicious/noExplicitAny: GitHub's example payloads are edited in place, field by field
type Editable = any;

const ajv = new Ajv({ strict: false, allErrors: false, logger: false });
ajv.addSchema(schema as object, "webhooks");

type PullRequestAction = "opened" | "reopened" | "synchronize" | "closed" | "ready_for_review" | "labeled";

export interface PullRequestShape {
  action: PullRequestAction;
  repo?: string;
  number: number;
  sha?: string;
  draft?: boolean;
  /** The head repository (a fork when it differs from repo). */
  headRepo?: string;
  labels?: string[];
  /** For labeled. */
  label?: string;
  sender?: string;
  authorAssociation?: string;
  installationId?: number;
}

export function shaFor(seed: string): string {
  let hex = "";
  for (let i = 0; hex.length < 40; i++) hex += ((seed.charCodeAt(i % seed.length) * 31 + i * 7) % 16).toString(16);
  return hex;
}

export function pullRequestPayload(shape: PullRequestShape): PullRequestEvent {
  const all = (examples as Array<{ name: string; examples: Array<Record<string, unknown>> }>).find(
    (entry) => entry.name === "pull_request",
  )?.examples;
  // Some of GitHub's older examples predate fields the schema now requires: take one that passes.
  const valid = (c: Record<string, unknown>) =>
    ajv.validate(`webhooks#/definitions/pull_request$${String(c["action"])}`, c);
  const example = all?.find((c) => c["action"] === shape.action && valid(c));
  const payload = structuredClone(example) as unknown as PullRequestEvent & Record<string, Editable>;
  const [owner, name] = (shape.repo ?? "octo/widgets").split("/") as [string, string];
  const [headOwner, headName] = (shape.headRepo ?? `${owner}/${name}`).split("/") as [string, string];
  payload.action = shape.action as never;
  payload.number = shape.number;
  const repository = payload.repository as Editable;
  repository.name = name;
  repository.full_name = `${owner}/${name}`;
  repository.owner.login = owner;
  repository.clone_url = `https://github.com/${owner}/${name}.git`;
  const pr = payload.pull_request as Editable;
  pr.number = shape.number;
  pr.state = shape.action === "closed" ? "closed" : "open";
  pr.draft = shape.draft ?? false;
  pr.author_association = shape.authorAssociation ?? "CONTRIBUTOR";
  pr.labels = (shape.labels ?? []).map((label, i) => ({ ...labelObject(label, i) }));
  pr.base.repo = structuredClone(repository);
  pr.head.repo = structuredClone(repository);
  pr.head.repo.name = headName;
  pr.head.repo.full_name = `${headOwner}/${headName}`;
  pr.head.repo.owner.login = headOwner;
  pr.head.repo.clone_url = `https://github.com/${headOwner}/${headName}.git`;
  pr.head.sha = shape.sha ?? shaFor(`${shape.number}`);
  pr.head.ref = "feature";
  pr.base.ref = "main";
  if (shape.action === "labeled") payload["label"] = labelObject(shape.label ?? "ok-to-test", 99);
  if (shape.sender) (payload.sender as Editable).login = shape.sender;
  if (shape.installationId !== undefined)
    payload["installation"] = { id: shape.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  const definition = `webhooks#/definitions/pull_request$${shape.action}`;
  if (!ajv.validate(definition, payload)) {
    throw new Error(`test payload does not match GitHub's schema: ${ajv.errorsText(ajv.errors)}`);
  }
  return payload;
}

function labelObject(name: string, i: number) {
  return {
    id: 1000 + i,
    node_id: `MDU6TGFiZWwx${i}`,
    url: `https://api.github.com/repos/octo/widgets/labels/${name}`,
    name,
    color: "ededed",
    default: false,
    description: null,
  };
}

export interface SignedDelivery {
  id: string;
  event: string;
  body: string;
  headers: Record<string, string>;
}

export async function signedDelivery(
  secret: string,
  event: string,
  payload: unknown,
  id: string = randomUUID(),
): Promise<SignedDelivery> {
  const body = JSON.stringify(payload);
  return {
    id,
    event,
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": id,
      "x-hub-signature-256": await new Webhooks({ secret }).sign(body),
      "user-agent": "GitHub-Hookshot/test",
    },
  };
}

export async function post(url: string, delivery: { body: string; headers: Record<string, string> }) {
  const response = await fetch(url, { method: "POST", body: delivery.body, headers: delivery.headers });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as { outcome: string; message: string },
  };
}
