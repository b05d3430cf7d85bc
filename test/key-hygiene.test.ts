/**
 * Key hygiene against the simulator over loopback: the plan (each key and why) changes nothing; apply
 * disables (or deletes) exactly the planned keys; a re-run changes nothing; a saved plan skips what no
 * longer applies; and the property: whatever the selection, no key outside it is ever touched.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck, Layer } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Guardrails } from "../src/Guardrails.ts"
import { Journal, KeyHygiene } from "../src/jobs/index.ts"
import { Keys } from "../src/Keys.ts"
import { Simulator, type SimulatorOptions } from "../src/simulator/index.ts"
import { servicesLayer } from "./support.ts"

const layer = (sim: SimulatorOptions = {}) =>
  Layer.mergeAll(Keys.Default, Guardrails.Default).pipe(
    Layer.provideMerge(servicesLayer({ seed: "hygiene", ...sim })),
    Layer.merge(Journal.layer(join(mkdtempSync(join(tmpdir(), "hygiene-")), "journal.sqlite")))
  )

const changing = Effect.map(Effect.flatMap(Simulator, (sim) => sim.requests), (requests) => requests.filter((r) => r.method !== "GET"))

/** Every key's state, by hash: "active", "disabled" or absent (deleted). */
const snapshot = Effect.map(Simulator, (sim) => new Map(sim.state.apiKeys().map((k) => [k.hash, k.disabled ? "disabled" : "active"])))

describe("key hygiene", () => {
  it.scopedLive(
    "audit lists each key and why, changing nothing; disable changes exactly those; a re-run changes nothing",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const members = new Set(sim.state.members().map((m) => m.id))
        const spec = { workspaces: "all" as const, orphaned: true, expired: true }
        const planned = yield* KeyHygiene.plan(spec)
        expect(yield* changing).toHaveLength(0)
        const now = planned.now
        const expected = sim.state.apiKeys().filter((k) =>
          !k.disabled && ((k.creatorUserId !== null && !members.has(k.creatorUserId)) || (k.expiresAt != null && Date.parse(k.expiresAt) <= now))
        )
        expect(planned.keys.map((k) => k.hash).sort()).toEqual(expected.map((k) => k.hash).sort())
        expect(planned.count).toBeGreaterThan(3)
        expect(planned.keys.some((k) => k.reasons.some((r) => r.includes("no longer an organisation member")))).toBe(true)
        expect(planned.keys.some((k) => k.reasons.some((r) => r.startsWith("expired")))).toBe(true)
        // the plan as a person reads it: each key by name, label, workspace, and why
        const text = KeyHygiene.describe(planned)
        expect(text[0]).toBe(`- disable ${planned.count} keys in ${new Set(planned.keys.map((k) => k.workspace)).size} workspaces`)
        expect(text.some((line) => line.includes(planned.keys[0]!.label) && line.includes(planned.keys[0]!.workspace))).toBe(true)

        const before = yield* snapshot
        const report = yield* KeyHygiene.apply(planned)
        expect(report.failed).toEqual([])
        const after = yield* snapshot
        const selected = new Set(expected.map((k) => k.hash))
        for (const [hash, state] of before) expect(after.get(hash)).toBe(selected.has(hash) ? "disabled" : state)

        yield* sim.clearRequests
        const again = yield* KeyHygiene.apply(spec)
        expect(again.items).toEqual([])
        expect(yield* changing).toHaveLength(0)
      }).pipe(Effect.provide(layer())),
    60_000
  )

  it.scopedLive("delete, by name glob in some workspaces; a saved plan skips a key deleted meanwhile", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const keys = yield* Keys
      const spec = { workspaces: ["engineering", "res*"], name: "prod", action: "delete" as const }
      const planned = yield* KeyHygiene.plan(spec)
      expect(planned.count).toBeGreaterThan(1)
      const workspaces = new Set(sim.state.workspaces().filter((w) => ["engineering", "research"].includes(w.slug)).map((w) => w.id))
      const expected = sim.state.apiKeys().filter((k) => k.name === "prod" && workspaces.has(k.workspaceId))
      // delete also takes keys already disabled
      expect(planned.keys.map((k) => k.hash).sort()).toEqual(expected.map((k) => k.hash).sort())
      const gone = planned.keys[0]!
      yield* keys.delete({ hash: gone.hash })
      const saved = JSON.parse(JSON.stringify(planned))
      const report = yield* KeyHygiene.apply(saved)
      expect(report.items.filter((i) => i.outcome !== "done").map((i) => [i.key, i.outcome, i.reason])).toEqual([
        [gone.hash, "already-done", "already gone"]
      ])
      expect(report.items.filter((i) => i.outcome === "done")).toHaveLength(planned.count - 1)
      const left = new Set(sim.state.apiKeys().map((k) => k.hash))
      for (const k of expected) expect(left.has(k.hash)).toBe(false)
    }).pipe(Effect.provide(layer())), 60_000)

  it.scopedLive("an empty selection is refused before any request", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      for (
        const spec of [{ workspaces: "all" }, { workspaces: ["engineering"] }, { workspaces: "all", orphaned: false }, {
          workspaces: "all",
          allKeys: true,
          expired: true
        }, { workspaces: [], expired: true }]
      ) {
        const error = yield* Effect.flip(KeyHygiene.plan(spec))
        expect(error._tag).toBe("InvalidRequestError")
      }
      expect(yield* sim.requests).toHaveLength(0)
    }).pipe(Effect.provide(layer())), 30_000)

  it.scopedLive("property: whatever the selection, no key outside it is ever touched", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const slugs = sim.state.workspaces().map((w) => w.slug)
      const specs = FastCheck.sample(
        FastCheck.record({
          workspaces: FastCheck.oneof(
            FastCheck.constant("all" as const),
            FastCheck.uniqueArray(FastCheck.constantFrom(...slugs, "*ing", "s*"), { minLength: 1, maxLength: 3 })
          ),
          orphaned: FastCheck.boolean(),
          expired: FastCheck.boolean(),
          overLimit: FastCheck.option(FastCheck.constantFrom(0.5, 0.9, 1, 1.05), { nil: undefined }),
          name: FastCheck.option(FastCheck.constantFrom("ci", "prod", "*a*", "d?v"), { nil: undefined }),
          label: FastCheck.option(FastCheck.constantFrom("sk-or-v1-?0*", "sk-or-v1-a*", "*5"), { nil: undefined }),
          action: FastCheck.constantFrom("disable" as const, "delete" as const)
        }, { requiredKeys: ["workspaces", "action"] }),
        { numRuns: 30, seed: 5 }
      ).filter((spec) => [spec.orphaned, spec.expired, spec.overLimit, spec.name, spec.label].some((c) => c !== undefined && c !== false))
      expect(specs.length).toBeGreaterThan(15)
      const members = () => new Set(sim.state.members().map((m) => m.id))
      for (const spec of specs) {
        const inScope = new Set(
          sim.state.workspaces().filter((w) =>
            spec.workspaces === "all" || spec.workspaces.some((g) => new RegExp(`^${g.replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(w.slug))
          ).map((w) => w.id)
        )
        const glob = (g: string | undefined, s: string) =>
          g === undefined || new RegExp(`^${g.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(s)
        const started = Date.now()
        const org = members()
        // the selection, written independently of the job: in scope, globs, one of the reasons asked
        const selectedBy = (k: ReturnType<typeof sim.state.apiKeys>[number], now: number) => {
          if (!inScope.has(k.workspaceId) || (k.disabled && spec.action === "disable")) return false
          if (!glob(spec.name, k.name) || !glob(spec.label, k.label)) return false
          const reasons = [
            spec.orphaned && k.creatorUserId !== null && !org.has(k.creatorUserId),
            spec.expired && k.expiresAt != null && Date.parse(k.expiresAt) <= now,
            spec.overLimit !== undefined && k.limit !== null && k.usage >= spec.overLimit * k.limit
          ]
          return spec.orphaned || spec.expired || spec.overLimit !== undefined ? reasons.some(Boolean) : true
        }
        const before = sim.state.apiKeys().map((k) => ({ hash: k.hash, state: k.disabled ? "disabled" : "active", selected: selectedBy(k, started) }))
        const report = yield* KeyHygiene.apply(JSON.parse(JSON.stringify(spec)))
        const after = yield* snapshot
        for (const k of before) {
          if (!k.selected) expect({ spec, hash: k.hash, state: after.get(k.hash) }).toEqual({ spec, hash: k.hash, state: k.state })
          else expect(after.get(k.hash)).toBe(spec.action === "delete" ? undefined : "disabled")
        }
        expect(report.failed).toEqual([])
      }
    }).pipe(Effect.provide(layer({ organization: { members: 150 } }))), 120_000)
})
