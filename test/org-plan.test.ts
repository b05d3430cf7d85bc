/**
 * Org.export and Org.plan against the simulator: export then plan shows no change (on organisations
 * of several shapes), the plan a person reads, only list requests, and every prune guard.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck, Layer } from "effect"
import { Guardrails } from "../src/Guardrails.ts"
import * as OrgExport from "../src/jobs/OrgExport.ts"
import * as OrgPlan from "../src/jobs/OrgPlan.ts"
import * as OrgSpec from "../src/jobs/OrgSpec.ts"
import { Keys } from "../src/Keys.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator, type SimulatorOptions } from "../src/simulator/index.ts"
import { servicesLayer } from "./support.ts"

const fast = { retry: RetryPolicy.make({ jitter: false, initialDelay: "5 millis", maxDelay: "50 millis", maxRetries: 8 }) }
const orgLayer = (sim: SimulatorOptions = {}) => Layer.mergeAll(Keys.Default, Guardrails.Default).pipe(Layer.provideMerge(servicesLayer(sim, fast)))

const emailOf = (sim: Simulator["Type"], userId: string) => sim.state.members().find((m) => m.id === userId)!.email
const membersOf = (sim: Simulator["Type"], slug: string) => sim.state.workspaceMembers(slug).map((m) => emailOf(sim, m.userId))
const parse = (text: string) => OrgSpec.parse(text, "org.yaml")

describe("Org.export → Org.plan", () => {
  it.live("export then plan shows no change, on seeded organisations of several shapes", () =>
    Effect.promise(() =>
      FastCheck.assert(
        FastCheck.asyncProperty(
          FastCheck.record({
            seed: FastCheck.string({ minLength: 1, maxLength: 8 }),
            members: FastCheck.integer({ min: 0, max: 150 }),
            workspaces: FastCheck.integer({ min: 1, max: 9 })
          }),
          (shape) =>
            Effect.gen(function*() {
              const sim = yield* Simulator
              const exported = yield* OrgExport.exportSpec()
              const text = OrgExport.toYaml(exported)
              // stable: a second export is the same text
              expect(OrgExport.toYaml(yield* OrgExport.exportSpec())).toBe(text)
              yield* sim.clearRequests
              const plan = yield* OrgPlan.plan(yield* parse(text))
              expect(OrgPlan.describe(plan)).toEqual(["No changes: the organisation matches the file."])
              expect((yield* sim.requests).every((r) => r.method === "GET")).toBe(true)
            }).pipe(
              Effect.provide(orgLayer({ seed: shape.seed, organization: { members: shape.members, workspaces: shape.workspaces } })),
              Effect.scoped,
              Effect.runPromise
            )
        ),
        { numRuns: 5 }
      )
    ))

  it.scopedLive("export: members by e-mail and sorted, no members for the default workspace, --workspace selects", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const all = OrgSpec.encode(yield* OrgExport.exportSpec()) as any
      expect(Object.keys(all.workspaces)).toEqual(sim.state.workspaces().map((w) => w.slug).sort())
      expect(all.workspaces.default.members).toBeUndefined()
      expect(all.workspaces.engineering.members).toEqual(membersOf(sim, "engineering").sort())
      const some = OrgSpec.encode(yield* OrgExport.exportSpec({ workspaces: ["eng*"] })) as any
      expect(Object.keys(some.workspaces)).toEqual(["engineering"])
      const none = yield* Effect.flip(OrgExport.exportSpec({ workspaces: ["nope"] }))
      expect(none.message).toContain("no workspace matches \"nope\"")
    }).pipe(Effect.provide(orgLayer({ organization: { members: 40, workspaces: 4 } }))))
})

describe("Org.plan", () => {
  it.scopedLive("the difference as a person reads it, and the actions, with only list requests", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const emails = sim.state.members().map((m) => m.email)
      const eng = membersOf(sim, "engineering")
      const outside = emails.filter((e) => !eng.includes(e))
      const text = `version: 1
workspaces:
  engineering:
    description: Builds things
    budgets: { daily: 20, weekly: 300, monthly: 500 }
    members: [${[...eng, ...outside.slice(0, 4)].join(", ")}]
    guardrails:
      eu-only: { limitUsd: 50, allowedProviders: [mistral], members: [${outside[0]}] }
  new-hires:
    name: New hires
    budgets: { monthly: 100 }
    members: [${outside.slice(4, 6).join(", ")}]
`
      yield* sim.clearRequests
      const plan = yield* OrgPlan.plan(yield* parse(text))
      expect((yield* sim.requests).every((r) => r.method === "GET")).toBe(true)
      expect(OrgPlan.describe(plan)).toEqual([
        "engineering",
        "    ~ description \"The engineering team\" → \"Builds things\"",
        "    ~ monthly budget 1000 → 500 USD",
        "    + daily budget 20 USD",
        `    + 4 members (${outside[0]}, ${outside[1]}, ${outside[2]}, and 1 more)`,
        "    + create guardrail eu-only",
        `    + guardrail eu-only: assign 1 member (${outside[0]})`,
        "+ create workspace new-hires",
        "    + monthly budget 100 USD",
        `    + 2 members (${outside[4]}, ${outside[5]})`,
        "Plan: 11 to add, 2 to change, 0 to remove."
      ])
      expect(plan.actions.map((a) => a._tag)).toEqual([
        "UpdateWorkspace",
        "SetBudgets",
        "AddMembers",
        "CreateGuardrail",
        "AssignGuardrail",
        "CreateWorkspace",
        "SetBudgets",
        "AddMembers"
      ])
      expect(sim.state.workspaces().some((w) => w.slug === "new-hires")).toBe(false)
    }).pipe(Effect.provide(orgLayer({ organization: { members: 60, workspaces: 3 } }))))

  it("budgets are ordered so daily < weekly < monthly < lifetime holds at every step", () => {
    const step = (interval: "daily" | "weekly" | "monthly" | "lifetime", from: number | undefined, to: number | undefined) =>
      new OrgPlan.BudgetStep({ interval, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) })
    const valid = (state: Map<string, number>) => {
      const values = ["daily", "weekly", "monthly", "lifetime"].flatMap((i) => (state.has(i) ? [state.get(i)!] : []))
      return values.every((v, i) => i === 0 || values[i - 1]! < v)
    }
    FastCheck.assert(
      FastCheck.property(
        FastCheck.uniqueArray(FastCheck.integer({ min: 1, max: 1000 }), { minLength: 4, maxLength: 4 }),
        FastCheck.uniqueArray(FastCheck.integer({ min: 1, max: 1000 }), { minLength: 4, maxLength: 4 }),
        FastCheck.array(FastCheck.boolean(), { minLength: 8, maxLength: 8 }),
        (a, b, present) => {
          const intervals = ["daily", "weekly", "monthly", "lifetime"] as const
          const from = [...a].sort((x, y) => x - y)
          const to = [...b].sort((x, y) => x - y)
          const current = new Map(intervals.flatMap((i, k) => (present[k] ? [[i, from[k]!] as const] : [])))
          const steps = intervals.flatMap((i, k) => {
            const target = present[k + 4] ? to[k] : undefined
            const have = current.get(i)
            return target === have || (target === undefined && have === undefined) ? [] : [step(i, have, target)]
          })
          const state = new Map<string, number>(current)
          for (const s of OrgPlan.orderBudgets(current, steps)) {
            if (s.to === undefined) state.delete(s.interval)
            else state.set(s.interval, s.to)
            if (!valid(state)) return false
          }
          return true
        }
      ),
      { numRuns: 500 }
    )
  })

  it.scopedLive("an e-mail nobody has is an error naming it and its line, before any change", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const error = yield* Effect.flip(OrgPlan.plan(
        yield* parse(`version: 1
people:
  team: [nobody@example.com]
workspaces:
  engineering:
    members: [${sim.state.members()[0]!.email}, people:team, user_doesNotExist]
`)
      ))
      expect(error._tag).toBe("OrgSpecError")
      expect(error.message).toContain("org.yaml:3:10: people.team.0: no organisation member has the e-mail nobody@example.com")
      expect(error.message).toContain("org.yaml:6:") // the id, in the members list
      expect(error.message).toContain("no organisation member has the id user_doesNotExist")
      expect((yield* sim.requests).every((r) => r.method === "GET")).toBe(true)
    }).pipe(Effect.provide(orgLayer({ organization: { members: 20, workspaces: 2 } }))))

  it.scopedLive("pruning only when asked; more than 25 % of a workspace's members is refused, saying how to allow it", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const eng = membersOf(sim, "engineering")
      const keep = (n: number) => `version: 1\nworkspaces:\n  engineering:\n    members: [${eng.slice(0, n).join(", ")}]\n`
      const half = Math.ceil(eng.length / 2)
      // not asked: nothing removed
      expect((yield* OrgPlan.plan(yield* parse(keep(half)))).actions).toEqual([])
      const refused = yield* Effect.flip(OrgPlan.plan(yield* parse(`${keep(half)}prune: { members: true }\n`)))
      expect(refused._tag).toBe("PruneLimitError")
      expect(refused.message).toContain(`engineering: ${eng.length - half} of ${eng.length} members`)
      // the library names its option; the CLI says the flag
      expect(refused.message).toContain(`allow it with maxRemovals ${eng.length - half} (a count)`)
      expect(refused.message).not.toContain("--")
      expect((refused as OrgPlan.PruneLimitError).describeWith("--max-removals")).toContain(`--max-removals ${eng.length - half}`)
      const allowed = yield* OrgPlan.plan(yield* parse(`${keep(half)}prune: { members: true }\n`), { maxRemovals: eng.length - half })
      const removal = allowed.actions.find((a) => a._tag === "RemoveMembers")!
      expect(removal.userIds).toHaveLength(eng.length - half)
      const fewer = Math.floor(eng.length * 0.8)
      expect((yield* OrgPlan.plan(yield* parse(`${keep(fewer)}prune: { members: true }\n`))).actions.map((a) => a._tag)).toEqual(["RemoveMembers"])
      const bad = yield* Effect.flip(OrgPlan.plan(yield* parse(keep(1)), { maxRemovals: "lots" }))
      expect(bad.message).toContain("maxRemovals must be a share such as 25%")
    }).pipe(Effect.provide(orgLayer({ organization: { members: 120, workspaces: 3 } }))))

  it.scopedLive("the creator of the key in use is never removed; their keys elsewhere are disabled before removal", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const creator = sim.state.members()[0]!
      // put the creator into engineering, then prune everyone else but one
      const eng = sim.state.workspaceMembers("engineering").map((m) => m.userId)
      const text = `version: 1\nworkspaces:\n  engineering:\n    members: [${emailOf(sim, eng[0]!)}]\nprune: { members: true }\n`
      const spec = yield* parse(text)
      const plan = yield* OrgPlan.plan(spec, { maxRemovals: "100%" })
      const removal = plan.actions.find((a): a is OrgPlan.RemoveMembers => a._tag === "RemoveMembers")!
      expect(removal.userIds).not.toContain(creator.id)
      if (eng.includes(creator.id)) expect(plan.notes).toContain(`engineering: ${creator.email} is kept: they created the key in use`)
      // the keys to disable are exactly the leaving members' active keys there
      const leaving = new Set(removal.userIds)
      const active = sim.state.apiKeys().filter((k) =>
        k.workspaceId === sim.state.workspaces().find((w) => w.slug === "engineering")!.id && !k.disabled && leaving.has(k.creatorUserId ?? "")
      )
      expect(removal.keys.map((k) => k.hash).sort()).toEqual(active.map((k) => k.hash).sort())
    }).pipe(Effect.provide(orgLayer({ organization: { members: 60, workspaces: 3 } }))))

  it.scopedLive("protect: a protected workspace is never changed or pruned; the default workspace is never deleted", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const text = `version: 1
workspaces:
  engineering: { description: changed }
  research: { description: changed too }
prune: { workspaces: true }
protect: ["res*"]
`
      const plan = yield* OrgPlan.plan(yield* parse(text), { maxRemovals: "100%" })
      const touched = new Set(plan.actions.map((a) => a.slug))
      expect(touched.has("research")).toBe(false)
      expect(touched.has("default")).toBe(false)
      expect(plan.notes).toContain("research: protected, left as it is")
      const deleted = plan.actions.filter((a) => a._tag === "DeleteWorkspace").map((a) => a.slug).sort()
      expect(deleted).toEqual(sim.state.workspaces().map((w) => w.slug).filter((s) => !["default", "engineering", "research"].includes(s)).sort())
      // 25 %: deleting 2 of 5 workspaces is refused
      const refused = yield* Effect.flip(OrgPlan.plan(yield* parse(text)))
      expect(refused.message).toContain("the organisation: 2 of 5 workspaces")
    }).pipe(Effect.provide(orgLayer({ organization: { members: 30, workspaces: 5 } }))))

  it.scopedLive("the default workspace takes no members list", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const error = yield* Effect.flip(
        OrgPlan.plan(yield* parse(`version: 1\nworkspaces:\n  default:\n    members: [${sim.state.members()[0]!.email}]\n`))
      )
      expect(error.message).toContain("org.yaml:4:5: workspaces.default.members: the default workspace holds every organisation member implicitly")
    }).pipe(Effect.provide(orgLayer({ organization: { members: 10, workspaces: 2 } }))))
})
