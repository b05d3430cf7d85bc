/**
 * Fault injection for the simulator: a token-bucket rate limit, seeded random 5xx and dropped
 * connections, and scripted answers for tests (`inject`). All in real time (the simulator must keep
 * working while a test's TestClock stands still).
 */
import { Duration } from "effect"
import { hash, prng, type Random } from "./random.ts"

export interface RateLimitOptions {
  readonly requestsPerSecond: number
  /** Bucket size. Default: one second's worth, at least 1. */
  readonly burst?: number
}

export interface FaultOptions {
  /** Probability (0–1) that a request is answered with one of `statuses`. */
  readonly rate?: number
  /** Default [500, 502, 503]. */
  readonly statuses?: ReadonlyArray<number>
  /** Probability (0–1) that the connection is dropped without an answer. */
  readonly drop?: number
}

export interface Injection {
  readonly method?: string
  /** Matched against the path below `/api/v1`: a prefix string, or a RegExp. */
  readonly path?: string | RegExp
  /** The status to answer; omit with `drop: true`. */
  readonly status?: number
  readonly retryAfter?: Duration.DurationInput
  /** Drop the connection instead of answering. */
  readonly drop?: boolean
  /** How many matching requests get this answer. Default 1. */
  readonly times?: number
  /** `"handle"`: do the real work first, then answer the error (a lost response). */
  readonly after?: "handle"
}

export type Verdict =
  | { readonly _tag: "Pass" }
  | {
    readonly _tag: "Fail"
    readonly status: number
    readonly retryAfterMs: number | undefined
    readonly afterHandling: boolean
  }
  | { readonly _tag: "Drop"; readonly afterHandling: boolean }

const pass: Verdict = { _tag: "Pass" }

const messages: Record<number, string> = {
  429: "Rate limit exceeded",
  500: "Internal Server Error",
  502: "Provider returned error",
  503: "Service temporarily unavailable",
  504: "Gateway timeout"
}
export const faultMessage = (status: number) => messages[status] ?? `Simulated failure ${status}`

export class Faults {
  latencyMs: number
  private rate: RateLimitOptions | undefined
  private tokens = 0
  private refilledAt = 0
  private faults: FaultOptions
  private readonly random: Random
  private readonly queue: Array<Injection & { remaining: number }> = []

  constructor(
    seed: string,
    options: { latency?: Duration.DurationInput; rateLimit?: RateLimitOptions; faults?: FaultOptions }
  ) {
    this.random = prng(hash(`faults:${seed}`))
    this.latencyMs = options.latency === undefined ? 0 : Duration.toMillis(options.latency)
    this.faults = options.faults ?? {}
    this.setRateLimit(options.rateLimit)
  }

  setRateLimit(rate: RateLimitOptions | undefined) {
    this.rate = rate
    this.tokens = rate ? this.burst(rate) : 0
    this.refilledAt = Date.now()
  }

  setFaults(faults: FaultOptions) {
    this.faults = faults
  }

  inject(injection: Injection) {
    this.queue.push({ ...injection, remaining: injection.times ?? 1 })
  }

  private burst(rate: RateLimitOptions) {
    return Math.max(1, rate.burst ?? Math.floor(rate.requestsPerSecond))
  }

  /** Take a token; when none is left, how long until one is (ms). */
  private takeToken(): number | undefined {
    const rate = this.rate
    if (!rate) return undefined
    const now = Date.now()
    const burst = this.burst(rate)
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) / 1000) * rate.requestsPerSecond)
    this.refilledAt = now
    if (this.tokens >= 1) {
      this.tokens -= 1
      return undefined
    }
    return Math.ceil(((1 - this.tokens) / rate.requestsPerSecond) * 1000)
  }

  /** Decide what happens to an authenticated request. */
  decide(method: string, path: string): Verdict {
    const index = this.queue.findIndex((injection) =>
      (injection.method === undefined || injection.method === method) &&
      (injection.path === undefined ||
        (typeof injection.path === "string" ? path.startsWith(injection.path) : injection.path.test(path)))
    )
    if (index >= 0) {
      const injection = this.queue[index]!
      if (--injection.remaining <= 0) this.queue.splice(index, 1)
      const afterHandling = injection.after === "handle"
      if (injection.drop) return { _tag: "Drop", afterHandling }
      return {
        _tag: "Fail",
        status: injection.status ?? 500,
        retryAfterMs: injection.retryAfter === undefined ? undefined : Duration.toMillis(injection.retryAfter),
        afterHandling
      }
    }
    const wait = this.takeToken()
    if (wait !== undefined) return { _tag: "Fail", status: 429, retryAfterMs: wait, afterHandling: false }
    const { drop = 0, rate = 0, statuses = [500, 502, 503] } = this.faults
    if (drop > 0 && this.random() < drop) return { _tag: "Drop", afterHandling: false }
    if (rate > 0 && this.random() < rate) {
      const status = statuses[Math.floor(this.random() * statuses.length)]!
      return { _tag: "Fail", status, retryAfterMs: status === 503 ? 1000 : undefined, afterHandling: false }
    }
    return pass
  }
}
