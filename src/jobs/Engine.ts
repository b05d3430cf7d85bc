/**
 * The bulk-job engine: runs a job's planned operations with bounded concurrency under a shared rate
 * gate (`RateGate.ts`), records them in the journal, publishes progress events and returns a typed
 * report.
 *
 * One runner at a time applies a job: a run holds the job's lease in the journal (renewed by a
 * background fiber while it runs, released when it ends); a second runner with the same job id is
 * refused with `LeaseHeldError` (or waits, `wait: true`), and a lease its holder left to expire (it
 * died) is taken over. An operation is sent only once it is recorded in flight under this run's lease,
 * so a journal that becomes unreachable stops the run before anything unrecorded is changed.
 *
 * @since 0.1.0
 */
import { Cause, Clock, Config, Duration, Effect, Exit, FiberRef, Option, PubSub, Ref, Schedule, Schema } from "effect"
import { hostname } from "node:os"
import { InvalidRequestError } from "../Errors.ts"
import { Keys } from "../Keys.ts"
import { Journal, JournalError, type Lease, LeaseHeldError } from "./Journal.ts"
import type * as Journals from "./Journal.ts"
import * as RateGate from "./RateGate.ts"
import * as Specs from "./Specs.ts"

// --- events -----------------------------------------------------------------------------------------

/**
 * What a job's items are; "changes" when one person stands for several (keys, guardrails, membership).
 *
 * @since 0.1.0
 * @category models
 */
export type JobUnit = "users" | "memberships" | "files" | "budgets" | "keys" | "changes"

/**
 * Items settled, counted by the report's outcome: `done` (this run changed it), `already` (in place
 * already: `already-done`), `failed`, `skipped`, `unknown`, `waiting`. Every item a report holds is
 * counted in exactly one event, so the events' sums are the report's totals.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settled {
  readonly done: number
  readonly already: number
  readonly failed: number
  readonly skipped: number
  readonly unknown: number
  readonly waiting: number
}

/**
 * @since 0.1.0
 * @category models
 */
export type JobEvent =
  /**
   * `total` operations planned; `items`: the items the report will hold (memberships, files, budgets …,
   * including those settled without an operation), as far as the plan knows them.
   */
  | {
    readonly _tag: "Planned"
    readonly jobId: string
    readonly kind: string
    readonly unit: JobUnit
    readonly total: number
    readonly items: number
  }
  | { readonly _tag: "Started"; readonly key: string }
  | ({ readonly _tag: "Succeeded"; readonly key: string } & Settled)
  | ({ readonly _tag: "Failed"; readonly key: string; readonly reason: string } & Settled)
  /**
   * Items settled without a request of this run: the plan's (members in place, users not resolved),
   * and what an earlier run of this job did (`earlier`, from the journal). A count is negative when an
   * earlier run's item, counted here before, was settled again by this run's own request.
   */
  | ({ readonly _tag: "Settled"; readonly earlier: boolean } & Settled)
  | RateGate.GateEvent
  /** What a plan is reading, for a long plan: "workspaces" 3/14, "members of sales" 2,300/5,000. */
  | { readonly _tag: "Reading"; readonly what: string; readonly done: number; readonly total: number | undefined }
  /** Another runner holds the job's lease; this run waits for it (`wait: true`) until about `until`. */
  | { readonly _tag: "Waiting"; readonly jobId: string; readonly holder: Journals.Holder }
  /** The runner that held the job died (its lease expired unrenewed): this run took the job over. */
  | { readonly _tag: "TookOver"; readonly jobId: string; readonly previous: Journals.Holder }
  | { readonly _tag: "Finished"; readonly report: JobReport }

// --- report -----------------------------------------------------------------------------------------

/**
 * "waiting": due later (a key rotation's old key whose grace has not passed) — neither failed nor skipped.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ItemOutcome = Schema.Literal("done", "skipped", "failed", "already-done", "unknown", "waiting")

/**
 * @since 0.1.0
 * @category models
 */
export class ReportItem extends Schema.Class<ReportItem>("ReportItem")({
  kind: Schema.Literal("user", "membership", "guardrail-assignment", "file", "workspace", "budget", "key"),
  key: Schema.String,
  /** What was (to be) done, naming workspaces by slug: "add to team-a", "delete notes.txt". */
  action: Schema.String,
  outcome: ItemOutcome,
  reason: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class JobReport extends Schema.Class<JobReport>("JobReport")({
  jobId: Schema.String,
  kind: Schema.String,
  dryRun: Schema.Boolean,
  /** "completed", or "interrupted" for the partial report of a run that was stopped. */
  status: Schema.Literal("completed", "interrupted"),
  items: Schema.Array(ReportItem),
  totals: Schema.Record({ key: Schema.String, value: Schema.Number }),
  requests: Schema.Number,
  rateLimited: Schema.Number,
  durationMs: Schema.Number
}) {
  get failed() {
    return this.items.filter((item) => item.outcome === "failed")
  }

  /** Outcomes per kind of item: `{ membership: { done: 200, "already-done": 6 }, key: { … } }`. */
  get totalsByKind(): Readonly<Record<string, Readonly<Record<string, number>>>> {
    const byKind: Record<string, Record<string, number>> = {}
    for (const item of this.items) {
      const counts = (byKind[item.kind] ??= {})
      counts[item.outcome] = (counts[item.outcome] ?? 0) + 1
    }
    return byKind
  }
}

/**
 * @since 0.1.0
 * @category counting
 */
export const totalsOf = (items: ReadonlyArray<ReportItem>) => {
  const totals: Record<string, number> = { items: items.length }
  for (const item of items) totals[item.outcome] = (totals[item.outcome] ?? 0) + 1
  return totals
}

// --- options ----------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface ApplyOptions {
  /** Resume a job by id; default a new id. */
  readonly jobId?: string
  /** Operations (and plan reads) in flight at once, ≥ 1. Default 4. */
  readonly concurrency?: number
  /** Client-side limit in requests per second, ≥ 1. Default 10. */
  readonly rate?: number
  /** Progress events are published here (e.g. for a progress bar). */
  readonly events?: PubSub.PubSub<JobEvent>
  /** Called with the partial report when the run is interrupted (after the journal says where it stopped). */
  readonly onInterrupted?: (report: JobReport) => Effect.Effect<void>
  /**
   * When another runner holds the job's lease: wait until it ends (or dies) instead of failing with
   * `LeaseHeldError`. Default false.
   */
  readonly wait?: boolean
  /** Who applies the job, as the lease records it. Default this process (`os.hostname()`, `process.pid`). */
  readonly owner?: { readonly host: string; readonly pid: number }
  /**
   * How long a lease lasts unrenewed (default `OPENROUTER_JOURNAL_LEASE_TTL`, else 30 seconds) and how
   * often the run renews it (default a third of that). A runner that dies is taken over after `ttl`.
   */
  readonly lease?: { readonly ttl?: Duration.DurationInput; readonly renewEvery?: Duration.DurationInput }
}

/**
 * @since 0.1.0
 * @category utils
 */
export const newJobId = (kind: string) =>
  `${kind}-${new Date().toISOString().replace(/[-:T.Z]/g, "").slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultConcurrency = 4

const positive = (name: string, value: number | undefined, fallback: number) => {
  if (value === undefined) return Effect.succeed(fallback)
  return typeof value === "number" && Number.isFinite(value) && value >= 1
    ? Effect.succeed(value)
    : Effect.fail(new InvalidRequestError({ operation: "job", issue: `${name} must be a number ≥ 1, got ${String(value)}` }))
}

/**
 * `concurrency` and `rate` checked (≥ 1), with their defaults: the rule, checked at a job's entry.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkOptions = (options: { readonly concurrency?: number | undefined; readonly rate?: number | undefined }) =>
  Effect.all({
    concurrency: positive("concurrency", options.concurrency, defaultConcurrency),
    rate: positive("rate", options.rate, RateGate.defaultRate)
  })

// --- the lease ----------------------------------------------------------------------------------------

/**
 * The default lease: 30 seconds unrenewed; renewed every third of that.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLeaseTtl = Duration.seconds(30)

/** `OPENROUTER_JOURNAL_LEASE_TTL`: a duration ("30 seconds", "500 millis") or a number of seconds. */
const leaseTtlFromEnv = Effect.flatMap(Config.option(Config.string("OPENROUTER_JOURNAL_LEASE_TTL")), (value) => {
  if (Option.isNone(value)) return Effect.succeed(Option.none<Duration.Duration>())
  const text = value.value.trim()
  const decoded = /^\d+(\.\d+)?$/.test(text) ? Option.some(Duration.seconds(Number(text))) : Duration.decodeUnknown(text)
  return Option.isSome(decoded) && Duration.toMillis(decoded.value) > 0
    ? Effect.succeed(decoded)
    : Effect.fail(
      new InvalidRequestError({
        operation: "job",
        issue: `OPENROUTER_JOURNAL_LEASE_TTL must be a duration such as "30 seconds" (or a number of seconds), got ${JSON.stringify(value.value)}`
      })
    )
}).pipe(Effect.catchTag("ConfigError", () => Effect.succeed(Option.none<Duration.Duration>())))

const leaseTimes = (options: ApplyOptions) =>
  Effect.gen(function*() {
    const given = options.lease?.ttl === undefined ? Option.none<Duration.Duration>() : Duration.decodeUnknown(options.lease.ttl)
    if (options.lease?.ttl !== undefined && (Option.isNone(given) || Duration.toMillis(given.value) <= 0)) {
      return yield* new InvalidRequestError({ operation: "job", issue: `lease.ttl must be a positive duration, got ${String(options.lease.ttl)}` })
    }
    const ttl = Option.isSome(given) ? given.value : Option.getOrElse(yield* leaseTtlFromEnv, () => defaultLeaseTtl)
    const renewEvery = options.lease?.renewEvery === undefined
      ? Duration.millis(Math.max(1, Math.floor(Duration.toMillis(ttl) / 3)))
      : Duration.decode(options.lease.renewEvery)
    return { ttl, renewEvery }
  })

const ownerOf = (options: ApplyOptions) => options.owner ?? { host: hostname(), pid: process.pid }

/**
 * Fail at once with `LeaseHeldError` while another runner holds `jobId`'s lease (or, with `wait`,
 * wait until it no longer does). Changes nothing: a job can call it before planning, so a second
 * runner is refused before it reads anything; the lease itself is taken when the job runs.
 *
 * @since 0.1.0
 * @category applying
 */
export const checkLease = (jobId: string, options: Pick<ApplyOptions, "wait" | "events" | "lease"> = {}) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    const { renewEvery } = yield* leaseTimes(options)
    let announced = false
    while (true) {
      const record = yield* journal.get(jobId)
      if (Option.isNone(record) || record.value.status !== "running" || !record.value.holder) return
      const holder = record.value.holder
      if (!options.wait) {
        return yield* new LeaseHeldError({
          jobId,
          holder: { host: holder.host, pid: holder.pid, startedAt: holder.startedAt },
          renewedAt: holder.renewedAt,
          expiresAt: holder.expiresAt
        })
      }
      if (!announced) yield* publisherOf(options.events)({ _tag: "Waiting", jobId, holder })
      announced = true
      yield* Effect.sleep(renewEvery)
    }
  })

/**
 * A resume that does not match the job it names: another kind, or another spec.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResumeConflictError extends Schema.TaggedError<ResumeConflictError>()("ResumeConflictError", {
  jobId: Schema.String,
  /** The kind the journal recorded for the job. */
  savedKind: Schema.String,
  /** The kind this run is. */
  kind: Schema.String,
  /** How this run's spec differs from the recorded one ("workspaces: [a] → [a, b]"); empty when the kinds differ. */
  differences: Schema.Array(Schema.String)
}) {
  override get message() {
    return this.savedKind !== this.kind
      ? `job ${this.jobId} is a ${this.savedKind} job, not ${this.kind}: resume it as a ${this.savedKind} job, or use a new job id`
      : `job ${this.jobId} was started with another spec (${
        this.differences.join("; ")
      }): resume it with the spec it was started with, or use a new job id`
  }
}

// --- the key in use ----------------------------------------------------------------------------------

/**
 * The configured key answers `GET /key`, but it is not a management key: no job can run with it.
 *
 * @since 0.1.0
 * @category errors
 */
export class ManagementKeyRequiredError extends Schema.TaggedError<ManagementKeyRequiredError>()("ManagementKeyRequiredError", {
  /** The key's label (the masked key), never the key. */
  label: Schema.String
}) {
  override get message() {
    return `the configured API key (${this.label}) is not a management key, so it cannot manage the organisation; nothing was changed. ` +
      `Create a management key in OpenRouter's settings (Management keys) and set OPENROUTER_API_KEY to it`
  }
}

/**
 * Check once, before planning, that the configured key is a management key (`GET /key`): a job run
 * with an inference key stops here with {@link ManagementKeyRequiredError}, before reading anything else.
 *
 * @since 0.1.0
 * @category applying
 */
export const requireManagementKey = Effect.gen(function*() {
  const keys = yield* Keys
  const current = yield* keys.current()
  if (!current.data.isManagementKey) return yield* new ManagementKeyRequiredError({ label: current.data.label })
  return current.data
})

// --- the rate gate (RateGate.ts) -------------------------------------------------------------------

/** The rate gate's events are job events. */
const publisherOf = (events: PubSub.PubSub<JobEvent> | undefined) => (event: JobEvent) =>
  events ? Effect.asVoid(PubSub.publish(events, event)) : Effect.void

/**
 * Run `self` with every request going through one rate gate ({@link RateGate.gated}), publishing its
 * pauses and retries as job events.
 *
 * @since 0.1.0
 * @category applying
 */
export const gated = (options: { readonly rate?: number | undefined; readonly events?: PubSub.PubSub<JobEvent> | undefined }) =>
  RateGate.gated({ rate: options.rate, publish: publisherOf(options.events) })

// --- running operations -----------------------------------------------------------------------------

/**
 * One planned operation: what it covers, and how to run it.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlannedOperation {
  readonly key: string
  readonly payload: unknown
  /** How many items (users, files, budgets) it settles. */
  readonly items: number
  /**
   * Runs the operation; returns the report items it produced (failures are items). It fails only when a
   * journal write of its own (under {@link currentLease}) finds the lease lost or the journal gone: that
   * stops the run.
   */
  readonly run: Effect.Effect<ReadonlyArray<ReportItem> | OperationOutcome, LeaseHeldError | JournalError>
}

/**
 * The lease of the run applying a job, inside its operations (none elsewhere). An operation that
 * records in the journal itself passes it (`journal.mark(…, lease)`): once another runner has taken the
 * job over, that write fails with `LeaseHeldError` and the run stops, as the engine's own writes do.
 *
 * @since 0.1.0
 * @category applying
 */
export const currentLease: FiberRef.FiberRef<Option.Option<Lease>> = FiberRef.unsafeMake(Option.none<Lease>())

/**
 * What an operation may return besides its items: a `record` (plain JSON, never a secret) the journal
 * keeps with the operation's result, for the job's own later runs ({@link recordOf}).
 *
 * @since 0.1.0
 * @category models
 */
export interface OperationOutcome {
  readonly items: ReadonlyArray<ReportItem>
  readonly record: unknown
}

/**
 * The `record` an operation returned (from a journal entry's result), if any.
 *
 * @since 0.1.0
 * @category utils
 */
export const recordOf = (result: unknown): unknown => (result as { record?: unknown } | null)?.record

/**
 * A job ready to run: its spec, what its items are, the operations a fresh plan found necessary.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlannedJob {
  readonly kind: Specs.JobKind
  readonly spec: Specs.JobSpec
  readonly unit: JobUnit
  readonly operations: ReadonlyArray<PlannedOperation>
  /** Items settled without an operation (unresolved users, members already in place, …). */
  readonly extraItems: ReadonlyArray<ReportItem>
}

const itemId = (item: { readonly kind: string; readonly key: string; readonly action: string }) => `${item.kind}\u0000${item.key}\u0000${item.action}`

/**
 * Items counted by outcome, as events carry them.
 *
 * @since 0.1.0
 * @category counting
 */
export const settledOf = (items: ReadonlyArray<Pick<ReportItem, "outcome">>): Settled => {
  const counts = { done: 0, already: 0, failed: 0, skipped: 0, unknown: 0, waiting: 0 }
  for (const item of items) counts[item.outcome === "already-done" ? "already" : item.outcome]++
  return counts
}

const isEmptyCount = (counts: Settled) => Object.values(counts).every((n) => n === 0)

/** A resume of `saved` as a `kind` job with spec `encoded`: the same kind and spec, or the conflict. */
const conflictOf = (jobId: string, kind: string, encoded: unknown, saved: Journals.JobRecord) => {
  if (saved.kind !== kind) return Effect.fail(new ResumeConflictError({ jobId, savedKind: saved.kind, kind, differences: [] }))
  const differences = Specs.differences(saved.spec, encoded)
  return differences.length > 0 ? Effect.fail(new ResumeConflictError({ jobId, savedKind: saved.kind, kind, differences })) : Effect.void
}

/**
 * The resume check alone, writing nothing: the job as recorded (none for a new id), or
 * `ResumeConflictError` when it is another kind or was started with another spec. For callers that want
 * to refuse before planning; {@link begin} checks again when the job runs. Without `spec` (a resume
 * that will run the recorded spec) only the kind is checked.
 *
 * @since 0.1.0
 * @category applying
 */
export const checkResume = (jobId: string, kind: string, spec?: Specs.JobSpec | unknown) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    const saved = yield* journal.get(jobId)
    if (Option.isSome(saved)) {
      const encoded = spec === undefined
        ? saved.value.spec
        : typeof spec === "object" && spec !== null && "kind" in spec
        ? Specs.encode(spec as Specs.JobSpec)
        : spec
      yield* conflictOf(jobId, kind, encoded, saved.value)
    }
    return saved
  })

/**
 * Check a resume against the journal (the same kind and the same spec, or `ResumeConflictError` saying
 * what differs, the journal left as it was), then take the job's lease: `LeaseHeldError` while another
 * runner holds it, unless `wait`. Returns the lease and the operations earlier runs recorded.
 *
 * @since 0.1.0
 * @category applying
 */
export const begin = (jobId: string, kind: Specs.JobKind, spec: Specs.JobSpec, options: ApplyOptions = {}) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    const encoded = Specs.encode(spec)
    const publish = publisherOf(options.events)
    const { renewEvery, ttl } = yield* leaseTimes(options)
    const check = (saved: Journals.JobRecord) => conflictOf(jobId, kind, encoded, saved)
    const existing = yield* journal.get(jobId)
    if (Option.isSome(existing)) yield* check(existing.value)
    let announced = false
    const lease: Lease = yield* journal.acquire({ jobId, kind, spec: encoded, owner: ownerOf(options), ttl }).pipe(
      Effect.tapError((error) =>
        error._tag === "LeaseHeldError" && options.wait && !announced
          ? Effect.andThen(
            publish({ _tag: "Waiting", jobId, holder: { ...error.holder, renewedAt: error.renewedAt, expiresAt: error.expiresAt } }),
            () => {
              announced = true
            }
          )
          : Effect.void
      ),
      Effect.retry({ while: (error) => error._tag === "LeaseHeldError" && options.wait === true, schedule: Schedule.spaced(renewEvery) })
    )
    // the job may have been created by another runner between the look and the lease
    if (Option.isNone(existing) && Option.isSome(lease.previous)) {
      const conflict = yield* Effect.either(check(lease.previous.value))
      if (conflict._tag === "Left") {
        yield* journal.release(lease, lease.previous.value.status === "finished" ? "finished" : "interrupted")
        return yield* conflict.left
      }
    }
    if (Option.isSome(lease.tookOver)) yield* publish({ _tag: "TookOver", jobId, previous: lease.tookOver.value })
    return { lease, ttl, renewEvery, entries: yield* journal.entries(jobId) }
  })

/**
 * Run a freshly planned job: every planned operation runs (the plan was just read from the server, so
 * each is needed, whatever the journal says), with bounded concurrency under the job's gate, each
 * recorded in-flight before it is sent, then done/failed, every write under this run's lease (a run
 * whose lease was taken over records nothing more: it stops with `LeaseHeldError`). The journal decides
 * only what to report as already done: items earlier runs of this job did that the server now shows
 * in place. Interrupted, it records where it stopped and publishes the partial report as `Finished`
 * (status "interrupted"). A journal that fails mid-run stops the run with its `JournalError`; the job
 * is resumable.
 *
 * @since 0.1.0
 * @category applying
 */
export const run = (job: PlannedJob, options: ApplyOptions = {}) =>
  Effect.gen(function*() {
    // the options were checked at the job's entry (checkOptions)
    const concurrency = options.concurrency ?? defaultConcurrency
    const journal = yield* Journal
    const g = yield* RateGate.current
    const jobId = options.jobId ?? newJobId(job.kind)
    const publish = publisherOf(options.events)
    const { entries: earlier, lease, renewEvery, ttl } = yield* begin(jobId, job.kind, job.spec, options)

    // what earlier runs did: operations not planned again (the server shows them done) are reported
    const planned = new Set(job.operations.map((o) => o.key))
    const earlierDone = [...earlier.values()].filter((e) => e.status === "done" && !planned.has(e.key))
    const earlierItems = new Map<string, ReportItem>()
    for (const entry of earlier.values()) {
      for (const item of itemsOf(entry.result)) if (item.outcome === "done") earlierItems.set(itemId(item), item)
    }
    // a member this job added earlier is "already-done" now, not merely "skipped"
    const settle = (item: ReportItem) =>
      item.outcome === "skipped" && earlierItems.has(itemId(item)) ? new ReportItem({ ...item, outcome: "already-done" }) : item
    const extra = job.extraItems.map(settle)
    const seen = new Set(extra.map(itemId))
    const already = (item: ReportItem) => new ReportItem({ ...item, outcome: "already-done" })
    // an earlier run's items are counted from the start (an operation that runs again settles what is
    // still to do, rarely one of them: then it is this run's, and its count moves)
    const earlierShown = new Map<string, ReportItem>()
    for (const [id, item] of earlierItems) if (!seen.has(id)) earlierShown.set(id, already(item))

    const settled: Array<ReportItem> = []
    const report = (status: "completed" | "interrupted") =>
      Effect.gen(function*() {
        const items = [...extra, ...settled, ...earlierShown.values()]
        return new JobReport({
          jobId,
          kind: job.kind,
          dryRun: false,
          status,
          items,
          totals: totalsOf(items),
          requests: yield* Ref.get(g.requests),
          rateLimited: yield* Ref.get(g.rateLimited),
          // from the gate's start: the plan's reads are in `requests`, so its time is in here
          durationMs: (yield* Clock.currentTimeMillis) - g.startedAt
        })
      })

    const operations = Effect.gen(function*() {
      yield* journal.plan(jobId, job.operations.map(({ key, payload }) => ({ key, payload })))
      yield* publish({
        _tag: "Planned",
        jobId,
        kind: job.kind,
        unit: job.unit,
        total: job.operations.length + earlierDone.length,
        items: extra.length + job.operations.reduce((n, o) => n + o.items, 0) + earlierShown.size
      })
      const plannedCounts = settledOf(extra)
      if (!isEmptyCount(plannedCounts)) yield* publish({ _tag: "Settled", earlier: false, ...plannedCounts })
      const earlierCounts = settledOf([...earlierShown.values()])
      if (!isEmptyCount(earlierCounts)) yield* publish({ _tag: "Settled", earlier: true, ...earlierCounts })
      yield* Effect.forEach(job.operations, (operation) =>
        Effect.gen(function*() {
          yield* publish({ _tag: "Started", key: operation.key })
          // recorded before it is sent, or not sent at all
          yield* journal.mark(jobId, operation.key, "in-flight", undefined, lease)
          const outcome = yield* operation.run
          const { items: raw, record } = isOutcome(outcome) ? outcome : { items: outcome, record: undefined }
          const items = raw.map(settle)
          const counts = settledOf(items)
          yield* journal.mark(jobId, operation.key, counts.failed === items.length && items.length > 0 ? "failed" : "done", {
            items: items.map((item) => ({ ...item })),
            ...(record !== undefined ? { record } : {})
          }, lease)
          // an earlier run's item counted at the start that this run settled again is this run's now
          const retaken: Array<ReportItem> = []
          for (const item of items) {
            const shown = earlierShown.get(itemId(item))
            if (shown) {
              earlierShown.delete(itemId(item))
              retaken.push(shown)
            }
          }
          settled.push(...items)
          yield* counts.failed > 0
            ? publish({ _tag: "Failed", key: operation.key, reason: items.find((i) => i.outcome === "failed")!.reason ?? "failed", ...counts })
            : publish({ _tag: "Succeeded", key: operation.key, ...counts })
          if (retaken.length > 0) {
            const back = settledOf(retaken)
            yield* publish({
              _tag: "Settled",
              earlier: true,
              done: -back.done,
              already: -back.already,
              failed: -back.failed,
              skipped: -back.skipped,
              unknown: -back.unknown,
              waiting: -back.waiting
            })
          }
        }), { concurrency, discard: true })
    })

    // the lease is renewed while the operations run; losing it (or the journal) stops them
    const keepRenewed: Effect.Effect<never, JournalError | LeaseHeldError> = Effect.forever(
      Effect.zipRight(Effect.sleep(renewEvery), journal.renew(lease, ttl))
    )

    return yield* Effect.raceFirst(Effect.locally(operations, currentLease, Option.some(lease)), keepRenewed).pipe(
      // a journal lost mid-run: say that the run stopped safely and how to go on
      Effect.mapError((error) =>
        error._tag === "JournalError"
          ? new JournalError({
            target: error.target,
            reason: `${error.reason}, while job ${jobId} was running`,
            hint: `${error.hint}; the run stopped before sending any change it could not record: ` +
              `once the journal is back, run job ${jobId} again to resume it`
          })
          : error
      ),
      Effect.zipRight(Effect.gen(function*() {
        yield* journal.release(lease, "finished")
        const done = yield* report("completed")
        yield* publish({ _tag: "Finished", report: done })
        return done
      })),
      Effect.onExit((exit) =>
        Exit.isSuccess(exit) ? Effect.void : Effect.gen(function*() {
          // say where the run stopped; a journal that cannot be written any more is already the error
          yield* Effect.ignore(journal.release(lease, "interrupted"))
          if (!Exit.isInterrupted(exit) || Cause.isFailure(exit.cause)) return
          const partial = yield* report("interrupted")
          yield* publish({ _tag: "Finished", report: partial })
          if (options.onInterrupted) yield* options.onInterrupted(partial)
        })
      )
    )
  })

const isOutcome = (value: ReadonlyArray<ReportItem> | OperationOutcome): value is OperationOutcome => !Array.isArray(value)

/**
 * Report items recorded in the journal for one operation.
 *
 * @since 0.1.0
 * @category utils
 */
export const itemsOf = (result: unknown): ReadonlyArray<ReportItem> => {
  const items = (result as { items?: ReadonlyArray<ReportItem> } | null)?.items
  return Array.isArray(items) ? items.map((item) => new ReportItem(item)) : []
}

/**
 * A job id derived from what the job does and where: the same spec against the same API gets the same
 * id (so a re-run resumes it), another spec or API another one. For scripts that run unattended.
 *
 * @since 0.1.0
 * @category utils
 */
export const contentJobId = (spec: Specs.JobSpec, baseUrl: string) => {
  const text = `${baseUrl}\u0000${JSON.stringify(Specs.encode(spec))}`
  let h = 0x811c9dc5
  let g = 0x01000193
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
    g = Math.imul(g ^ text.charCodeAt(i), 0x5bd1e995)
  }
  return `${spec.kind}-${(h >>> 0).toString(36)}${(g >>> 0).toString(36)}`
}

// --- applying a spec or a saved plan ----------------------------------------------------------------

/**
 * What a job's `apply` accepts besides the engine's options.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApplyJobOptions extends ApplyOptions {
  /** A plan made moments ago in the same run (as the CLI does): run it as it is, without re-reading. */
  readonly trusted?: boolean
}

/**
 * A job's `apply`, the same for every job: a spec is planned, then run; a saved plan is decoded and,
 * unless trusted, checked against the server first (`recheck`: what no longer applies comes back as
 * skipped items and is left alone). Everything runs under one rate gate.
 *
 * @since 0.1.0
 * @category applying
 */
export const applyJob = <P, E1, R1, E2, R2, E3, R3>(job: {
  readonly kind: Specs.JobKind
  readonly planSchema: Schema.Schema<P, any>
  readonly plan: (spec: unknown, options: ApplyOptions) => Effect.Effect<P, E1, R1>
  readonly recheck: (
    saved: P,
    concurrency: number
  ) => Effect.Effect<{ readonly plan: P; readonly stale: ReadonlyArray<ReportItem> }, E2, R2>
  readonly execute: (plan: P, stale: ReadonlyArray<ReportItem>, options: ApplyOptions) => Effect.Effect<JobReport, E3, R3>
}) =>
(input: unknown, options: ApplyJobOptions = {}) =>
  Effect.gen(function*() {
    // the job's entry: options are checked here, once, and passed on checked
    const checked = { ...options, ...(yield* checkOptions(options)) }
    // a second runner is refused before it reads anything (the lease is taken when the job runs)
    if (options.jobId !== undefined) yield* checkLease(options.jobId, checked)
    const isPlan = typeof input === "object" && input !== null && "_tag" in input
    if (!isPlan) return yield* job.execute(yield* job.plan(input, checked), [], checked)
    const saved = yield* Specs.decode(job.planSchema, job.kind)(input)
    if (options.trusted) return yield* job.execute(saved, [], checked)
    const { plan, stale } = yield* job.recheck(saved, checked.concurrency)
    return yield* job.execute(plan, stale, checked)
  }).pipe(gated(options))
