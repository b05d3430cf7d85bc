/**
 * Retry policies for OpenRouter requests, built from `Schedule`.
 *
 * A policy decides how long to wait between attempts; which failures are retried is fixed by
 * {@link isRetryable} (429, 500, 502, 503, 504, connection errors and timeouts) and a server's
 * `Retry-After` is always honoured as a lower bound on the wait.
 *
 * The policy is set on the client layer and can be overridden for one call or a region of a program:
 *
 * ```ts
 * workspaces.get({ id }).pipe(RetryPolicy.withPolicy(RetryPolicy.none))
 * ```
 *
 * @since 0.1.0
 */
import { Duration, Effect, FiberRef, Option, Predicate, Schedule } from "effect"
import { dual } from "effect/Function"
import type {
  BadGatewayResponseError,
  ConnectionError,
  InternalServerResponseError,
  OpenRouterDefaultError,
  OpenRouterError,
  RequestTimeoutError,
  ServiceUnavailableResponseError,
  TooManyRequestsResponseError
} from "./Errors.ts"

/**
 * What a policy schedule sees: the failure of the attempt that just ended.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryInput = OpenRouterError

/**
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  readonly _tag: "RetryPolicy"
  /** Decides whether and when to retry a retryable failure. */
  readonly schedule: Schedule.Schedule<unknown, RetryInput>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicyOptions {
  /** First wait. Default 500 ms (the spec's `initialInterval`). */
  readonly initialDelay?: Duration.DurationInput
  /** Growth of each wait. Default 1.5 (the spec's `exponent`). */
  readonly factor?: number
  /** Cap on a single wait. Default 60 s (the spec's `maxInterval`). */
  readonly maxDelay?: Duration.DurationInput
  /** Retries after the first attempt. Default 5. */
  readonly maxRetries?: number
  /** Randomise each wait by ±20% so concurrent clients spread out. Default true. */
  readonly jitter?: boolean
  /** Stop retrying once this much time has passed. Default 1 hour (the spec's `maxElapsedTime`). */
  readonly maxElapsed?: Duration.DurationInput
}

const statuses = new Set([429, 500, 502, 503, 504])

/**
 * Is this failure worth another attempt? Never for 400/401/403/404/413 or invalid input.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRetryable = (error: unknown): boolean => {
  if (!Predicate.hasProperty(error, "_tag")) return false
  switch (error._tag) {
    case "ConnectionError":
    case "RequestTimeoutError":
      return true
    case "InvalidRequestError":
    case "ResponseValidationError":
      return false
    default:
      return Predicate.hasProperty(error, "status") && statuses.has(error.status as number)
  }
}

/**
 * The failures that mean "retry later": the server was busy or failing (429, 500, 502, 503, 504) or
 * never answered (a connection error, a timeout). The same set the client's own retries use
 * ({@link isRetryable}); after the policy gave up, this says a later attempt may well succeed, where
 * any other error needs a change first (input, key, permissions, the id).
 *
 * ```ts
 * Effect.catchIf(workspaces.get({ id }), RetryPolicy.isTransient, (error) => requeue(error))
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isTransient = (error: unknown): error is TransientError => isRetryable(error)

/**
 * What {@link isTransient} accepts: the statuses that mean "later" (a 504, which no operation documents,
 * is an `OpenRouterDefaultError` with `status: 504`) and the failures without an answer.
 *
 * @since 0.1.0
 * @category models
 */
export type TransientError =
  | TooManyRequestsResponseError
  | InternalServerResponseError
  | BadGatewayResponseError
  | ServiceUnavailableResponseError
  | OpenRouterDefaultError
  | ConnectionError
  | RequestTimeoutError

/**
 * Could the server have acted on the request before this failure? (A 500 or a timeout may have
 * created the workspace; a 429 or 503 was refused before any work was done.)
 *
 * @since 0.1.0
 * @category guards
 */
export const isAmbiguous = (error: unknown): boolean => {
  if (!Predicate.hasProperty(error, "_tag")) return false
  if (error._tag === "ConnectionError" || error._tag === "RequestTimeoutError") return true
  return Predicate.hasProperty(error, "status") && [500, 502, 504].includes(error.status as number)
}

/**
 * The wait the server asked for, if any.
 *
 * @since 0.1.0
 * @category utils
 */
export const retryAfterOf = (error: unknown): Duration.Duration =>
  Predicate.hasProperty(error, "retryAfter") && Duration.isDuration(error.retryAfter)
    ? error.retryAfter
    : Duration.zero

/**
 * Wrap any schedule into a policy: only retryable failures are retried, and each wait is at least
 * the server's Retry-After.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSchedule = <Out>(schedule: Schedule.Schedule<Out, RetryInput>): RetryPolicy => ({
  _tag: "RetryPolicy",
  schedule: schedule.pipe(
    Schedule.whileInput((error: RetryInput) => isRetryable(error)),
    Schedule.passthrough,
    Schedule.modifyDelay((error, delay) => Duration.max(delay, retryAfterOf(error)))
  )
})

/**
 * An exponential backoff policy; the defaults are OpenRouter's official ones (plus 429).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: RetryPolicyOptions = {}): RetryPolicy => {
  const maxDelay = Duration.decode(options.maxDelay ?? "60 seconds")
  const backoff = Schedule.exponential(options.initialDelay ?? "500 millis", options.factor ?? 1.5)
  const jittered = options.jitter === false ? backoff : Schedule.jittered(backoff)
  return fromSchedule(
    jittered.pipe(
      Schedule.modifyDelay((_, delay) => Duration.min(delay, maxDelay)),
      Schedule.intersect(Schedule.recurs(options.maxRetries ?? 5)),
      Schedule.upTo(options.maxElapsed ?? "1 hour")
    )
  )
}

/**
 * OpenRouter's official defaults: 500 ms × 1.5ⁿ with jitter, each wait ≤ 60 s, at most 5 retries.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPolicy: RetryPolicy = make()

/**
 * Never retry.
 *
 * @since 0.1.0
 * @category constants
 */
export const none: RetryPolicy = fromSchedule(Schedule.stop)

/**
 * The policy overriding the client's for the current fiber, if any.
 *
 * @since 0.1.0
 * @category utils
 */
export const currentOverride: FiberRef.FiberRef<Option.Option<RetryPolicy>> = FiberRef.unsafeMake(
  Option.none<RetryPolicy>()
)

/**
 * Run an effect (one call, or a whole region of a program) with another retry policy.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPolicy: {
  (policy: RetryPolicy): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicy): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicy) => Effect.locally(self, currentOverride, Option.some(policy))
)
