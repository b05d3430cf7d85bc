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
import { Clock, Duration, Effect, FiberRef, PubSub, RateLimiter, Ref, Schema } from "effect"
import * as OpenRouterClient from "../OpenRouterClient.ts"
import { Journal } from "./Journal.ts"

// --- events -----------------------------------------------------------------------------------------

export type JobEvent =
  | { readonly _tag: "Planned"; readonly jobId: string; readonly total: number }
  | { readonly _tag: "Started"; readonly key: string }
  | { readonly _tag: "Succeeded"; readonly key: string; readonly items: number }
  | { readonly _tag: "Failed"; readonly key: string; readonly reason: string }
  | { readonly _tag: "Retried"; readonly operation: string; readonly status: number | undefined }
  | { readonly _tag: "Paused"; readonly until: number; readonly status: number }
  | { readonly _tag: "Finished"; readonly report: JobReport }

// --- report -----------------------------------------------------------------------------------------

export const ItemOutcome = Schema.Literal("done", "skipped", "failed", "already-done", "unknown")

export class ReportItem extends Schema.Class<ReportItem>("ReportItem")({
  kind: Schema.Literal("user", "file", "workspace", "budget"),
  key: Schema.String,
  action: Schema.String,
  outcome: ItemOutcome,
  reason: Schema.optionalWith(Schema.String, { exact: true })
}) {}

export class JobReport extends Schema.Class<JobReport>("JobReport")({
  jobId: Schema.String,
  kind: Schema.String,
  dryRun: Schema.Boolean,
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
  /** Operations in flight at once. Default 4. */
  readonly concurrency?: number
  /** Client-side limit in requests per second. Default 10. */
  readonly rate?: number
  /** Progress events are published here (e.g. for a progress bar). */
  readonly events?: PubSub.PubSub<JobEvent>
}

export const newJobId = (kind: string) =>
  `${kind}-${new Date().toISOString().replace(/[-:T.Z]/g, "").slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`

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
              yield* Ref.update(pace, (p) =>
                sent < p.lastCut ? { ...p, adaptive: true } : { ...p, adaptive: true, rate: Math.max(1, p.rate / 2), lastCut: now })
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

/** Run `self` (e.g. a plan's reads) under its own rate gate. */
export const gated = (options: { readonly rate?: number | undefined }) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.scoped(Effect.flatMap(makeGate({ rate: options.rate ?? 10, publish: () => Effect.void }), (gate) => gate.around(self)))

// --- running operations -----------------------------------------------------------------------------

/** One planned operation: how to run it, and how to tell after an interruption whether it happened. */
export interface PlannedOperation {
  readonly key: string
  readonly payload: unknown
  /** Runs the operation; returns the report items it produced (never fails: failures are items). */
  readonly run: Effect.Effect<ReadonlyArray<ReportItem>>
}

/**
 * Apply operations: skip those the journal has as done, run the rest with bounded concurrency under
 * the gate, and record each as in-flight then done/failed. An operation interrupted in flight stays
 * "in-flight" in the journal; jobs re-plan from server state on resume, so it is reconciled there.
 */
export const apply = (
  kind: string,
  params: unknown,
  operations: ReadonlyArray<PlannedOperation>,
  extraItems: ReadonlyArray<ReportItem>,
  options: ApplyOptions = {}
) =>
  Effect.scoped(Effect.gen(function*() {
    const journal = yield* Journal
    const started = yield* Clock.currentTimeMillis
    const jobId = options.jobId ?? newJobId(kind)
    const publish = (event: JobEvent) => (options.events ? Effect.asVoid(PubSub.publish(options.events, event)) : Effect.void)
    yield* journal.begin(jobId, kind, params)
    yield* journal.plan(jobId, operations.map(({ key, payload }) => ({ key, payload })))
    const entries = yield* journal.entries(jobId)
    yield* publish({ _tag: "Planned", jobId, total: operations.length })
    const gate = yield* makeGate({ rate: options.rate ?? 10, publish })

    const results = yield* Effect.forEach(operations, (operation) => {
      const entry = entries.get(operation.key)
      if (entry?.status === "done") return Effect.succeed(itemsFromResult(entry.result))
      return Effect.gen(function*() {
        yield* publish({ _tag: "Started", key: operation.key })
        yield* journal.mark(jobId, operation.key, "in-flight")
        const items = yield* gate.around(operation.run)
        const failed = items.filter((item) => item.outcome === "failed")
        yield* journal.mark(jobId, operation.key, failed.length === items.length && items.length > 0 ? "failed" : "done", {
          items: items.map((item) => ({ ...item }))
        })
        yield* failed.length > 0
          ? publish({ _tag: "Failed", key: operation.key, reason: failed[0]!.reason ?? "failed" })
          : publish({ _tag: "Succeeded", key: operation.key, items: items.length })
        return items
      })
    }, { concurrency: options.concurrency ?? 4 })

    const items = [...extraItems, ...results.flat()]
    yield* journal.finish(jobId)
    const report = new JobReport({
      jobId,
      kind,
      dryRun: false,
      items,
      totals: totalsOf(items),
      requests: yield* Ref.get(gate.requests),
      rateLimited: yield* Ref.get(gate.rateLimited),
      durationMs: (yield* Clock.currentTimeMillis) - started
    })
    yield* publish({ _tag: "Finished", report })
    return report
  }))

/** Items recorded by an earlier run, as reported items. */
export const itemsFromResult = (result: unknown): ReadonlyArray<ReportItem> => {
  const items = (result as { items?: ReadonlyArray<ReportItem> } | null)?.items ?? []
  return items.map((item) => new ReportItem({ ...item, outcome: item.outcome === "done" ? "already-done" : item.outcome }))
}

