import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, ScheduleDecision, ScheduleIntervals as Intervals } from "effect"
import {
  BadRequestResponseError,
  ConnectionError,
  ForbiddenResponseError,
  InternalServerResponseError,
  InvalidRequestError,
  NotFoundResponseError,
  OpenRouterDefaultError,
  PayloadTooLargeResponseError,
  RequestTimeoutError,
  ServiceUnavailableResponseError,
  TooManyRequestsResponseError,
  UnauthorizedResponseError
} from "../src/Errors.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"

const fields = (status: number, retryAfter?: Duration.DurationInput) => ({
  method: "GET",
  path: "/workspaces/x",
  status,
  serverMessage: "boom",
  ...(retryAfter !== undefined ? { retryAfter: Duration.decode(retryAfter) } : {})
})

/** The waits a policy chooses for a sequence of failures (it stops at the first it won't retry). */
const delaysOf = (policy: RetryPolicy.RetryPolicy, inputs: ReadonlyArray<RetryPolicy.RetryInput>) =>
  Effect.gen(function*() {
    const delays: Array<number> = []
    let state = policy.schedule.initial
    let now = 0
    for (const input of inputs) {
      const [next, , decision] = yield* policy.schedule.step(now, input, state)
      if (ScheduleDecision.isDone(decision)) break
      const wait = Intervals.start(decision.intervals) - now
      delays.push(wait)
      now += wait
      state = next
    }
    return delays
  })

describe("RetryPolicy", () => {
  it("retries 429, 500, 502, 503, 504, connection errors and timeouts only", () => {
    const retried = [429, 500, 502, 503, 504].map((status) => new OpenRouterDefaultError(fields(status)))
    expect(retried.every(RetryPolicy.isRetryable)).toBe(true)
    expect(RetryPolicy.isRetryable(new TooManyRequestsResponseError(fields(429)))).toBe(true)
    expect(RetryPolicy.isRetryable(new ServiceUnavailableResponseError(fields(503)))).toBe(true)
    expect(RetryPolicy.isRetryable(new InternalServerResponseError(fields(500)))).toBe(true)
    expect(RetryPolicy.isRetryable(new ConnectionError({ method: "GET", path: "/", reason: "ECONNREFUSED" }))).toBe(true)
    expect(
      RetryPolicy.isRetryable(new RequestTimeoutError({ method: "GET", path: "/", timeout: Duration.seconds(1) }))
    ).toBe(true)
    for (
      const error of [
        new BadRequestResponseError(fields(400)),
        new UnauthorizedResponseError(fields(401)),
        new ForbiddenResponseError(fields(403)),
        new NotFoundResponseError(fields(404)),
        new PayloadTooLargeResponseError(fields(413)),
        new InvalidRequestError({ operation: "Workspaces.get", issue: "id: empty" })
      ]
    ) {
      expect(RetryPolicy.isRetryable(error)).toBe(false)
    }
  })

  it.effect("without jitter: 500 ms × 1.5ⁿ, at most 5 retries", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ jitter: false })
      const errors = Array.from({ length: 8 }, () => new InternalServerResponseError(fields(500)))
      const delays = yield* delaysOf(policy, errors)
      expect(delays).toEqual([500, 750, 1125, 1687.5, 2531.25])
    }))

  it.effect("caps each wait at maxDelay", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ jitter: false, initialDelay: "40 seconds", maxRetries: 3 })
      const delays = yield* delaysOf(policy, Array.from({ length: 3 }, () => new InternalServerResponseError(fields(500))))
      expect(delays).toEqual([40_000, 60_000, 60_000])
    }))

  it.effect("the default policy jitters within ±20% of the official backoff", () =>
    Effect.gen(function*() {
      const errors = Array.from({ length: 5 }, () => new InternalServerResponseError(fields(500)))
      const delays = yield* delaysOf(RetryPolicy.defaultPolicy, errors)
      const base = [500, 750, 1125, 1687.5, 2531.25]
      expect(delays).toHaveLength(5)
      delays.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(base[i]! * 0.8 - 1)
        expect(delay).toBeLessThanOrEqual(base[i]! * 1.2 + 1)
      })
    }))

  it.effect("waits at least the server's Retry-After, even above the cap", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ jitter: false })
      const delays = yield* delaysOf(policy, [
        new ServiceUnavailableResponseError(fields(503, "3 seconds")),
        new OpenRouterDefaultError(fields(429, "90 seconds")),
        new InternalServerResponseError(fields(500))
      ])
      expect(delays).toEqual([3000, 90_000, 1125])
    }))

  it.effect("stops at the first failure that is not retryable", () =>
    Effect.gen(function*() {
      const delays = yield* delaysOf(RetryPolicy.make({ jitter: false }), [
        new InternalServerResponseError(fields(500)),
        new NotFoundResponseError(fields(404)),
        new InternalServerResponseError(fields(500))
      ])
      expect(delays).toEqual([500])
    }))

  it.effect("none never retries", () =>
    Effect.gen(function*() {
      const delays = yield* delaysOf(RetryPolicy.none, [new InternalServerResponseError(fields(500))])
      expect(delays).toEqual([])
    }))

  it("error messages tell the user what to do", () => {
    expect(new ForbiddenResponseError(fields(403)).message).toContain("management key")
    expect(new UnauthorizedResponseError(fields(401)).message).toContain("OPENROUTER_API_KEY")
    expect(new TooManyRequestsResponseError(fields(429, "2 seconds")).message).toContain("retry after 2s")
  })
})
