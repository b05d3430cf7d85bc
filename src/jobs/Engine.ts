/**
 * The bulk-job engine: runs a job's planned operations with bounded concurrency under a shared rate
 * gate, records them in the journal, publishes progress events and returns a typed report.
 *
 * The rate gate sees every HTTP attempt (through `OpenRouterClient.withObserver`), including the
 * client's own retries: a client-side requests-per-second limit (`RateLimiter`) and a global pause
 * when any request is answered 429/503 with Retry-After — every worker waits, not only the refused one.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Exit, FiberRef, Option, PubSub, RateLimiter, Ref, Schema } from "effect"
import { InvalidRequestError } from "../Errors.ts"
import { Keys } from "../Keys.ts"
import * as OpenRouterClient from "../OpenRouterClient.ts"
import { Journal } from "./Journal.ts"
import * as Specs from "./Specs.ts"

// --- events -----------------------------------------------------------------------------------------

/** What a job's items are. */
/** What a job's items are; "changes" when one person stands for several (keys, guardrails, membership). */
export type JobUnit = "users" | "files" | "budgets" | "keys" | "changes"

/** Counts of items settled by one operation. */
export interface Settled {
  readonly done: number
  readonly failed: number
  readonly skipped: number
}

export type JobEvent =
  /** `total` operations planned, covering `items` items (users × workspaces, files, budgets …). */
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
  /** An operation an earlier run of this job did (from the journal, on resume). */
  | { readonly _tag: "Skipped"; readonly key: string; readonly items: number }
  | { readonly _tag: "Retried"; readonly operation: string; readonly status: number | undefined }
  | { readonly _tag: "Paused"; readonly until: number; readonly status: number }
  | { readonly _tag: "Finished"; readonly report: JobReport }

// --- report -----------------------------------------------------------------------------------------

export const ItemOutcome = Schema.Literal("done", "skipped", "failed", "already-done", "unknown")

export class ReportItem extends Schema.Class<ReportItem>("ReportItem")({
  kind: Schema.Literal("user", "file", "workspace", "budget", "key"),
  key: Schema.String,
  /** What was (to be) done, naming workspaces by slug: "add to team-a", "delete notes.txt". */
  action: Schema.String,
  outcome: ItemOutcome,
  reason: Schema.optionalWith(Schema.String, { exact: true })
}) {}

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
}

export const totalsOf = (items: ReadonlyArray<ReportItem>) => {
  const totals: Record<string, number> = { items: items.length }
  for (const item of items) totals[item.outcome] = (totals[item.outcome] ?? 0) + 1
  return totals
}

// --- options ----------------------------------------------------------------------------------------

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
}

export const newJobId = (kind: string) =>
  `${kind}-${new Date().toISOString().replace(/[-:T.Z]/g, "").slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`

const positive = (name: string, value: number | undefined, fallback: number) => {
  if (value === undefined) return Effect.succeed(fallback)
  return typeof value === "number" && Number.isFinite(value) && value >= 1
    ? Effect.succeed(value)
    : Effect.fail(new InvalidRequestError({ operation: "job", issue: `${name} must be a number ≥ 1, got ${String(value)}` }))
}

/** `concurrency` and `rate` checked (≥ 1), with their defaults. */
export const checkOptions = (options: { readonly concurrency?: number | undefined; readonly rate?: number | undefined }) =>
  Effect.all({ concurrency: positive("concurrency", options.concurrency, 4), rate: positive("rate", options.rate, 10) })

// --- the key in use ----------------------------------------------------------------------------------

/** The configured key answers `GET /key`, but it is not a management key: no job can run with it. */
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
 */
export const requireManagementKey = Effect.gen(function*() {
  const keys = yield* Keys
  const current = yield* keys.current()
  if (!current.data.isManagementKey) return yield* new ManagementKeyRequiredError({ label: current.data.label })
  return current.data
})

// --- the rate gate ----------------------------------------------------------------------------------

export interface Gate {
  readonly requests: Ref.Ref<number>
  readonly rateLimited: Ref.Ref<number>
  /** Run `self` with every request it makes going through the gate. */
  readonly around: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/** When the current fiber's attempt was let through (set by the gate, read when its answer comes). */
const sentAt = FiberRef.unsafeMake(0)

export const makeGate = (options: { readonly rate: number; readonly publish: (event: JobEvent) => Effect.Effect<void> }) =>
  Effect.gen(function*() {
    const limiter = yield* RateLimiter.make({ limit: Math.max(1, Math.round(options.rate)), interval: "1 second" })
    const pausedUntil = yield* Ref.make(0)
    const requests = yield* Ref.make(0)
    const rateLimited = yield* Ref.make(0)
    // after the first 429 the gate also paces requests evenly at an adaptive rate: halved on each 429,
    // grown back slowly on success — so a pause does not end in a burst that is refused again
    const pace = yield* Ref.make({ adaptive: false, rate: options.rate, nextSlot: 0, lastCut: 0 })
    const observer: OpenRouterClient.RequestObserver = {
      beforeAttempt: () =>
        Effect.gen(function*() {
          // everyone waits out a pause, then takes a token
          while (true) {
            const now = yield* Clock.currentTimeMillis
            const until = yield* Ref.get(pausedUntil)
            if (until <= now) break
            yield* Effect.sleep(Duration.millis(until - now))
          }
          const now = yield* Clock.currentTimeMillis
          const slot = yield* Ref.modify(pace, (p) => {
            if (!p.adaptive) return [now, p] as const
            const at = Math.max(now, p.nextSlot)
            return [at, { ...p, nextSlot: at + 1000 / p.rate }] as const
          })
          if (slot > now) yield* Effect.sleep(Duration.millis(slot - now))
          yield* limiter(Effect.void)
          yield* FiberRef.set(sentAt, yield* Clock.currentTimeMillis)
          yield* Ref.update(requests, (n) => n + 1)
        }),
      afterAttempt: (operation, { retryAfter, status }) =>
        Effect.gen(function*() {
          if (status === 429 || status === 503) {
            if (status === 429) {
              yield* Ref.update(rateLimited, (n) => n + 1)
              const now = yield* Clock.currentTimeMillis
              const sent = yield* FiberRef.get(sentAt)
              // requests sent before the last cut were refused at the old pace: they count once
              yield* Ref.update(
                pace,
                (p) => sent < p.lastCut ? { ...p, adaptive: true } : { ...p, adaptive: true, rate: Math.max(1, p.rate / 2), lastCut: now }
              )
            }
            const now = yield* Clock.currentTimeMillis
            const until = now + Duration.toMillis(retryAfter ?? Duration.seconds(1))
            yield* Ref.update(pausedUntil, (current) => Math.max(current, until))
            yield* options.publish({ _tag: "Paused", until, status })
          } else if (status !== undefined && status < 300) {
            yield* Ref.update(pace, (p) => (p.adaptive ? { ...p, rate: Math.min(options.rate, p.rate + Math.max(0.5, p.rate * 0.05)) } : p))
          }
          if (status === undefined || status === 429 || status >= 500) {
            yield* options.publish({ _tag: "Retried", operation, status })
          }
        })
    }
    const gate: Gate = { requests, rateLimited, around: OpenRouterClient.withObserver(observer) }
    return gate
  })

/** The gate of the job running on this fiber, if any: plan reads and operations share it. */
const currentGate = FiberRef.unsafeMake<Option.Option<Gate>>(Option.none())

/**
 * Run `self` with every request going through one rate gate: the current job's gate if there is one,
 * otherwise a new gate at `rate` that `self` and everything it calls shares (plan reads included).
 */
export const gated =
  (options: { readonly rate?: number | undefined; readonly events?: PubSub.PubSub<JobEvent> | undefined }) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(FiberRef.get(currentGate), (current) =>
      Option.isSome(current)
        ? self
        : Effect.scoped(Effect.flatMap(
          makeGate({
            // an invalid rate is refused by the job (checkOptions); the gate itself never sees one
            rate: typeof options.rate === "number" && options.rate >= 1 && Number.isFinite(options.rate) ? options.rate : 10,
            publish: (event) => (options.events ? Effect.asVoid(PubSub.publish(options.events, event)) : Effect.void)
          }),
          (gate) => Effect.locally(gate.around(self), currentGate, Option.some(gate))
        )))

/** The current job's gate (inside {@link gated}). */
const gate = Effect.flatMap(FiberRef.get(currentGate), (g) => Option.isSome(g) ? Effect.succeed(g.value) : Effect.dieMessage("no job gate"))

// --- running operations -----------------------------------------------------------------------------

/** One planned operation: what it covers, and how to run it. */
export interface PlannedOperation {
  readonly key: string
  readonly payload: unknown
  /** How many items (users, files, budgets) it settles. */
  readonly items: number
  /** Runs the operation; returns the report items it produced (never fails: failures are items). */
  readonly run: Effect.Effect<ReadonlyArray<ReportItem>>
}

/** A job ready to run: its spec, what its items are, the operations a fresh plan found necessary. */
export interface PlannedJob {
  readonly kind: Specs.JobKind
  readonly spec: Specs.JobSpec
  readonly unit: JobUnit
  readonly operations: ReadonlyArray<PlannedOperation>
  /** Items settled without an operation (unresolved users, members already in place, …). */
  readonly extraItems: ReadonlyArray<ReportItem>
}

const itemId = (item: { readonly kind: string; readonly key: string; readonly action: string }) => `${item.kind}\u0000${item.key}\u0000${item.action}`

const settledOf = (items: ReadonlyArray<ReportItem>): Settled => ({
  done: items.filter((i) => i.outcome === "done" || i.outcome === "already-done").length,
  failed: items.filter((i) => i.outcome === "failed").length,
  skipped: items.filter((i) => i.outcome === "skipped").length
})

/**
 * Register a job in the journal, or check a resume against it: the same kind and the same spec, or a
 * typed error saying what differs. Returns the operations earlier runs recorded.
 */
export const begin = (jobId: string, kind: Specs.JobKind, spec: Specs.JobSpec) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    const encoded = Specs.encode(spec)
    const existing = yield* journal.begin(jobId, kind, encoded)
    if (Option.isSome(existing)) {
      if (existing.value.kind !== kind) {
        return yield* new InvalidRequestError({
          operation: kind,
          issue: `job ${jobId} is a ${existing.value.kind} job, not ${kind}: resume it with the command that started it, or use a new --job-id`
        })
      }
      const differs = Specs.differences(existing.value.spec, encoded)
      if (differs.length > 0) {
        return yield* new InvalidRequestError({
          operation: kind,
          issue: `job ${jobId} was started with another selection (${differs.join("; ")}): resume it without selection flags, or use a new --job-id`
        })
      }
    }
    return yield* journal.entries(jobId)
  })

/**
 * Run a freshly planned job: every planned operation runs (the plan was just read from the server, so
 * each is needed, whatever the journal says), with bounded concurrency under the job's gate, each
 * recorded in-flight then done/failed. The journal decides only what to report as already done: items
 * earlier runs of this job did that the server now shows in place. Interrupted, it records where it
 * stopped and publishes the partial report as `Finished` (status "interrupted").
 */
export const run = (job: PlannedJob, options: ApplyOptions = {}) =>
  Effect.gen(function*() {
    const { concurrency } = yield* checkOptions(options)
    const journal = yield* Journal
    const started = yield* Clock.currentTimeMillis
    const jobId = options.jobId ?? newJobId(job.kind)
    const publish = (event: JobEvent) => (options.events ? Effect.asVoid(PubSub.publish(options.events, event)) : Effect.void)
    const earlier = yield* begin(jobId, job.kind, job.spec)
    yield* journal.plan(jobId, job.operations.map(({ key, payload }) => ({ key, payload })))

    // what earlier runs did: operations not planned again (the server shows them done) are reported
    const planned = new Set(job.operations.map((o) => o.key))
    const earlierDone = [...earlier.values()].filter((e) => e.status === "done" && !planned.has(e.key))
    const earlierItems = new Map<string, ReportItem>()
    for (const entry of earlier.values()) {
      for (const item of itemsOf(entry.result)) if (item.outcome === "done") earlierItems.set(itemId(item), item)
    }
    yield* publish({
      _tag: "Planned",
      jobId,
      kind: job.kind,
      unit: job.unit,
      total: job.operations.length + earlierDone.length,
      items: job.operations.reduce((n, o) => n + o.items, 0) + earlierDone.reduce((n, e) => n + itemsOf(e.result).length, 0)
    })
    for (const entry of earlierDone) yield* publish({ _tag: "Skipped", key: entry.key, items: itemsOf(entry.result).length })

    const settled: Array<ReportItem> = []
    const g = yield* gate
    const report = (status: "completed" | "interrupted") =>
      Effect.gen(function*() {
        const current = [...job.extraItems, ...settled]
        const seen = new Set(current.map(itemId))
        // a member this job added earlier is "already-done" now, not merely "skipped"
        const items = current.map((item) =>
          item.outcome === "skipped" && earlierItems.has(itemId(item)) ? new ReportItem({ ...item, outcome: "already-done" }) : item
        )
        for (const [id, item] of earlierItems) {
          if (!seen.has(id)) items.push(new ReportItem({ ...item, outcome: "already-done" }))
        }
        return new JobReport({
          jobId,
          kind: job.kind,
          dryRun: false,
          status,
          items,
          totals: totalsOf(items),
          requests: yield* Ref.get(g.requests),
          rateLimited: yield* Ref.get(g.rateLimited),
          durationMs: (yield* Clock.currentTimeMillis) - started
        })
      })

    return yield* Effect.forEach(job.operations, (operation) =>
      Effect.gen(function*() {
        yield* publish({ _tag: "Started", key: operation.key })
        yield* journal.mark(jobId, operation.key, "in-flight")
        const items = yield* operation.run
        const counts = settledOf(items)
        yield* journal.mark(jobId, operation.key, counts.failed === items.length && items.length > 0 ? "failed" : "done", {
          items: items.map((item) => ({ ...item }))
        })
        settled.push(...items)
        yield* counts.failed > 0
          ? publish({ _tag: "Failed", key: operation.key, reason: items.find((i) => i.outcome === "failed")!.reason ?? "failed", ...counts })
          : publish({ _tag: "Succeeded", key: operation.key, ...counts })
      }), { concurrency, discard: true }).pipe(
        Effect.zipRight(Effect.gen(function*() {
          yield* journal.finish(jobId, "finished")
          const done = yield* report("completed")
          yield* publish({ _tag: "Finished", report: done })
          return done
        })),
        Effect.onExit((exit) =>
          Exit.isInterrupted(exit)
            ? Effect.gen(function*() {
              yield* journal.finish(jobId, "interrupted")
              const partial = yield* report("interrupted")
              yield* publish({ _tag: "Finished", report: partial })
              if (options.onInterrupted) yield* options.onInterrupted(partial)
            })
            : Effect.void
        )
      )
  }).pipe(gated(options))

/** Report items recorded in the journal for one operation. */
export const itemsOf = (result: unknown): ReadonlyArray<ReportItem> => {
  const items = (result as { items?: ReadonlyArray<ReportItem> } | null)?.items
  return Array.isArray(items) ? items.map((item) => new ReportItem(item)) : []
}

/**
 * A job id derived from what the job does and where: the same spec against the same API gets the same
 * id (so a re-run resumes it), another spec or API another one. For scripts that run unattended.
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

/** What a job's `apply` accepts besides the engine's options. */
export interface ApplyJobOptions extends ApplyOptions {
  /** A plan made moments ago in the same run (as the CLI does): run it as it is, without re-reading. */
  readonly trusted?: boolean
}

/**
 * A job's `apply`, the same for every job: a spec is planned, then run; a saved plan is decoded and,
 * unless trusted, checked against the server first (`recheck`: what no longer applies comes back as
 * skipped items and is left alone). Everything runs under one rate gate.
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
    const { concurrency } = yield* checkOptions(options)
    const isPlan = typeof input === "object" && input !== null && "_tag" in input
    if (!isPlan) return yield* job.execute(yield* job.plan(input, options), [], options)
    const saved = yield* Specs.decode(job.planSchema, job.kind)(input)
    if (options.trusted) return yield* job.execute(saved, [], options)
    const { plan, stale } = yield* job.recheck(saved, concurrency)
    return yield* job.execute(plan, stale, options)
  }).pipe(gated(options))
