/**
 * One definition per job kind: the table is the only list of kinds (plan files, kinds, resume derive
 * from it); spec constructors that cannot throw; workspace creation and budget writes are journaled
 * operations like every other write; plans name every workspace they selected.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Schema } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Guardrails } from "../src/Guardrails.ts"
import { BudgetPolicy, Definitions, Journal, Onboarding, OnboardingSpec, PlanFile } from "../src/jobs/index.ts"
import { Keys } from "../src/Keys.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator } from "../src/simulator/index.ts"
import { servicesLayer } from "./support.ts"

const fast = { retry: RetryPolicy.make({ jitter: false, initialDelay: "5 millis", maxDelay: "50 millis", maxRetries: 8 }) }
const layer = () =>
  Layer.mergeAll(Keys.Default, Guardrails.Default).pipe(
    Layer.provideMerge(servicesLayer({ seed: "definitions" }, fast)),
    Layer.merge(Journal.layer(join(mkdtempSync(join(tmpdir(), "definitions-")), "journal.sqlite")))
  )

describe("job definitions", () => {
  it("the table is keyed by each definition's kind, and plan files accept exactly its plan schemas", () => {
    for (const [kind, definition] of Object.entries(Definitions.definitions)) expect(definition.kind).toBe(kind)
    expect(Definitions.kinds).toEqual(["onboarding", "offboarding", "budget-policy", "file-cleanup", "key-hygiene", "org", "key-rotation"])
    expect(Definitions.isJobKind("onboarding")).toBe(true)
    expect(Definitions.isJobKind("toString")).toBe(false)
    // PlanFile.AnyPlan is the union of the definitions' plan schemas, nothing else
    const tags = (Schema.encodedSchema(PlanFile.AnyPlan).ast as { types?: ReadonlyArray<unknown> }).types?.length
    expect(tags).toBe(Definitions.kinds.length)
  })

  it.effect("OnboardingSpec.decode fails with a typed InvalidRequestError where make would throw", () =>
    Effect.gen(function*() {
      const bad = yield* Effect.either(OnboardingSpec.decode({ users: [], workspaces: ["team-a"] }))
      expect(Either.isLeft(bad) && bad.left._tag).toBe("InvalidRequestError")
      expect(Either.isLeft(bad) && bad.left.message).toContain("users: give at least one user")
      const notAnObject = yield* Effect.either(OnboardingSpec.decode("onboard everyone"))
      expect(Either.isLeft(notAnObject) && notAnObject.left._tag).toBe("InvalidRequestError")
      const good = yield* OnboardingSpec.decode({ users: ["ada@example.com"], workspaces: ["team-a"] })
      expect(good).toBeInstanceOf(OnboardingSpec)
      expect(() => OnboardingSpec.make({ users: [], workspaces: ["team-a"] })).toThrow()
    }))

  it.scopedLive(
    "onboarding journals the workspace it creates and the budgets it sets, and a resume does neither again",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const users = sim.state.members().slice(0, 3).map((m) => m.id)
        const spec = { users, workspaces: ["brand-new", "research"], ensureWorkspaces: true, budgets: { weekly: 40, monthly: 90 } }
        const planned = yield* Onboarding.plan(spec)
        // the plan names every workspace it selected, and each budget change
        const text = Onboarding.describe(planned)
        expect(text.some((line) => line.includes("create workspace brand-new"))).toBe(true)
        expect(text.some((line) => line.includes("research"))).toBe(true)
        expect(text).toContain("    ~ monthly budget none → 90 USD")
        const report = yield* Onboarding.apply(planned, { jobId: "onboard-journaled" })
        expect(report.failed).toEqual([])
        const journal = yield* Journal.Journal
        const keys = [...(yield* journal.entries("onboard-journaled")).keys()]
        expect(keys).toContain("create:brand-new")
        expect(keys.filter((k) => k.startsWith("budgets:"))).toHaveLength(2)
        expect(report.items.filter((i) => i.kind === "workspace").map((i) => [i.key, i.outcome])).toEqual([["brand-new", "done"]])
        expect(report.items.filter((i) => i.kind === "budget" && i.outcome === "done")).toHaveLength(4)
        // a resume re-plans from the server: nothing is created or set again
        yield* sim.clearRequests
        const again = yield* Onboarding.apply(spec, { jobId: "onboard-journaled" })
        expect(again.failed).toEqual([])
        expect((yield* sim.requests).filter((r) => r.method !== "GET")).toEqual([])
        // the budgets are already right: the budget policy agrees
        const policy = yield* BudgetPolicy.plan({ budgets: { weekly: 40, monthly: 90 }, workspaces: ["brand-new", "research"] })
        expect(BudgetPolicy.isEmpty(policy)).toBe(true)
        expect([...policy.alreadyRight].sort()).toEqual(["brand-new", "research"])
      }).pipe(Effect.provide(layer())),
    60_000
  )

  it.scopedLive(
    "a saved plan is sealed: any edit (a slug, an added user, a widened filter) is refused; key order is not an edit",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const users = sim.state.members().slice(0, 2).map((m) => m.id)
        const plan = yield* Onboarding.plan({ users, workspaces: ["research"] })
        const text = yield* PlanFile.encode(
          new PlanFile.PlanDocument({ format: PlanFile.FORMAT, version: 1, createdAt: new Date().toISOString(), baseUrl: sim.baseUrl, plan })
        )
        const saved = JSON.parse(text)
        expect(saved.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
        const decoded = yield* PlanFile.decode(text)
        expect(decoded.plan).toEqual(plan)
        // the same document with its keys in another order is the same plan
        const reordered = Object.fromEntries(Object.entries(saved).reverse())
        expect((yield* PlanFile.decode(JSON.stringify(reordered))).plan).toEqual(plan)
        const edits: ReadonlyArray<(doc: any) => void> = [
          (doc) => (doc.plan.workspaces[0].slug = "sales"),
          (doc) => doc.plan.spec.users.push(sim.state.members()[9]!.id),
          (doc) => doc.plan.workspaces[0].chunks[0]?.push(sim.state.members()[9]!.id),
          (doc) => (doc.baseUrl = "https://elsewhere.example/api/v1"),
          (doc) => delete doc.digest
        ]
        for (const edit of edits) {
          const copy = JSON.parse(text)
          edit(copy)
          const refused = yield* Effect.flip(PlanFile.decode(JSON.stringify(copy)))
          expect(refused._tag).toBe("InvalidRequestError")
          expect(refused.message).toMatch(/plan again/)
        }
        const edited = JSON.parse(text)
        edited.plan.workspaces[0].slug = "sales"
        expect((yield* Effect.flip(PlanFile.decode(JSON.stringify(edited)))).message).toContain("the plan was edited after it was made: plan again")
        expect((yield* sim.requests).filter((r) => r.method !== "GET")).toEqual([])
      }).pipe(Effect.provide(layer())),
    60_000
  )
})
