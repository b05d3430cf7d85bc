/**
 * Org.apply against the simulator: every step valid when sent, convergence (a second apply sends
 * nothing), pruning as offboarding does, saved plans re-checked.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Guardrails } from "../src/Guardrails.ts"
import { Journal } from "../src/jobs/index.ts"
import * as OrgApply from "../src/jobs/OrgApply.ts"
import * as OrgExport from "../src/jobs/OrgExport.ts"
import * as OrgPlan from "../src/jobs/OrgPlan.ts"
import * as OrgSpec from "../src/jobs/OrgSpec.ts"
import { Keys } from "../src/Keys.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator, type SimulatorOptions } from "../src/simulator/index.ts"
import { servicesLayer } from "./support.ts"

const fast = { retry: RetryPolicy.make({ jitter: false, initialDelay: "5 millis", maxDelay: "50 millis", maxRetries: 8 }) }
const journal = () => Journal.layer(join(mkdtempSync(join(tmpdir(), "org-journal-")), "journal.sqlite"))
const orgLayer = (sim: SimulatorOptions = {}) =>
  Layer.mergeAll(Keys.Default, Guardrails.Default).pipe(Layer.provideMerge(servicesLayer(sim, fast)), Layer.merge(journal()))

const changing = Effect.map(Effect.flatMap(Simulator, (sim) => sim.requests), (requests) => requests.filter((r) => r.method !== "GET"))

describe("Org.apply", () => {
  it.scopedLive("creates workspaces, budgets, members and guardrails in a valid order; a second apply sends nothing", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const emails = sim.state.members().map((m) => m.email)
      const eng = sim.state.workspaceMembers("engineering").map((m) => sim.state.members().find((x) => x.id === m.userId)!.email)
      const text = `version: 1
people:
  hires: [${emails.slice(0, 150).join(", ")}]
workspaces:
  engineering:
    description: Builds things
    budgets: { daily: 2000, weekly: 3000, monthly: 4000, lifetime: 50000 }
    members: [${eng.join(", ")}]
    guardrails:
      Engineering strict: { limitUsd: 150 }
  new-hires:
    name: New hires
    budgets: { daily: 5, weekly: 20, monthly: 100 }
    members: [people:hires]
    guardrails:
      eu-only:
        limitUsd: 50
        resetInterval: monthly
        allowedProviders: [mistral]
        allowedDataRegions: [europe]
        members: [${emails.slice(0, 120).join(", ")}]
`
      const spec = yield* OrgSpec.parse(text)
      const report = yield* OrgApply.apply(spec)
      expect(report.failed).toEqual([])
      const hires = sim.state.workspaces().find((w) => w.slug === "new-hires")!
      expect(hires.name).toBe("New hires")
      expect(sim.state.workspaceMembers("new-hires")).toHaveLength(150)
      const euOnly = (yield* Guardrails.list({ workspaceId: hires.id })).data.find((g) => g.name === "eu-only")!
      expect(euOnly.allowedDataRegions).toEqual(["europe"])
      expect(sim.state.budgets("new-hires").map((b) => [b.interval, b.limitUsd]).sort()).toEqual([["daily", 5], ["monthly", 100], ["weekly", 20]])
      // engineering's budgets were raised from weekly 300 / monthly 1000: the widest first, never refused
      expect(sim.state.budgets("engineering").map((b) => [b.interval, b.limitUsd]).sort()).toEqual([
        ["daily", 2000],
        ["lifetime", 50000],
        ["monthly", 4000],
        ["weekly", 3000]
      ])
      expect((yield* changing).filter((r) => r.status >= 400)).toEqual([])
      const adds = (yield* changing).filter((r) => r.path.endsWith("/members/add"))
      expect(adds).toHaveLength(2)

      yield* sim.clearRequests
      const again = yield* OrgApply.apply(spec)
      expect(yield* changing).toEqual([])
      expect(again.items.every((i) => i.outcome !== "done")).toBe(true)
      expect(OrgPlan.describe(yield* OrgPlan.plan(spec))).toEqual(["No changes: the organisation matches the file."])
    }).pipe(Effect.provide(orgLayer({ organization: { members: 200, workspaces: 3 } }))))

  it.scopedLive("prune: keys disabled and guardrails unassigned before the members are removed; the export matches after", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const exported = OrgSpec.encode(yield* OrgExport.exportSpec()) as any
      const eng = exported.workspaces.engineering
      const leaving = eng.members.slice(0, 2)
      eng.members = eng.members.slice(2)
      for (const g of Object.values(eng.guardrails) as Array<any>) g.members = g.members.filter((m: string) => !leaving.includes(m))
      const spec = yield* OrgSpec.decode({ ...exported, prune: { members: true } })
      const plan = yield* OrgPlan.plan(spec, { maxRemovals: "100%" })
      expect(plan.actions.map((a) => a._tag)).toEqual(["RemoveMembers"])
      yield* sim.clearRequests
      const report = yield* OrgApply.apply(plan)
      expect(report.failed).toEqual([])
      const removedAt = (yield* changing).findIndex((r) => r.path.endsWith("/members/remove"))
      const keyUpdates = (yield* changing).map((r, i) => [r, i] as const).filter(([r]) => r.method === "PATCH" && r.path.startsWith("/keys/"))
      expect(keyUpdates.every(([, i]) => i < removedAt)).toBe(true)
      const ids = new Set(sim.state.workspaceMembers("engineering").map((m) => m.userId))
      expect(sim.state.members().filter((m) => leaving.includes(m.email)).some((m) => ids.has(m.id))).toBe(false)
      expect(OrgPlan.isEmpty(yield* OrgPlan.plan(spec, { maxRemovals: "100%" }))).toBe(true)
    }).pipe(Effect.provide(orgLayer({ organization: { members: 80, workspaces: 3 } }))))
})
