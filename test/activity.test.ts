/**
 * Spend: Activity, Analytics and Credits over loopback against the simulator (every operation, each
 * documented error, validation before sending, spans), and the simulator's ground truth (its activity
 * agrees with the keys' usage figures, is deterministic per seed, and every endpoint answers from it).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import * as Activity from "../src/Activity.ts"
import * as Analytics from "../src/Analytics.ts"
import * as Credits from "../src/Credits.ts"
import type { AnyDeclaration } from "../src/internal/declaration.ts"
import { Keys } from "../src/Keys.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { startOfMonth, startOfWeek } from "../src/simulator/activity-state.ts"
import { type ActivityRecord, Simulator, type SimulatorOptions } from "../src/simulator/index.ts"
import { clientLayer, recorded, recordingTracer } from "./support.ts"

const DAY = 86_400_000
const noRetry = { retry: RetryPolicy.none }

const spendLayer = (simulator: SimulatorOptions = {}) =>
  Layer.mergeAll(Activity.Activity.Default, Analytics.Analytics.Default, Credits.Credits.Default, Keys.Default).pipe(
    Layer.provideMerge(clientLayer(noRetry)),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provideMerge(Simulator.layer({ seed: "test", ...simulator }))
  )

/** The three services on the same simulator with another key. */
const withKey = (apiKey: Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    const sim = yield* Simulator
    const context = yield* Layer.build(
      Layer.mergeAll(Activity.Activity.Default, Analytics.Analytics.Default, Credits.Credits.Default).pipe(
        Layer.provide(OpenRouterClient.layer({ apiKey, baseUrl: sim.baseUrl, retry: RetryPolicy.none })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
    return {
      activity: Context.get(context, Activity.Activity),
      analytics: Context.get(context, Analytics.Analytics),
      credits: Context.get(context, Credits.Credits)
    }
  })

const pathOf = (template: string) => new RegExp(`^${template.replace(/:[A-Za-z]+/g, "[^/]+")}$`)
const dayOf = (record: ActivityRecord) => Date.parse(`${record.date}T00:00:00Z`)
const micros = (records: ReadonlyArray<ActivityRecord>, field: "usageMicros" | "byokMicros" = "usageMicros") =>
  records.reduce((sum, r) => sum + r[field], 0)
const usd = (n: number) => n / 1_000_000

/** The completed days of the window (the 30 before today). */
const windowed = (records: ReadonlyArray<ActivityRecord>, today: number) => records.filter((r) => dayOf(r) < today && dayOf(r) >= today - 30 * DAY)

const sumBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string, value: (a: A) => number) => {
  const out = new Map<string, number>()
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + value(item))
  return out
}

describe("the simulator's activity (ground truth)", () => {
  it.scoped("each key's records for this UTC day, week and month sum to its usage figures (credits and BYOK)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const { today } = sim.state
      const records = sim.state.activity()
      expect(records.length).toBeGreaterThan(1000)
      let spending = 0
      for (const key of sim.state.apiKeys()) {
        const own = records.filter((r) => r.keyHash === key.hash)
        if (own.length > 0) spending++
        const since = (from: number) => own.filter((r) => dayOf(r) >= from)
        expect(key.usageDaily).toBeCloseTo(usd(micros(since(today))), 9)
        expect(key.usageWeekly).toBeCloseTo(usd(micros(since(startOfWeek(today)))), 9)
        expect(key.usageMonthly).toBeCloseTo(usd(micros(since(startOfMonth(today)))), 9)
        expect(key.byokUsageDaily).toBeCloseTo(usd(micros(since(today), "byokMicros")), 9)
        expect(key.byokUsageWeekly).toBeCloseTo(usd(micros(since(startOfWeek(today)), "byokMicros")), 9)
        expect(key.byokUsageMonthly).toBeCloseTo(usd(micros(since(startOfMonth(today)), "byokMicros")), 9)
        expect(key.usage).toBeGreaterThanOrEqual(usd(micros(own)) - 1e-9)
        for (const record of own) {
          expect(record.workspaceId).toBe(key.workspaceId)
          expect(record.userId).toBe(key.creatorUserId)
        }
      }
      expect(spending).toBeGreaterThan(sim.state.apiKeys().length / 2)
      // the window: 30 completed days and today, nothing older, nothing later
      expect(Math.min(...records.map(dayOf))).toBeGreaterThanOrEqual(today - 30 * DAY)
      expect(Math.max(...records.map(dayOf))).toBeLessThanOrEqual(today)
      // members, workspaces and models of the organisation
      expect(new Set(records.map((r) => r.workspaceId)).size).toBe(sim.state.workspaces().length)
      expect(new Set(records.map((r) => r.model)).size).toBeGreaterThan(5)
    }).pipe(Effect.provide(spendLayer())))

  it.scoped("a key with a limit has what is left of it for its reset period", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const limited = sim.state.apiKeys().filter((k) => k.limit !== null && k.limitReset === "monthly" && !k.includeByokInLimit)
      expect(limited.length).toBeGreaterThan(0)
      for (const key of limited) expect(key.limitRemaining).toBeCloseTo(Math.max(0, key.limit! - key.usageMonthly), 6)
      // and after the limit changes, still measured over the reset period (not the lifetime usage)
      const key = limited.find((k) => k.usageMonthly > 0 && k.usage > k.usageMonthly + 20)!
      const updated = yield* (yield* Keys).update({ hash: key.hash, limit: Math.round(key.usageMonthly) + 10 })
      expect(updated.data.limitRemaining).toBeCloseTo(Math.round(key.usageMonthly) + 10 - key.usageMonthly, 6)
      const daily = yield* (yield* Keys).update({ hash: key.hash, limitReset: "daily" })
      expect(daily.data.limitRemaining).toBeCloseTo(Math.max(0, Math.round(key.usageMonthly) + 10 - key.usageDaily), 6)
    }).pipe(Effect.provide(spendLayer())))

  it.effect("the same seed gives the same activity; another seed another", () =>
    Effect.gen(function*() {
      const recordsOf = (seed: string) =>
        Effect.scoped(Effect.map(Layer.build(Simulator.layer({ seed })), (context) =>
          Context.get(context, Simulator).state.activity().map((r) => [r.date, r.keyHash, r.model, r.usageMicros])))
      const first = yield* recordsOf("same")
      expect(yield* recordsOf("same")).toEqual(first)
      expect(yield* recordsOf("other")).not.toEqual(first)
    }))
})

describe("Activity over loopback", () => {
  it.scoped("by default: the 30 completed days, one row per date × model × endpoint across workspaces", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const activity = yield* Activity.Activity
      const truth = windowed(sim.state.activity(), sim.state.today)
      const { data } = yield* activity.list()
      const ids = data.map((row) => `${row.date} ${row.model} ${row.endpointId}`)
      expect(new Set(ids).size).toBe(ids.length)
      expect(data.every((row) => row.workspaceId === undefined)).toBe(true)
      expect(data.some((row) => Date.parse(`${row.date}T00:00:00Z`) >= sim.state.today)).toBe(false)
      expect(data.reduce((sum, row) => sum + row.usage, 0)).toBeCloseTo(usd(micros(truth)), 6)
      expect(data.reduce((sum, row) => sum + row.byokUsageInference, 0)).toBeCloseTo(usd(micros(truth, "byokMicros")), 6)
      expect(data.reduce((sum, row) => sum + row.requests, 0)).toBe(truth.reduce((sum, r) => sum + r.requests, 0))
      const row = data[0]!
      const model = truth.find((r) => r.model === row.model)!.endpoint
      expect(row).toMatchObject({ modelPermaslug: model.permaslug, endpointId: model.endpointId, providerName: model.providerName })
    }).pipe(Effect.provide(spendLayer())))

  it.scoped("groupBy workspace splits rows per workspace; the filters select a day, a key, a member or a workspace", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const activity = yield* Activity.Activity
      const truth = windowed(sim.state.activity(), sim.state.today)
      const split = (yield* activity.list({ groupBy: "workspace" })).data
      const perWorkspace = sumBy(split, (row) => row.workspaceId!, (row) => row.usage)
      const expected = sumBy(truth, (r) => r.workspaceId, (r) => usd(r.usageMicros))
      expect([...perWorkspace.keys()].sort()).toEqual([...expected.keys()].sort())
      for (const [id, total] of expected) expect(perWorkspace.get(id)).toBeCloseTo(total, 6)

      const record = truth[truth.length - 1]!
      const checks: Array<[Activity.ListOptions, (r: ActivityRecord) => boolean]> = [
        [{ date: record.date }, (r) => r.date === record.date],
        [{ apiKeyHash: record.keyHash }, (r) => r.keyHash === record.keyHash],
        [{ userId: record.userId! }, (r) => r.userId === record.userId],
        [{ workspaceId: record.workspaceId, groupBy: "workspace" }, (r) => r.workspaceId === record.workspaceId],
        [{ apiKeyHash: record.keyHash, date: record.date }, (r) => r.keyHash === record.keyHash && r.date === record.date]
      ]
      for (const [options, selects] of checks) {
        const { data } = yield* activity.list(options)
        const wanted = truth.filter(selects)
        expect(data.length, JSON.stringify(options)).toBeGreaterThan(0)
        expect(data.reduce((sum, row) => sum + row.usage, 0), JSON.stringify(options)).toBeCloseTo(usd(micros(wanted)), 6)
        if (options.workspaceId) expect(data.every((row) => row.workspaceId === options.workspaceId)).toBe(true)
      }
    }).pipe(Effect.provide(spendLayer())))

  it.scoped("the API's refusals: a day outside the window (400), an unknown workspace, key or member (404)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const activity = yield* Activity.Activity
      const today = new Date(sim.state.today).toISOString().slice(0, 10)
      const longAgo = new Date(sim.state.today - 31 * DAY).toISOString().slice(0, 10)
      expect((yield* Effect.flip(activity.list({ date: today })))._tag).toBe("BadRequestResponseError")
      expect((yield* Effect.flip(activity.list({ date: longAgo })))._tag).toBe("BadRequestResponseError")
      expect((yield* Effect.flip(activity.list({ workspaceId: "00000000-0000-4000-a000-000000000000" })))._tag)
        .toBe("NotFoundResponseError")
      expect((yield* Effect.flip(activity.list({ apiKeyHash: "f".repeat(64) })))._tag).toBe("NotFoundResponseError")
      expect((yield* Effect.flip(activity.list({ userId: "user_nobody" })))._tag).toBe("NotFoundResponseError")
    }).pipe(Effect.provide(spendLayer())))

  it.scoped("bad input is a typed error and nothing is sent", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const activity = yield* Activity.Activity
      const analytics = yield* Analytics.Analytics
      yield* sim.clearRequests
      const invalid: Array<Effect.Effect<unknown, { readonly _tag: string }>> = [
        activity.list({ date: "2025-02-30" }),
        activity.list({ date: "24/08/2025" }),
        activity.list({ workspaceId: "production" }),
        activity.list({ groupBy: "model" as never }),
        activity.list({ apiKeyHash: "" }),
        activity.list({ userId: "a\u0000b" }),
        analytics.query({ metrics: [] }),
        analytics.query({ metrics: ["usage"], dimensions: ["user", "model", "workspace"] }),
        analytics.query({ metrics: ["usage"], granularity: "year" as never }),
        analytics.query({ metrics: ["usage"], timeRange: { start: "2025-02-01T00:00:00Z", end: "2025-01-01T00:00:00Z" } }),
        analytics.query({ metrics: ["usage"], timeRange: { start: "yesterday", end: "2025-01-01T00:00:00Z" } }),
        analytics.query({ metrics: ["usage"], limit: 0 }),
        analytics.query({ metrics: ["usage"], filters: [{ field: "model", operator: "like" as never, value: "x" }] }),
        analytics.query({ metrics: ["usage"], orderBy: { field: "usage", direction: "up" as never } })
      ]
      for (const call of invalid) expect((yield* Effect.flip(call))._tag).toBe("InvalidRequestError")
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(spendLayer())))
})

describe("Analytics over loopback", () => {
  it.scoped("meta lists the metrics, dimensions, operators and granularities a query may use", () =>
    Effect.gen(function*() {
      const { data } = yield* (yield* Analytics.Analytics).meta()
      expect(data.metrics.map((m) => m.name)).toEqual(expect.arrayContaining(["request_count", "usage", "byok_usage_inference"]))
      expect(data.metrics.find((m) => m.name === "usage")).toMatchObject({ displayFormat: "currency", isRate: false })
      expect(data.dimensions.map((d) => d.name)).toEqual(expect.arrayContaining(["workspace", "user", "api_key_id", "model"]))
      expect(data.operators.find((o) => o.name === "in")?.valueType).toBe("array")
      expect(data.granularities.map((g) => g.name)).toContain("day")
    }).pipe(Effect.provide(spendLayer())))

  it.scoped("usage per member, per key and per workspace equals the ground truth (today included)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const analytics = yield* Analytics.Analytics
      const truth = sim.state.activity()
      for (
        const [dimension, of] of [["user", (r: ActivityRecord) => r.userId ?? ""], ["api_key_id", (r: ActivityRecord) => r.keyHash], [
          "workspace",
          (r: ActivityRecord) => r.workspaceId
        ]] as const
      ) {
        const { data } = yield* analytics.query({ metrics: ["usage", "request_count"], dimensions: [dimension], limit: 10_000 })
        expect(data.metadata).toMatchObject({ truncated: false, rowCount: data.data.length })
        const expected = sumBy(truth, of, (r) => usd(r.usageMicros))
        expect(data.data.length, dimension).toBe(expected.size)
        for (const row of data.data) expect(row.usage as number).toBeCloseTo(expected.get(String(row[dimension] ?? ""))!, 6)
        // largest first when no order is asked
        const usages = data.data.map((row) => row.usage as number)
        expect(usages).toEqual([...usages].sort((a, b) => b - a))
      }
    }).pipe(Effect.provide(spendLayer())))

  it.scoped("a daily series over a time range, filtered, ordered and limited", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const analytics = yield* Analytics.Analytics
      const truth = sim.state.activity()
      const start = sim.state.today - 7 * DAY
      const workspace = truth[0]!.workspaceId
      const { data } = yield* analytics.query({
        metrics: ["usage"],
        granularity: "day",
        filters: [{ field: "workspace", operator: "eq", value: workspace }],
        timeRange: { start: new Date(start).toISOString(), end: new Date(sim.state.today).toISOString() }
      })
      const expected = sumBy(
        truth.filter((r) => r.workspaceId === workspace && dayOf(r) >= start && dayOf(r) < sim.state.today),
        (r) => new Date(dayOf(r)).toISOString(),
        (r) => usd(r.usageMicros)
      )
      expect(data.data.map((row) => row.date__day)).toEqual([...expected.keys()].sort())
      for (const row of data.data) expect(row.usage as number).toBeCloseTo(expected.get(row.date__day as string)!, 6)

      const models = [...new Set(truth.map((r) => r.model))].slice(0, 2)
      const some = yield* analytics.query({
        metrics: ["request_count"],
        dimensions: ["model"],
        filters: [{ field: "model", operator: "in", value: models }],
        orderBy: { field: "model", direction: "asc" }
      })
      expect(some.data.data.map((row) => row.model)).toEqual([...models].sort())
      const cut = yield* analytics.query({ metrics: ["usage"], dimensions: ["api_key_id"], limit: 3 })
      expect(cut.data.data).toHaveLength(3)
      expect(cut.data.metadata).toMatchObject({ truncated: true, rowCount: 3 })
      const unresolved = yield* analytics.query({
        metrics: ["usage"],
        filters: [{ field: "api_key_id", operator: "eq", value: "f".repeat(64) }]
      })
      expect(unresolved.data.warnings?.[0]).toMatch(/could not resolve/)
    }).pipe(Effect.provide(spendLayer())))

  it.scoped("the API's refusals: an unknown metric or dimension, a wrongly shaped filter (400)", () =>
    Effect.gen(function*() {
      const analytics = yield* Analytics.Analytics
      const refused = yield* Effect.flip(analytics.query({ metrics: ["vibes"] }))
      expect(refused._tag).toBe("BadRequestResponseError")
      expect(refused.message).toMatch(/Unknown metric: vibes/)
      expect((yield* Effect.flip(analytics.query({ metrics: ["usage"], dimensions: ["mood"] })))._tag).toBe("BadRequestResponseError")
      expect((yield* Effect.flip(analytics.query({ metrics: ["usage"], filters: [{ field: "model", operator: "in", value: "x" }] })))._tag)
        .toBe("BadRequestResponseError")
    }).pipe(Effect.provide(spendLayer())))
})

describe("Credits over loopback", () => {
  it.scoped("bought and used: the usage is every key's lifetime usage", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const { data } = yield* (yield* Credits.Credits).get()
      expect(data.totalUsage).toBeCloseTo(sim.state.apiKeys().reduce((sum, k) => sum + k.usage, 0), 4)
      expect(data.totalCredits).toBeGreaterThan(data.totalUsage)
      expect(data.remaining).toBeCloseTo(data.totalCredits - data.totalUsage, 9)
    }).pipe(Effect.provide(spendLayer())))
})

describe("documented errors and spans", () => {
  it.scoped("each documented error status maps to its typed error; an undocumented one to the default error", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const activity = yield* Activity.Activity
      const analytics = yield* Analytics.Analytics
      const credits = yield* Credits.Credits
      const calls: ReadonlyArray<readonly [AnyDeclaration, Effect.Effect<unknown, { readonly _tag: string }>]> = [
        [Activity.operations.list, activity.list()],
        [Analytics.operations.meta, analytics.meta()],
        [Analytics.operations.query, analytics.query({ metrics: ["usage"] })],
        [Credits.operations.get, credits.get()]
      ]
      for (const [declaration, call] of calls) {
        for (const error of declaration.errors) {
          yield* sim.inject({ method: declaration.method, path: pathOf(declaration.template), status: error.status })
          expect([declaration.name, (yield* Effect.flip(call))._tag]).toEqual([declaration.name, error._tag])
        }
        yield* sim.inject({ method: declaration.method, path: pathOf(declaration.template), status: 418 })
        expect([declaration.name, (yield* Effect.flip(call))._tag]).toEqual([declaration.name, "OpenRouterDefaultError"])
      }
    }).pipe(Effect.provide(spendLayer())))

  it.scoped("an inference key is refused (403), an unknown key is unauthorised (401)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const inference = yield* withKey(sim.inferenceKey)
      const stranger = yield* withKey(Redacted.make("sk-or-v1-not-a-real-key"))
      for (const services of [inference, stranger]) {
        const expected = services === inference ? "ForbiddenResponseError" : "UnauthorizedResponseError"
        expect((yield* Effect.flip(services.activity.list()))._tag).toBe(expected)
        expect((yield* Effect.flip(services.analytics.meta()))._tag).toBe(expected)
        expect((yield* Effect.flip(services.analytics.query({ metrics: ["usage"] })))._tag).toBe(expected)
        expect((yield* Effect.flip(services.credits.get()))._tag).toBe(expected)
      }
    }).pipe(Effect.provide(spendLayer())))

  it.scoped("a 408 from a query is not retried (the server gave up: narrow the query)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* sim.clearRequests
      yield* sim.inject({ method: "POST", path: /^\/analytics\/query$/, status: 408 })
      const analytics = yield* Analytics.Analytics
      const error = yield* Effect.flip(analytics.query({ metrics: ["usage"] }))
      expect(error._tag).toBe("RequestTimeoutResponseError")
      expect(error.message).toMatch(/narrow it/)
      expect(yield* recorded).toHaveLength(1)
    }).pipe(Effect.provide(spendLayer())))

  it.scoped("each operation runs in a span named after it", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      yield* Effect.gen(function*() {
        yield* (yield* Activity.Activity).list({ groupBy: "workspace" })
        yield* (yield* Analytics.Analytics).meta()
        yield* (yield* Analytics.Analytics).query({ metrics: ["usage"] })
        yield* (yield* Credits.Credits).get()
      }).pipe(Effect.withTracer(tracer))
      expect(spans.map((s) => s.name)).toEqual(["Activity.list", "Analytics.meta", "Analytics.query", "Credits.get"])
    }).pipe(Effect.provide(spendLayer())))
})
