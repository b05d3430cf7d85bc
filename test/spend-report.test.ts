/**
 * Spend reports against the simulator over loopback, checked against its ground truth (one record per
 * key × UTC day × model): for every `by`, each row's total and the whole equal what the records say for
 * the window's completed days plus today; a workspace selection narrows both; a deleted key's spend stays
 * in the whole as a row of its own; filtered requests stop once everything is accounted for.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck, Layer } from "effect"
import { Activity } from "../src/Activity.ts"
import { Analytics } from "../src/Analytics.ts"
import { Keys } from "../src/Keys.ts"
import { Simulator } from "../src/simulator/index.ts"
import type { SpendBy } from "../src/spend/Aggregate.ts"
import { windowOf } from "../src/spend/Calendar.ts"
import { NO_CREATOR, report, shown, TODAY_ALL_MODELS, UNATTRIBUTED } from "../src/spend/Spend.ts"
import { check, utilisation } from "../src/spend/Utilisation.ts"
import { servicesLayer } from "./support.ts"

const layer = Layer.mergeAll(Keys.Default, Activity.Default, Analytics.Default).pipe(
  Layer.provideMerge(servicesLayer({ seed: "spend", organization: { members: 60 } }))
)

/** What the records say each subject spent in the window (completed days and today), in USD. */
const truth = Effect.gen(function*() {
  const sim = yield* Simulator
  const now = sim.state.today + 3_600_000
  const window = windowOf(now, 30)
  const dates = new Set([...window.days, window.today])
  const members = new Set(sim.state.members().map((m) => m.id))
  const records = sim.state.activity().filter((r) => dates.has(r.date))
  const sum = (subjectOf: (r: (typeof records)[number]) => string, only?: (r: (typeof records)[number]) => boolean) => {
    const sums = new Map<string, number>()
    for (const r of records) {
      if (only && !only(r)) continue
      const s = subjectOf(r)
      sums.set(s, (sums.get(s) ?? 0) + r.usage)
    }
    return sums
  }
  return { sim, now, window, records, members, sum }
})

const totals = (rows: ReadonlyArray<{ id: string; total: number }>) => new Map(rows.filter((r) => r.total > 0).map((r) => [r.id, r.total]))

const expectSameTotals = (actual: Map<string, number>, expected: Map<string, number>) => {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].filter((k) => expected.get(k)! > 0).sort())
  for (const [id, usd] of expected) expect(actual.get(id) ?? 0, id).toBeCloseTo(usd, 6)
}

const cases = (["workspace", "member", "key", "model"] as const).flatMap((by) => (["auto", "activity"] as const).map((a) => [by, a] as const))

describe("spend report", () => {
  it.scopedLive("every --by: each row and the whole equal the simulator's records (completed days + today)", () =>
    Effect.gen(function*() {
      const { members, now, records, sum, window } = yield* truth
      const whole = records.reduce((s, r) => s + r.usage, 0)
      expect(whole).toBeGreaterThan(10)
      const expected: Record<SpendBy, Map<string, number>> = {
        workspace: sum((r) => r.workspaceId),
        key: sum((r) => r.keyHash),
        member: sum((r) => r.userId ?? NO_CREATOR),
        // today's spend is not split by model: one row for it
        model: sum((r) => (r.date === window.today ? TODAY_ALL_MODELS : r.model))
      }
      // the seed has keys whose creator left: they are rows of their own, by creator id
      expect([...expected.member.keys()].some((id) => id !== NO_CREATOR && !members.has(id))).toBe(true)
      for (const [by, attribution] of cases) {
        const made = yield* report({ by, now, attribution })
        const table = made.table
        // members and keys: one analytics query when it can be trusted, else a filtered /activity each
        expect(made.attribution, `${by} ${attribution}`).toBe(attribution === "auto" && (by === "member" || by === "key") ? "analytics" : "activity")
        expect(table.total, by).toBeCloseTo(whole, 6)
        expect(table.rows.reduce((s, r) => s + r.total, 0), by).toBeCloseTo(whole, 6)
        expectSameTotals(totals(table.rows), expected[by])
        // requests are counted for the completed days whichever way the rows were attributed
        expect(table.rows.reduce((n, r) => n + r.requests, 0), by).toBe(
          records.filter((r) => r.date !== window.today).reduce((n, r) => n + r.requests, 0)
        )
        expect(table.rows.some((r) => r.id === UNATTRIBUTED), by).toBe(false)
        expect(table.dates.at(-1)).toBe(window.today)
      }
      const byMember = (yield* report({ by: "member", now })).table
      const named = byMember.rows.find((r) => members.has(r.id))!
      expect(named.name).toMatch(/@example\.com$/)
      expect(byMember.rows.find((r) => r.id !== NO_CREATOR && !members.has(r.id))!.note).toBe("no longer a member")
    }).pipe(Effect.provide(layer)))

  it.scopedLive("--days and --workspace narrow the figures; BYOK is added only when asked", () =>
    Effect.gen(function*() {
      const { now, records, sim, window } = yield* truth
      const engineering = sim.state.workspaces().find((w) => w.slug === "engineering")!
      const days = new Set([...window.days.slice(-7), window.today])
      const inScope = records.filter((r) => r.workspaceId === engineering.id && days.has(r.date))
      const expected = new Map<string, number>()
      for (const r of inScope) expected.set(r.keyHash, (expected.get(r.keyHash) ?? 0) + r.usage)
      const { scope, table } = yield* report({ by: "key", days: 7, workspaces: ["engineering"], now })
      expect(scope.workspaces).toEqual([{ id: engineering.id, slug: "engineering" }])
      expect(table.dates).toHaveLength(8)
      expectSameTotals(totals(table.rows), expected)
      const withByok = yield* report({ by: "workspace", days: 7, workspaces: [engineering.id], includeByok: true, now })
      expect(withByok.table.total).toBeCloseTo(inScope.reduce((s, r) => s + r.usage + r.byokUsageInference, 0), 6)
      expect(inScope.some((r) => r.byokUsageInference > 0)).toBe(true)
    }).pipe(Effect.provide(layer)))

  it.scopedLive("a deleted key: by key its spend is a row of its own; by member it stays with its creator", () =>
    Effect.gen(function*() {
      const { members, now, records, sim, window } = yield* truth
      const keys = yield* Keys
      const victim = sim.state.apiKeys().find((k) =>
        k.creatorUserId !== null && members.has(k.creatorUserId) && records.some((r) => r.keyHash === k.hash && r.date !== window.today)
      )!
      const completed = records.filter((r) => r.keyHash === victim.hash && r.date !== window.today).reduce((s, r) => s + r.usage, 0)
      const before = (yield* report({ by: "member", now })).table
      yield* keys.delete({ hash: victim.hash })
      for (const attribution of ["auto", "activity"] as const) {
        const byKey = (yield* report({ by: "key", now, attribution })).table
        const unattributed = byKey.rows.find((r) => r.id === UNATTRIBUTED)!
        expect(unattributed.name).toBe("deleted keys")
        expect(unattributed.total).toBeCloseTo(completed, 6)
        const byMember = (yield* report({ by: "member", now, attribution })).table
        const creator = (t: typeof before) => t.rows.find((r) => r.id === victim.creatorUserId)!.total
        // the completed days still count for the member; today's came from the key's live usage, now gone
        expect(creator(byMember)).toBeCloseTo(creator(before) - victim.usageDaily, 6)
      }
    }).pipe(Effect.provide(layer)))

  it.scopedLive("filtered requests: largest spenders first, none for a key that never spent, stopping once all is accounted for", () =>
    Effect.gen(function*() {
      const { now, sim } = yield* truth
      yield* sim.clearRequests
      // one request at a time: none in flight when the whole is accounted for
      yield* report({ by: "member", now, attribution: "activity", concurrency: 1 })
      const perMember = (yield* sim.requests).filter((r) => r.path === "/activity" && r.query.includes("user_id="))
      const members = sim.state.members()
      const keys = sim.state.apiKeys()
      const spenders = new Set(keys.filter((k) => k.usage > 0).map((k) => k.creatorUserId))
      // members without a key that ever spent are never asked (the whole is accounted for before them)
      expect(perMember.length).toBeLessThanOrEqual(members.filter((m) => spenders.has(m.id)).length)
      expect(members.some((m) => !spenders.has(m.id))).toBe(true)
      // a new key has spent nothing: it is never asked about
      const fresh = yield* (yield* Keys).create({ name: "fresh" })
      yield* sim.clearRequests
      yield* report({ by: "key", now, attribution: "activity" })
      const perKey = (yield* sim.requests).filter((r) => r.path === "/activity" && r.query.includes("api_key_hash="))
      expect(perKey.length).toBeGreaterThan(0)
      expect(perKey.length).toBeLessThanOrEqual(keys.filter((k) => k.usage > 0).length)
      expect(perKey.some((r) => r.query.includes(fresh.data.hash))).toBe(false)
    }).pipe(Effect.provide(layer)))

  it.scopedLive("auto: one analytics query and one /activity; an analytics answer that fails falls back to /activity, same figures", () =>
    Effect.gen(function*() {
      const { now, sim } = yield* truth
      const trusted = yield* report({ by: "member", now })
      yield* sim.clearRequests
      const again = yield* report({ by: "member", now })
      const made = yield* sim.requests
      expect(made.filter((r) => r.path === "/analytics/query")).toHaveLength(1)
      expect(made.filter((r) => r.path === "/activity")).toHaveLength(1)
      expect(again.table.rows).toEqual(trusted.table.rows)
      yield* sim.inject({ path: "/analytics/query", status: 400 })
      const fallback = yield* report({ by: "member", now })
      expect(fallback.attribution).toBe("activity")
      expect(fallback.table.total).toBeCloseTo(trusted.table.total, 6)
      for (const row of trusted.table.rows) expect(fallback.table.rows.find((r) => r.id === row.id)!.total).toBeCloseTo(row.total, 6)
    }).pipe(Effect.provide(layer)))

  it.scopedLive("fuzzing: whatever a JavaScript caller passes, a typed error and no /activity request, never a defect", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* sim.clearRequests
      const field = FastCheck.oneof(FastCheck.anything(), FastCheck.bigInt(), FastCheck.constant(undefined))
      const options = FastCheck.record({
        by: FastCheck.oneof(FastCheck.anything(), FastCheck.constantFrom("workspace", "member")),
        days: field,
        workspaces: FastCheck.oneof(field, FastCheck.constant([]), FastCheck.array(FastCheck.anything())),
        includeByok: FastCheck.oneof(field, FastCheck.boolean()),
        concurrency: field,
        now: field,
        attribution: field,
        threshold: field,
        top: field
      }, { requiredKeys: [] })
      const samples = FastCheck.sample(FastCheck.oneof(options, FastCheck.anything()), 150)
      let refused = 0
      for (const sample of samples) {
        for (const call of [report, utilisation, check] as Array<(o: any) => Effect.Effect<unknown, any, any>>) {
          yield* sim.clearRequests
          const exit = yield* Effect.exit(call(sample))
          expect(Exit.isFailure(exit) && Cause.isDie(exit.cause), `defect for ${shown(sample)}`).toBe(false)
          const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
          if (error?._tag === "Some" && error.value._tag === "InvalidRequestError") {
            refused++
            // a refused call read at most the workspace list (to resolve a selection): never activity
            const read = (yield* sim.requests).filter((r) => r.path === "/activity" || r.path === "/analytics/query")
            expect(read, shown(sample)).toEqual([])
          }
        }
      }
      expect(refused).toBeGreaterThan(300)
    }).pipe(Effect.provide(layer)))

  it.scopedLive("bad options are refused before any request", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* sim.clearRequests
      for (
        const options of [{ by: "member" as const, days: 31 }, { by: "member" as const, days: 0 }, { by: "team" as any }, {
          by: "key" as const,
          workspaces: []
        }]
      ) {
        const error = yield* Effect.flip(report(options))
        expect(error._tag).toBe("InvalidRequestError")
      }
      const unknown = yield* Effect.flip(report({ by: "workspace", workspaces: ["nope-*"] }))
      expect(unknown.message).toContain("no workspace matches \"nope-*\"")
      expect((yield* sim.requests).filter((r) => r.path === "/activity")).toHaveLength(0)
    }).pipe(Effect.provide(layer)))
})
