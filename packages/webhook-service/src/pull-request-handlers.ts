// The service's handlers: a verified delivery in, an answer for GitHub out within a second, and the
// run itself later, through the same runPrPod the CLI uses. Every accepted delivery is first claimed
// in the cluster (DeliveryLedger), so redeliveries, restarts and other replicas never start a run
// twice. `synchronize` and `closed` act on the PR's runs wherever they are: in this replica's queue,
// and in the cluster by label (another replica's). Like Prow's hook: events become runs; the cluster
// holds the state.
import { BatchV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { PullRequestEvent } from "@octokit/webhooks-types";
import { type PullRequestContext, prPodSelector, toLabelValue } from "@pr-pod/pr-context";
import type { RunOutcome } from "@pr-pod/pr-feedback";
import { deletePullRequestPreviews } from "@pr-pod/preview-deploy";
import { cleanupPrPods, httpStatusOf, messageOf, type RunPrPodOptions, type RunResult, runPrPod } from "@pr-pod/runner";
import type { Logger } from "pino";
import { ClaimIndex } from "./claim-index.ts";
import {
  claimName,
  DELIVERY_ANNOTATION,
  type DeliveryClaim,
  DeliveryLedger,
  LEDGER_LABELS,
} from "./delivery-ledger.ts";
import { decidePullRequest, type PullRequestPolicy } from "./pull-request-policy.ts";
import { LeaseObserver, ReplicaLease } from "./replica-lease.ts";
import { RunQueue } from "./run-queue.ts";
import type { ServiceMetrics } from "./service-metrics.ts";

/** What the service tells GitHub about a delivery (HTTP status and a short JSON body). */

/** The least time shutdown gives background work once the runs are done or handed back. */
const BACKGROUND_GRACE_MS = 5_000;
export interface DeliveryAnswer {
  status: number;
  outcome: string;
  message: string;
  retryAfterSeconds?: number;
  runName?: string;
}

/** The final state of a PR's run as pr-feedback takes it. */
export type FeedbackOutcome = RunOutcome;

/** Reports one run on its pull request (pending, then one final state). Must never throw. */
export interface PullRequestFeedback {
  start(): Promise<void>;
  finish(outcome: FeedbackOutcome): Promise<unknown>;
}

/** Feedback for a PR's run, or undefined for none. */
export type FeedbackFactory = (context: PullRequestContext) => PullRequestFeedback | undefined;

/** May `login` approve a fork's run in owner/repo (write access or more)? */
export type CollaboratorCheck = (owner: string, repo: string, login: string) => Promise<boolean>;

export interface ServicePreviewOptions {
  /** The helm binary. */
  helmPath: string;
  /** The git that fetches the config file and charts at the built commit. Default `git` on PATH. */
  gitPath?: string;
  /** Leave each preview up after its tests (until ttlHours, or the PR's close). Default false. */
  keep?: boolean;
  /** How long a kept preview stays; wins over the repository's preview.ttlHours. */
  ttlHours?: number;
}

export interface PullRequestHandlersOptions {
  kubeConfig: KubeConfig;
  /** Where runs and delivery claims live. */
  namespace: string;
  /** This replica's stable name (StatefulSet pod name): its claims are resumed under it. */
  instanceId: string;
  logger: Logger;
  metrics: ServiceMetrics;
  policy?: PullRequestPolicy;
  /** GitHub token given to pods (not to forks' unless allowForkToken). */
  token?: string;
  allowForkToken?: boolean;
  /** Settings every run gets (image, checkout, timeoutSeconds, verify, build...). */
  run?: Partial<Omit<RunPrPodOptions, "kubeConfig" | "pullRequest" | "namespace" | "signal" | "token">>;
  /**
   * Deploy previews: after a successful build, a PR whose repository's own config file (at the built
   * commit) has a `preview` section gets it deployed with this helm, tested, and torn down, or with
   * `keep` left up for `ttlHours` (then `pr-pod cleanup` expires it and the PR's close deletes it).
   */
  previews?: ServicePreviewOptions;
  feedback?: FeedbackFactory;
  isCollaborator?: CollaboratorCheck;
  maxRunning?: number;
  maxRunningPerRepo?: number;
  maxQueued?: number;
  /**
   * How long after the delivery arrived its claim is waited for before the answer goes out anyway
   * (202, the claim still in flight). Default 500 ms, so GitHub hears back within a second however
   * slow the cluster is.
   */
  claimTimeoutMs?: number;
  /**
   * How long this replica may go without renewing its lease before another takes its unfinished
   * deliveries over. Default 30 s.
   */
  leaseDurationMs?: number;
  /** Retry-After of a 503. Default 30. */
  retryAfterSeconds?: number;
  /**
   * How long a close waits to see a PR's preview namespaces gone. Default 120 s. Past it the close
   * is done anyway (the deletes were accepted; Kubernetes finishes them) and a warning names them.
   */
  previewDeleteWaitMs?: number;
}

export class PullRequestHandlers {
  readonly ledger: DeliveryLedger;
  /** Every claim of the namespace, watched: what tells a run that a newer push or a close replaced it. */
  readonly claims: ClaimIndex;
  /** This replica's lease: while it is renewed, nobody takes this replica's deliveries. */
  readonly lease: ReplicaLease;
  readonly #leases: LeaseObserver;
  readonly queue: RunQueue;
  readonly #options: PullRequestHandlersOptions;
  readonly #log: Logger;
  /** Background work (supersede, close, pending statuses) that shutdown waits for. */
  readonly #background = new Set<Promise<unknown>>();

  constructor(options: PullRequestHandlersOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.ledger = new DeliveryLedger({ kubeConfig: options.kubeConfig, namespace: options.namespace });
    const { kubeConfig, namespace, instanceId, logger } = options;
    this.lease = new ReplicaLease({
      kubeConfig,
      namespace,
      instanceId,
      logger,
      ...(options.leaseDurationMs !== undefined ? { durationMs: options.leaseDurationMs } : {}),
    });
    this.#leases = new LeaseObserver({ kubeConfig, namespace, defaultDurationMs: this.lease.durationMs });
    this.claims = new ClaimIndex({
      kubeConfig: options.kubeConfig,
      namespace: options.namespace,
      logger: options.logger,
    });
    this.queue = new RunQueue({
      maxRunning: options.maxRunning ?? 4,
      maxRunningPerRepo: options.maxRunningPerRepo ?? 2,
      maxQueued: options.maxQueued ?? 100,
      onChange: ({ queued, running }) => {
        options.metrics.queueDepth.set({ state: "queued" }, queued);
        options.metrics.queueDepth.set({ state: "running" }, running);
      },
    });
  }

  /**
   * A pull_request delivery: claim it, queue or act, and answer. Never throws. `receivedAt`
   * (performance.now() when the request arrived) starts the claim's time budget.
   */
  async onPullRequest(
    deliveryId: string,
    event: PullRequestEvent,
    receivedAt = performance.now(),
  ): Promise<DeliveryAnswer> {
    let decision: ReturnType<typeof decidePullRequest>;
    try {
      decision = decidePullRequest(event, this.#options.policy);
    } catch (error) {
      return { status: 400, outcome: "invalid-payload", message: messageOf(error) };
    }
    if (decision.kind === "skip") return { status: 202, outcome: "skipped", message: decision.reason };

    if (decision.kind === "close") {
      const claim = this.#newClaim(deliveryId, "close", decision);
      const claimed = await this.#claim(claim, receivedAt, () => this.#track(this.#close(claim)));
      if (claimed) return claimed;
      return { status: 202, outcome: "accepted", message: `removing the runs of ${prKeyOf(claim)}` };
    }

    const { context } = decision;
    const claim = this.#newClaim(deliveryId, "run", context, context);
    if (decision.kind === "run-if-collaborator") claim.approvedBy = decision.login;
    const prKey = prKeyOf(claim);
    if (this.queue.has(prKey, context.headSha)) {
      claim.state = "done";
      const claimed = await this.#claim(claim, receivedAt, () => undefined);
      return (
        claimed ?? {
          status: 202,
          outcome: "coalesced",
          message: `a run of ${prKey} at ${context.headSha.slice(0, 7)} is already queued or running here`,
        }
      );
    }
    if (!this.queue.reserve()) {
      return {
        status: 503,
        outcome: "queue-full",
        message: `the run queue is full (${this.queue.queued} waiting): deliver again later`,
        retryAfterSeconds: this.#options.retryAfterSeconds ?? 30,
      };
    }
    const claimed = await this.#claim(
      claim,
      receivedAt,
      () => this.#accepted(claim, decision.supersedes),
      () => this.queue.release(),
    );
    if (claimed) return claimed;
    return {
      status: 202,
      outcome: "accepted",
      message: `run of ${prKey} at ${context.headSha.slice(0, 7)} queued`,
    };
  }

  /** Resumes what this replica accepted and did not finish (after a crash or a restart). */
  async resume(): Promise<number> {
    const claims = await this.ledger.unfinished(this.#options.instanceId);
    for (const claim of claims) {
      this.#log.info({ delivery: claim.deliveryId, kind: claim.kind, pr: prKeyOf(claim) }, "resuming a delivery");
      this.#resumeClaim(claim);
    }
    return claims.length;
  }

  /**
   * Takes over the unfinished deliveries of replicas whose lease was not renewed for its whole
   * duration (as observed here: call it periodically; the first call only starts observing). Each
   * claim moves with a conditional replace, so of several replicas taking over at once one wins; the
   * run is then resumed as after a restart (a Job still running is followed, not made again).
   */
  async takeOverGoneReplicas(): Promise<number> {
    const me = this.#options.instanceId;
    await this.#leases.observe();
    const byInstance = new Map<string, DeliveryClaim[]>();
    // From the claim watch's memory; from the API while the watch is down.
    const unfinished = this.claims.synced
      ? this.claims.unfinishedOfOthers(me)
      : await this.ledger.unfinishedOfOthers(me);
    for (const claim of unfinished) {
      byInstance.set(claim.instance, [...(byInstance.get(claim.instance) ?? []), claim]);
    }
    let taken = 0;
    for (const [instance, claims] of byInstance) {
      if (!this.#leases.isGone(instance)) continue;
      for (const claim of claims) {
        if (this.queue.closed) return taken;
        const mine = await this.ledger.takeOver(claim.name, instance, me);
        if (!mine) continue;
        taken++;
        this.#log.info(
          { delivery: mine.deliveryId, kind: mine.kind, pr: prKeyOf(mine), from: instance },
          "took over a delivery of a replica gone for good",
        );
        this.#resumeClaim(mine);
      }
      await this.#leases.forget(instance);
    }
    // Gone replicas with nothing left to take over (every rollout of a Deployment leaves one): their
    // leases go too, so the leases stay one per live replica.
    for (const holder of this.#leases.goneHolders()) {
      if (holder !== toLabelValue(me)) await this.#leases.forget(holder);
    }
    return taken;
  }

  #resumeClaim(claim: DeliveryClaim): void {
    if (claim.kind === "close") this.#track(this.#close(claim));
    else if (claim.context) {
      this.queue.reserve();
      this.queue.add(this.#queuedRun(claim));
    }
  }

  /** Stops taking runs; lets running ones finish within graceMs, else aborts and cleans them up. */
  async shutdown(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    const left = await this.queue.close(graceMs);
    // Waiting runs keep their claims ("queued"): this replica resumes them when it starts again.
    if (left.length > 0) this.#log.info({ waiting: left.length }, "left waiting runs for the next start");
    // Background work (statuses to GitHub, supersedes, closes) gets what is left of the grace, at least
    // BACKGROUND_GRACE_MS: a GitHub that does not answer must not keep the pod past its termination grace.
    const background = [...this.#background];
    if (background.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled(background).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), Math.max(BACKGROUND_GRACE_MS, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.#log.warn(
        { unfinished: this.#background.size },
        "shutdown: background work (PR statuses, supersedes, closes) did not finish within the grace and was left unfinished",
      );
    }
  }

  #newClaim(
    deliveryId: string,
    kind: "run" | "close",
    pr: { owner: string; repo: string; number: number },
    context?: PullRequestContext,
  ): DeliveryClaim & { approvedBy?: string } {
    const claim: DeliveryClaim = {
      name: "",
      deliveryId,
      kind,
      owner: pr.owner,
      repo: pr.repo,
      number: pr.number,
      instance: this.#options.instanceId,
      acceptedAtMs: Date.now(),
      state: "queued",
    };
    if (context) {
      claim.context = context;
      claim.headSha = context.headSha;
    }
    return claim;
  }

  /**
   * Claims the delivery; undefined when claimed (then `onClaimed` ran), else the answer. A claim not
   * confirmed claimTimeoutMs after the delivery arrived is answered 202 while it goes on: whoever's
   * create lands first (this one, or a redelivery's here or on another replica) runs the delivery,
   * the others get AlreadyExists, so the answer never waits on a slow cluster and no delivery runs
   * twice. A claim that fails outright (cluster unreachable) within the budget is a 503.
   */
  async #claim(
    claim: DeliveryClaim & { approvedBy?: string },
    receivedAt: number,
    onClaimed: () => void,
    onNotClaimed: () => void = () => undefined,
  ): Promise<DeliveryAnswer | undefined> {
    claim.name = claimName(claim.deliveryId);
    if (claim.approvedBy && claim.context) {
      // Kept with the claim, so a resumed run still checks the label's author.
      claim.context = { ...claim.context, approvedBy: claim.approvedBy } as PullRequestContext;
    }
    const pending = this.ledger.claim(claim).then(
      (result) => {
        if (result === "claimed") onClaimed();
        else onNotClaimed();
        return result;
      },
      (error: unknown) => {
        onNotClaimed();
        throw error;
      },
    );
    const timeoutMs = this.#options.claimTimeoutMs ?? 500;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), Math.max(0, receivedAt + timeoutMs - performance.now()));
    });
    try {
      const result = await Promise.race([pending, late]);
      if (result === "late") {
        pending.catch((error: unknown) => {
          // Answered already: only a redelivery (GitHub's Recent Deliveries, or its API) can bring it back.
          this.#options.metrics.deliveries.inc({ event: "pull_request", outcome: "claim-failed-after-answer" });
          this.#log.error(
            { delivery: claim.deliveryId, err: messageOf(error) },
            "the delivery was answered 202 but its claim failed: redeliver it from the webhook's Recent Deliveries",
          );
        });
        return {
          status: 202,
          outcome: "accepted-unconfirmed",
          message: `accepted; the cluster has not confirmed the claim within ${timeoutMs} ms, it goes on (a redelivery never runs it twice)`,
        };
      }
      if (result === "duplicate") {
        return { status: 200, outcome: "duplicate", message: `delivery ${claim.deliveryId} was handled before` };
      }
      return undefined;
    } catch (error) {
      this.#log.warn({ delivery: claim.deliveryId, err: messageOf(error) }, "could not claim the delivery");
      return this.#unavailable(`the cluster is not reachable (${messageOf(error)})`);
    } finally {
      clearTimeout(timer);
    }
  }

  #unavailable(why: string): DeliveryAnswer {
    return {
      status: 503,
      outcome: "cluster-unavailable",
      message: `${why}: deliver again later`,
      retryAfterSeconds: this.#options.retryAfterSeconds ?? 30,
    };
  }

  #accepted(claim: DeliveryClaim, supersedes: boolean): void {
    const context = claim.context!;
    const feedback = this.#options.feedback?.(context);
    if (feedback) this.#track(feedback.start());
    if (supersedes) this.#track(this.#supersedeOthers(claim));
    this.queue.add(this.#queuedRun(claim, feedback));
  }

  /**
   * Older runs of the PR: withdrawn or aborted here, and their Jobs deleted from the cluster wherever
   * they run. Another live replica also aborts its own run as soon as its claim watch sees this claim;
   * the delete covers a replica that is gone. One list of Jobs, not a cleanup of every kind: a run's
   * other objects are owned by its Job, so the garbage collector removes them with it.
   */
  async #supersedeOthers(claim: DeliveryClaim): Promise<void> {
    const prKey = prKeyOf(claim);
    const reason = `superseded by ${claim.headSha?.slice(0, 7)} (delivery ${claim.deliveryId})`;
    await this.queue.cancel(prKey, reason, claim.headSha);
    const { kubeConfig, namespace } = this.#options;
    const labelSelector = `${prPodSelector(claim)},${LEDGER_LABELS.headSha}!=${toLabelValue(claim.headSha ?? "")}`;
    const batch = kubeConfig.makeApiClient(BatchV1Api);
    try {
      const jobs = await batch.listNamespacedJob({ namespace, labelSelector });
      const deleted: string[] = [];
      for (const job of jobs.items) {
        const name = job.metadata?.name ?? "";
        if (job.metadata?.deletionTimestamp) continue;
        try {
          await batch.deleteNamespacedJob({ namespace, name, propagationPolicy: "Background" });
          deleted.push(name);
        } catch (error) {
          if (httpStatusOf(error) !== 404) throw error;
        }
      }
      if (deleted.length > 0) this.#log.info({ delivery: claim.deliveryId, pr: prKey, deleted }, reason);
    } catch (error) {
      this.#log.warn({ delivery: claim.deliveryId, err: messageOf(error) }, "could not remove superseded runs");
    }
  }

  async #close(claim: DeliveryClaim): Promise<void> {
    const prKey = prKeyOf(claim);
    await this.queue.cancel(prKey, `pull request ${prKey} was closed`);
    try {
      const deleted = await cleanupPrPods(this.#options.kubeConfig, {
        namespace: this.#options.namespace,
        selector: prPodSelector(claim),
      });
      const previews = await this.#deleteClosedPreviews(claim);
      await this.ledger.setState(claim.name, "done", { outcome: "closed" });
      this.#log.info(
        { delivery: claim.deliveryId, pr: prKey, deleted: deleted.length, previews },
        "closed: runs removed",
      );
    } catch (error) {
      // The claim stays unfinished: the next start of this replica retries it.
      this.#log.warn(
        { delivery: claim.deliveryId, pr: prKey, err: messageOf(error) },
        "could not clean up a closed PR",
      );
    }
  }

  /**
   * A closed PR's previews (kept with keep-preview, or left by a run that died) go the way
   * `pr-pod preview down` deletes one. A service not allowed to delete namespaces (the chart's
   * previews.cleanup off) says so and leaves them to `pr-pod preview expire`; any other failure
   * throws, so the close is retried.
   */
  async #deleteClosedPreviews(claim: DeliveryClaim): Promise<string[]> {
    const waitMs = this.#options.previewDeleteWaitMs ?? 120_000;
    try {
      const deleted = await deletePullRequestPreviews(
        this.#options.kubeConfig,
        { repo: `${claim.owner}/${claim.repo}`, pr: claim.number },
        { waitMs },
      );
      if (deleted.stillTerminating.length > 0) {
        // The deletes were accepted: a slow namespace must not hold the close (or a shutdown) for minutes.
        this.#log.warn(
          { delivery: claim.deliveryId, pr: prKeyOf(claim), terminating: deleted.stillTerminating },
          `closed: preview namespaces still being deleted after ${waitMs / 1000} s; Kubernetes finishes on its own`,
        );
      }
      return deleted.namespaces;
    } catch (error) {
      if (httpStatusOf(error) !== 403) throw error;
      this.#log.warn(
        { delivery: claim.deliveryId, pr: prKeyOf(claim), err: messageOf(error) },
        "closed: not allowed to list or delete preview namespaces, so the PR's previews stay until they expire (grant it with the chart's previews.cleanup: true, or run pr-pod preview expire)",
      );
      return [];
    }
  }

  #queuedRun(claim: DeliveryClaim, feedback?: PullRequestFeedback) {
    const context = claim.context!;
    return {
      repoKey: `${claim.owner}/${claim.repo}`,
      prKey: prKeyOf(claim),
      headSha: claim.headSha ?? "",
      deliveryId: claim.deliveryId,
      execute: (signal: AbortSignal) => this.#execute(claim, context, signal, feedback),
      withdrawn: (reason: string) => {
        this.#options.metrics.runs.inc({ status: "superseded" });
        this.#track(
          this.#finishClaim(claim, "superseded", feedback, {
            status: "aborted",
            reason: "Superseded",
            message: reason,
          }),
        );
      },
    };
  }

  async #execute(
    claim: DeliveryClaim,
    context: PullRequestContext,
    queueSignal: AbortSignal,
    feedback = this.#options.feedback?.(context),
  ): Promise<void> {
    const log = this.#log.child({ delivery: claim.deliveryId, pr: prKeyOf(claim) });
    const metrics = this.#options.metrics;
    // A newer push or a close of the PR, accepted here or by another replica, ends this run the moment
    // the claim watch sees it (that replica also deletes this run's Job, which ends it as well).
    const controller = new AbortController();
    const stopWatching = this.claims.whenSuperseded(claim, (newer) =>
      controller.abort(new Error(`superseded by delivery ${newer.deliveryId}`)),
    );
    try {
      const newer = await this.#newerClaim(claim);
      if (newer) {
        stopWatching();
        metrics.runs.inc({ status: "superseded" });
        const message = `superseded by delivery ${newer.deliveryId} before it started`;
        log.info(message);
        await this.#finishClaim(claim, "superseded", feedback, { status: "aborted", reason: "Superseded", message });
        return;
      }
      const approvedBy = (context as PullRequestContext & { approvedBy?: string }).approvedBy;
      if (approvedBy && !(await this.#mayApprove(context, approvedBy))) {
        metrics.runs.inc({ status: "not-approved" });
        log.info({ label_author: approvedBy }, "the ok-to-test label's author is not a collaborator: no run");
        await this.ledger.setState(claim.name, "done", { outcome: "not-approved" });
        stopWatching();
        return;
      }
      await this.ledger.setState(claim.name, "running");
    } catch (error) {
      stopWatching();
      log.warn({ err: messageOf(error) }, "cluster not reachable before the run; it stays queued for the next start");
      return;
    }

    const abort = () => controller.abort(queueSignal.reason);
    queueSignal.addEventListener("abort", abort, { once: true });
    const started = Date.now();
    const { kubeConfig, namespace, instanceId } = this.#options;
    const run = runPrPod({
      noConfigFile: true,
      ...this.#options.run,
      kubeConfig,
      namespace,
      pullRequest: { kind: "context", context: stripApproval(context) },
      ...(this.#options.token ? { token: this.#options.token } : {}),
      ...(this.#options.allowForkToken !== undefined ? { allowForkToken: this.#options.allowForkToken } : {}),
      // The repository says what its preview deploys (its config file's preview section); the
      // service only whether previews deploy at all, with which helm, and how long they are kept.
      ...(this.#options.previews ? { preview: { ...this.#options.previews, fromRepository: true } } : {}),
      signal: controller.signal,
      jobMetadata: {
        labels: { [LEDGER_LABELS.instance]: toLabelValue(instanceId) },
        annotations: { [DELIVERY_ANNOTATION]: claim.deliveryId },
      },
    });
    let result: RunResult | undefined;
    let failure: unknown;
    try {
      for await (const event of run) {
        if (event.type === "created" && event.kind === "Job") {
          log.info({ run: event.name }, "run started");
        } else if (event.type === "reused") {
          log.info({ run: event.name }, "run followed: its Job was already running in the cluster");
        } else if (event.type === "warning") log.warn({ warning: event.message }, "run warning");
      }
      result = await run.result;
    } catch (error) {
      failure = error;
    } finally {
      stopWatching();
      queueSignal.removeEventListener("abort", abort);
    }

    const shuttingDown = queueSignal.aborted && /shutting down/.test(messageOf(queueSignal.reason));
    if (shuttingDown) {
      // Aborted and cleaned up by the runner; the claim goes back to "queued" for the next start.
      await this.ledger.setState(claim.name, "queued").catch(() => undefined);
      log.info({ run: result?.jobName }, "run handed back for the next start");
      return;
    }
    if ((failure !== undefined || !result) && controller.signal.aborted) {
      // Replaced (a newer push or a close) before the run got as far as its pull request: the runner
      // stopped before creating anything, which is an abort, not an error.
      metrics.runs.inc({ status: "superseded" });
      const message = messageOf(controller.signal.reason);
      log.info({ reason: message }, "run stopped before it started");
      await this.#finishClaim(claim, "superseded", feedback, { status: "aborted", reason: "Superseded", message });
      return;
    }
    if (failure !== undefined || !result) {
      metrics.runs.inc({ status: "error" });
      const message = messageOf(failure);
      log.error({ err: message }, "run could not complete");
      await this.#finishClaim(claim, "error", feedback, { status: "error", reason: codeOf(failure), message });
      return;
    }
    let status: string = result.status;
    if (result.status !== "succeeded") {
      const newer = await this.#newerClaim(claim, { confirm: true }).catch(() => undefined);
      // A close stops the run for good ("aborted"); a newer push replaces it ("superseded").
      if (newer) status = newer.kind === "close" ? "aborted" : "superseded";
    }
    metrics.runs.inc({ status });
    metrics.runDuration.observe({ status }, (Date.now() - started) / 1000);
    log.info({ run: result.jobName, status, reason: result.reason }, "run finished");
    await this.#finishClaim(claim, status, feedback, {
      status: status === "superseded" ? "aborted" : result.status,
      reason: status === "superseded" ? "Superseded" : result.reason,
      message: result.message,
      ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
      ...(result.report !== undefined ? { report: result.report } : {}),
      durationsMs: result.durationsMs,
      namespace: result.namespace,
      jobName: result.jobName,
    });
  }

  /**
   * A claim that replaces this one, from the claim watch; from a list when the watch is down, or
   * (`confirm`) when the watch has none yet: it may lag behind a Job deletion seen on another watch.
   */
  async #newerClaim(claim: DeliveryClaim, { confirm = false } = {}): Promise<DeliveryClaim | undefined> {
    if (!this.claims.synced) return this.ledger.supersededBy(claim);
    return this.claims.supersededBy(claim) ?? (confirm ? this.ledger.supersededBy(claim) : undefined);
  }

  async #mayApprove(context: PullRequestContext, login: string): Promise<boolean> {
    const check = this.#options.isCollaborator;
    if (!check) return false;
    try {
      return await check(context.owner, context.repo, login);
    } catch (error) {
      this.#log.warn({ err: messageOf(error), login }, "could not check the label author's permission");
      return false;
    }
  }

  async #finishClaim(
    claim: DeliveryClaim,
    outcome: string,
    feedback: PullRequestFeedback | undefined,
    feedbackOutcome: FeedbackOutcome,
  ): Promise<void> {
    await feedback?.finish(feedbackOutcome);
    try {
      await this.ledger.setState(claim.name, "done", { outcome });
      this.#log.info({ delivery: claim.deliveryId, outcome }, "delivery done");
    } catch (error) {
      this.#log.warn({ delivery: claim.deliveryId, err: messageOf(error) }, "could not mark the delivery done");
    }
  }

  #track(work: Promise<unknown> | undefined): void {
    if (!work) return;
    const tracked = work.catch((error: unknown) => this.#log.warn({ err: messageOf(error) }, "background work failed"));
    this.#background.add(tracked);
    void tracked.finally(() => this.#background.delete(tracked));
  }
}

export function prKeyOf(pr: { owner: string; repo: string; number: number }): string {
  return `${pr.owner}/${pr.repo}#${pr.number}`;
}

function stripApproval(context: PullRequestContext): PullRequestContext {
  const { approvedBy: _approvedBy, ...rest } = context as PullRequestContext & { approvedBy?: string };
  return rest;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "Error";
}
