/**
 * Plans are exact: applying a saved plan does what it has and nothing else. Work the server needs
 * now that the plan did not have is reported ("outside the plan: plan again"), never done and never
 * left out of the report.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Files } from "../src/Files.ts"
import { Counts, FileCleanup, Journal, Offboarding, Onboarding } from "../src/jobs/index.ts"
import { Simulator } from "../src/simulator/index.ts"
import { Workspaces } from "../src/Workspaces.ts"

const layer = () =>
  Layer.merge(
    Simulator.layerClient({ seed: "exact", organization: { members: 60 } }),
    Journal.layer(join(mkdtempSync(join(tmpdir(), "exact-")), "journal.sqlite"))
  )
const fast = { rate: 100_000 }

describe("saved plans are exact", () => {
  it.effect("onboarding: a member removed by hand since the plan is reported outside the plan, and not added", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      const support = sim.state.workspaces().find((w) => w.slug === "support")!
      const members = new Set(sim.state.workspaceMembers("support").map((m) => m.userId))
      const newcomer = sim.state.members().find((m) => !members.has(m.id))!.id
      // one without an active key there (the API refuses to remove those)
      const holders = new Set(sim.state.apiKeys().filter((k) => k.active && k.workspaceId === support.id).map((k) => k.userId))
      const member = [...members].find((id) => !holders.has(id))!
      const saved = yield* Onboarding.plan({ users: [newcomer, member], workspaces: ["support"] }, fast)
      yield* workspaces.bulkRemoveMembers({ id: support.id, userIds: [member] })
      const report = yield* Onboarding.apply(saved, { ...fast, jobId: "exact-on" })
      const of = (user: string) => report.items.filter((i) => i.key === user).map((i) => [i.outcome, i.reason])
      expect(of(newcomer)).toEqual([["done", undefined]])
      expect(of(member)).toEqual([["skipped", "not done: outside the plan (the server needs it now, the saved plan did not have it); plan again"]])
      expect(sim.state.workspaceMembers("support").some((m) => m.userId === member)).toBe(false)
      expect(Counts.lines(report.items)).toEqual(["2 memberships: 1 done, 1 skipped"])
    }).pipe(Effect.provide(layer())))

  it.effect("offboarding: a user added by hand since the plan is reported outside the plan, and not removed", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      const research = sim.state.workspaces().find((w) => w.slug === "research")!
      const members = new Set(sim.state.workspaceMembers("research").map((m) => m.userId))
      const outsider = sim.state.members().find((m) => !members.has(m.id))!.id
      const saved = yield* Offboarding.plan({ users: [outsider], workspaces: ["research"] }, fast)
      expect(saved.workspaces[0]!.unchanged).toEqual([outsider])
      yield* workspaces.bulkAddMembers({ id: research.id, userIds: [outsider] })
      const report = yield* Offboarding.apply(saved, { ...fast, jobId: "exact-off" })
      expect(report.items.map((i) => [i.kind, i.key, i.outcome, i.reason])).toEqual([[
        "membership",
        outsider,
        "skipped",
        "not done: outside the plan (the server needs it now, the saved plan did not have it); plan again"
      ]])
      expect(sim.state.workspaceMembers("research").some((m) => m.userId === outsider)).toBe(true)
    }).pipe(Effect.provide(layer())))

  it.effect("file cleanup: a file selected now but not when the plan was made is reported outside the plan, and kept", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const saved = yield* FileCleanup.plan({ name: "late-*.txt", workspaces: ["default"] }, fast)
      expect(saved.count).toBe(0)
      const late = yield* files.upload({ file: new TextEncoder().encode("hello"), filename: "late-1.txt" })
      const report = yield* FileCleanup.apply(saved, { ...fast, jobId: "exact-files" })
      expect(report.items.map((i) => [i.key, i.outcome, i.reason])).toEqual([[
        late.id,
        "skipped",
        "not deleted: outside the plan (selected now, not when the plan was made); plan again"
      ]])
      const sim = yield* Simulator
      expect(sim.state.files.list(sim.state.defaultWorkspaceId).some((f) => f.id === late.id)).toBe(true)
    }).pipe(Effect.provide(layer())))
})
