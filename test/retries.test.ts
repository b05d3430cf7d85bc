/**
 * Retries over real HTTP with TestClock: the client's waits only pass when the test moves the clock,
 * so each wait is asserted exactly (jitter off) through `TestClock.sleeps()`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Logger, Option, Redacted, TestClock, TestServices } from "effect"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator } from "../src/simulator/index.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { rawServer, recorded, recordingTracer, servicesLayer, withKey } from "./support.ts"

// jitter off for exact waits; a far timeout so its pending sleep never hides a retry wait
const exact = { retry: RetryPolicy.make({ jitter: false }), timeout: "1 day" } as const
const HORIZON = 12 * 3_600_000

/** Wait (real time) until the client fiber sleeps on the TestClock; return when it will wake (ms). */
const nextWake = Effect.gen(function*() {
  for (let i = 0; i < 2000; i++) {
    const now = yield* TestClock.currentTimeMillis
    const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((at) => at < now + HORIZON)
    if (sleeps.length > 0) return Math.min(...sleeps)
    yield* TestServices.provideLive(Effect.sleep("2 millis"))
  }
  return yield* Effect.dieMessage("the client never slept")
})

/** Step through the retry waits: returns each wait (ms) the client chose. */
const driveRetries = (_fiber: Fiber.RuntimeFiber<unknown, unknown>, count: number) =>
  Effect.gen(function*() {
    const waits: Array<number> = []
    for (let i = 0; i < count; i++) {
      const now = yield* TestClock.currentTimeMillis
      const wake = yield* nextWake
      waits.push(wake - now)
      yield* TestClock.adjust(wake - now)
    }
    return waits
  })

const statuses = Effect.map(recorded, (requests) => requests.map((r) => `${r.method} ${r.path} ${r.status}`))

describe("retries", () => {
  it.scoped("503 waits the server's Retry-After, then succeeds", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      yield* sim.inject({ method: "GET", path: "/workspaces/default", status: 503, retryAfter: "3 seconds" })
      const fiber = yield* Effect.fork(workspaces.get({ id: "default" }))
      expect(yield* driveRetries(fiber, 1)).toEqual([3000])
      const result = yield* Fiber.join(fiber)
      expect(result.data.slug).toBe("default")
      expect(yield* statuses).toEqual(["GET /workspaces/default 503", "GET /workspaces/default 200"])
    }).pipe(Effect.provide(servicesLayer({}, exact))))

  it.scoped("a 429 (undocumented on workspace ops) is retried after Retry-After", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      yield* sim.inject({ path: "/workspaces", status: 429, retryAfter: "2 seconds" })
      const fiber = yield* Effect.fork(workspaces.list())
      expect(yield* driveRetries(fiber, 1)).toEqual([2000])
      yield* Fiber.join(fiber)
      expect((yield* recorded).map((r) => r.status)).toEqual([429, 200])
    }).pipe(Effect.provide(servicesLayer({}, exact))))

  it.scoped("500, 502, 504 back off 500 ms × 1.5ⁿ", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      for (const status of [500, 502, 504]) yield* sim.inject({ path: "/workspaces/default", status })
      const fiber = yield* Effect.fork(workspaces.get({ id: "default" }))
      expect(yield* driveRetries(fiber, 3)).toEqual([500, 750, 1125])
      yield* Fiber.join(fiber)
      expect((yield* recorded).map((r) => r.status)).toEqual([500, 502, 504, 200])
    }).pipe(Effect.provide(servicesLayer({}, exact))))

  it.scoped("gives up after 5 retries with the documented error", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      yield* sim.inject({ path: "/workspaces/default", status: 500, times: 10 })
      const fiber = yield* Effect.fork(Effect.flip(workspaces.get({ id: "default" })))
      expect(yield* driveRetries(fiber, 5)).toEqual([500, 750, 1125, 1687.5, 2531.25])
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("InternalServerResponseError")
      expect((yield* recorded).length).toBe(6)
    }).pipe(Effect.provide(servicesLayer({}, exact))))

  it.scoped("a dropped connection is a ConnectionError and is retried", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      yield* sim.inject({ path: "/workspaces/default", drop: true })
      const fiber = yield* Effect.fork(workspaces.get({ id: "default" }))
      expect(yield* driveRetries(fiber, 1)).toEqual([500])
      expect((yield* Fiber.join(fiber)).data.slug).toBe("default")
    }).pipe(Effect.provide(servicesLayer({}, exact))))

  it.scoped("400, 401, 403 and 404 are never retried", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      expect((yield* Effect.flip(workspaces.get({ id: "nope" })))._tag).toBe("NotFoundResponseError")
      expect((yield* Effect.flip(workspaces.create({ name: "Dup", slug: "default" })))._tag).toBe(
        "BadRequestResponseError"
      )
      expect((yield* Effect.flip(workspaces.delete({ id: "default" })))._tag).toBe("ForbiddenResponseError")
      const unauthorized = yield* withKey(Redacted.make("sk-or-v1-unknown"))
      expect((yield* Effect.flip(unauthorized.list()))._tag).toBe("UnauthorizedResponseError")
      expect((yield* recorded).map((r) => r.status)).toEqual([404, 400, 403, 401])
      void sim
    }).pipe(Effect.provide(servicesLayer({}, exact))))

  it.scoped("the policy can be overridden for one call and for a region", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      yield* sim.inject({ path: "/workspaces/default", status: 500, times: 4 })
      const once = yield* Effect.flip(workspaces.get({ id: "default" }).pipe(RetryPolicy.withPolicy(RetryPolicy.none)))
      expect(once._tag).toBe("InternalServerResponseError")
      expect((yield* recorded).length).toBe(1)

      const region = yield* Effect.gen(function*() {
        const first = yield* Effect.either(workspaces.get({ id: "default" }))
        const second = yield* Effect.either(workspaces.get({ id: "default" }))
        return [first._tag, second._tag]
      }).pipe(RetryPolicy.withPolicy(RetryPolicy.none))
      expect(region).toEqual(["Left", "Left"])
      expect((yield* recorded).length).toBe(3)

      // a one-retry policy for a call: the last injected 500, then a success after its own wait
      const fiber = yield* Effect.fork(
        workspaces.get({ id: "default" }).pipe(
          RetryPolicy.withPolicy(RetryPolicy.make({ jitter: false, maxRetries: 1, initialDelay: "10 seconds" }))
        )
      )
      expect(yield* driveRetries(fiber, 1)).toEqual([10_000])
      expect((yield* Fiber.join(fiber)).data.slug).toBe("default")
      expect((yield* recorded).map((r) => r.status)).toEqual([500, 500, 500, 500, 200])
    }).pipe(Effect.provide(servicesLayer({}, exact))))
})

describe("create is never blindly replayed", () => {
  it.scoped("a 500 after the server created it: the slug is looked up, no second POST", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      yield* sim.inject({ method: "POST", path: "/workspaces", status: 500, after: "handle" })
      const fiber = yield* Effect.fork(workspaces.create({ name: "Prod", slug: "prod" }))
      yield* driveRetries(fiber, 1)
      const created = yield* Fiber.join(fiber)
      expect(created.data).toMatchObject({ slug: "prod", name: "Prod" })
      expect(yield* statuses).toEqual(["POST /workspaces 500", "GET /workspaces/prod 200"])
      expect(sim.state.workspaces().filter((w) => w.slug === "prod")).toHaveLength(1)
    }).pipe(Effect.provide(servicesLayer({}, exact))))

  it.scoped("a 500 before anything was created: looked up (404), then sent again", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      yield* sim.inject({ method: "POST", path: "/workspaces", status: 500 })
      const fiber = yield* Effect.fork(workspaces.create({ name: "Prod", slug: "prod" }))
      yield* driveRetries(fiber, 1)
      yield* Fiber.join(fiber)
      expect(yield* statuses).toEqual([
        "POST /workspaces 500",
        "GET /workspaces/prod 404",
        "POST /workspaces 201"
      ])
    }).pipe(Effect.provide(servicesLayer({}, exact))))

  it.scoped("a 503 (refused, nothing done) is replayed without a lookup", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      yield* sim.inject({ method: "POST", path: "/workspaces", status: 503, retryAfter: "1 second" })
      const fiber = yield* Effect.fork(workspaces.create({ name: "Prod", slug: "prod" }))
      expect(yield* driveRetries(fiber, 1)).toEqual([1000])
      yield* Fiber.join(fiber)
      expect(yield* statuses).toEqual(["POST /workspaces 503", "POST /workspaces 201"])
    }).pipe(Effect.provide(servicesLayer({}, exact))))
})

describe("timeouts", () => {
  it.scoped("an attempt longer than `timeout` is a RequestTimeoutError (TestClock)", () =>
    Effect.gen(function*() {
      // a server that accepts and never answers
      const baseUrl = yield* rawServer(() => {})
      const workspaces = yield* withKey(Redacted.make("sk-test"), baseUrl)
      const fiber = yield* Effect.fork(Effect.flip(workspaces.get({ id: "default" })))
      const now = yield* TestClock.currentTimeMillis
      expect((yield* nextWake) - now).toBe(60_000)
      yield* TestClock.adjust("60 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("RequestTimeoutError")
      expect(error.message).toContain("1m")
    }).pipe(Effect.provide(servicesLayer())))
})

describe("timeouts, several attempts at once", () => {
  it.scoped("each attempt times out at its own deadline; the others keep running", () =>
    Effect.gen(function*() {
      const baseUrl = yield* rawServer(() => {})
      const workspaces = yield* withKey(Redacted.make("sk-test"), baseUrl)
      const started = yield* TestClock.currentTimeMillis
      const first = yield* Effect.fork(Effect.flip(workspaces.get({ id: "first" })))
      yield* nextWake
      yield* TestClock.adjust("20 seconds")
      const second = yield* Effect.fork(Effect.flip(workspaces.get({ id: "second" })))
      // wait (real time) until the second attempt is in flight, then pass the first deadline
      for (let i = 0; i < 500; i++) {
        const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
        if (sleeps.length > 0 && sleeps.every((at) => at === started + 60_000)) break
        yield* TestServices.provideLive(Effect.sleep("2 millis"))
      }
      yield* TestClock.adjust("40 seconds")
      expect((yield* Fiber.join(first))._tag).toBe("RequestTimeoutError")
      expect(Option.isNone(yield* Fiber.poll(second))).toBe(true)
      const now = yield* TestClock.currentTimeMillis
      expect((yield* nextWake) - now).toBe(20_000)
      yield* TestClock.adjust("20 seconds")
      expect((yield* Fiber.join(second))._tag).toBe("RequestTimeoutError")
    }).pipe(Effect.provide(servicesLayer())))

  it.scoped("interrupting the caller stops its attempt (the server sees the connection close)", () =>
    Effect.gen(function*() {
      let closed = 0
      let received = 0
      const baseUrl = yield* rawServer((request) => {
        received++
        request.socket.on("close", () => closed++)
      })
      const workspaces = yield* withKey(Redacted.make("sk-test"), baseUrl)
      const fiber = yield* Effect.fork(workspaces.get({ id: "default" }))
      for (let i = 0; i < 500 && received === 0; i++) yield* TestServices.provideLive(Effect.sleep("2 millis"))
      yield* Fiber.interrupt(fiber)
      for (let i = 0; i < 500 && closed === 0; i++) yield* TestServices.provideLive(Effect.sleep("2 millis"))
      expect({ received, closed }).toEqual({ received: 1, closed: 1 })
    }).pipe(Effect.provide(servicesLayer())))
})

describe("observability and secrets", () => {
  it.scoped("without a tracer installed, the client leaves the caller's span alone", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const attributes = yield* Effect.gen(function*() {
        yield* workspaces.get({ id: "default" })
        const span = yield* Effect.currentSpan
        return Object.fromEntries(span.attributes)
      }).pipe(Effect.withSpan("caller"))
      expect(attributes).toEqual({})
    }).pipe(Effect.provide(servicesLayer())))

  it.scoped("each operation runs in a span named after it, with method, path and status", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const workspaces = yield* Workspaces
      yield* workspaces.get({ id: "default" }).pipe(Effect.withTracer(tracer))
      yield* Effect.flip(workspaces.get({ id: "missing" })).pipe(Effect.withTracer(tracer))
      // one span per operation: the platform's per-exchange HTTP span is switched off
      expect(spans.map((s) => s.name)).toEqual(["Workspaces.get", "Workspaces.get"])
      const ours = spans
      expect(Object.fromEntries(ours[0]!.attributes)).toMatchObject({
        "http.request.method": "GET",
        "url.path": "/workspaces/default",
        "http.response.status_code": 200
      })
      expect(ours[1]!.attributes.get("http.response.status_code")).toBe(404)
      const sim = yield* Simulator
      const everything = JSON.stringify(spans.map((s) => [s.name, [...s.attributes]]))
      expect(everything).not.toContain(Redacted.value(sim.managementKey))
    }).pipe(Effect.provide(servicesLayer())))

  it.scoped("the key never appears in errors or logs", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const key = Redacted.value(sim.managementKey)
      const lines: Array<string> = []
      const logger = Logger.make(({ message, cause }) => lines.push(`${JSON.stringify(message)} ${String(cause)}`))
      const workspaces = yield* Workspaces
      const errors = yield* Effect.all([
        Effect.flip(workspaces.get({ id: "missing" })),
        Effect.flip(workspaces.create({ name: "x", slug: "default" })),
        Effect.flip(workspaces.create({ name: "x", slug: "Not A Slug" }))
      ])
      yield* Effect.forEach(errors, (error) => Effect.logError("failed", error)).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      const text = [...lines, ...errors.map((e) => `${e.message} ${JSON.stringify(e)} ${e.stack}`)].join("\n")
      expect(lines.length).toBe(3)
      expect(text).not.toContain(key)
      expect(String(sim.managementKey)).not.toContain(key)
      expect(Option.some(sim.managementKey).toString()).not.toContain(key)
    }).pipe(Effect.provide(servicesLayer())))
})
