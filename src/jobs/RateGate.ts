/**
 * The rate gate every request of a job goes through (plan reads and changes alike).
 *
 * It sees every HTTP attempt (through `OpenRouterClient.withObserver`), including the client's own
 * retries: a client-side requests-per-second limit (`RateLimiter`) and a global pause when any request
 * is answered 429/503 with Retry-After — every worker waits, not only the refused one. It also counts
 * the job's requests and remembers when the job started, so a report's `requests` and `durationMs`
 * cover the same span (the plan included).
 *
 * @since 0.2.0
 */
import { Clock, Duration, Effect, FiberRef, Option, RateLimiter, Ref } from "effect"
import * as OpenRouterClient from "../OpenRouterClient.ts"

/** What the gate tells about the requests it lets through. */
export type GateEvent =
  /** An attempt was retried by the client (a transport failure, a 429 or a 5xx). */
  | { readonly _tag: "Retried"; readonly operation: string; readonly status: number | undefined }
  /** Every request waits until `until` (epoch ms): the server answered `status` (429/503). */
  | { readonly _tag: "Paused"; readonly until: number; readonly status: number }

export interface Gate {
  /** When the gate was opened (epoch ms, from `Clock`): the start of the job it serves. */
  readonly startedAt: number
  readonly requests: Ref.Ref<number>
  readonly rateLimited: Ref.Ref<number>
  /** Run `self` with every request it makes going through the gate. */
  readonly around: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/** The default requests per second of a job. */
export const defaultRate = 10

/** When the current fiber's attempt was let through (set by the gate, read when its answer comes). */
const sentAt = FiberRef.unsafeMake(0)

export const make = (options: { readonly rate: number; readonly publish: (event: GateEvent) => Effect.Effect<void> }) =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
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
    const gate: Gate = { startedAt, requests, rateLimited, around: OpenRouterClient.withObserver(observer) }
    return gate
  })

/** The gate of the job running on this fiber, if any: plan reads and operations share it. */
const currentGate = FiberRef.unsafeMake<Option.Option<Gate>>(Option.none())

/**
 * Run `self` with every request going through one rate gate: the current job's gate if there is one,
 * otherwise a new gate at `rate` that `self` and everything it calls shares (plan reads included).
 */
export const gated =
  (options: { readonly rate?: number | undefined; readonly publish?: ((event: GateEvent) => Effect.Effect<void>) | undefined }) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(FiberRef.get(currentGate), (current) =>
      Option.isSome(current)
        ? self
        : Effect.scoped(Effect.flatMap(
          make({
            // an invalid rate is refused at the job's entry (Engine.checkOptions); the gate never sees one
            rate: typeof options.rate === "number" && options.rate >= 1 && Number.isFinite(options.rate) ? options.rate : defaultRate,
            publish: options.publish ?? (() => Effect.void)
          }),
          (gate) => Effect.locally(gate.around(self), currentGate, Option.some(gate))
        )))

/** The current job's gate (inside {@link gated}). */
export const current: Effect.Effect<Gate> = Effect.flatMap(
  FiberRef.get(currentGate),
  (g) => Option.isSome(g) ? Effect.succeed(g.value) : Effect.dieMessage("no job gate: run inside RateGate.gated")
)
