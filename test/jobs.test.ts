/**
 * Bulk jobs against the simulator: plan vs apply, dry runs, idempotent re-runs, bisection, rate
 * limits, injected faults, interrupt-then-resume, and cleanup that never touches unselected files.
 * These run on the live clock: the rate gate and the simulator's latency are real time.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, FastCheck, Fiber, Layer, PubSub, Queue } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Guardrails } from "../src/Guardrails.ts"
import type { JobEvent } from "../src/jobs/Engine.ts"
import { BudgetPolicy, FileCleanup, Journal, Offboarding, Onboarding } from "../src/jobs/index.ts"
import { Keys } from "../src/Keys.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator, type SimulatorOptions } from "../src/simulator/index.ts"
import { servicesLayer } from "./support.ts"

const fast = { retry: RetryPolicy.make({ jitter: false, initialDelay: "5 millis", maxDelay: "50 millis", maxRetries: 8 }) }
const journal = () => Journal.layer(join(mkdtempSync(join(tmpdir(), "journal-")), "journal.sqlite"))
const jobsLayer = (sim: SimulatorOptions = {}) =>
  Layer.mergeAll(Keys.Default, Guardrails.Default).pipe(Layer.provideMerge(servicesLayer(sim, fast)), Layer.merge(journal()))

/** Requests that change something (everything but GET). */
const changing = Effect.map(
  Effect.flatMap(Simulator, (sim) => sim.requests),
  (requests) => requests.filter((r) => r.method !== "GET")
)

const orgIds = Effect.map(Simulator, (sim) => sim.state.members().map((m) => m.id))

describe("onboarding", () => {
  it.scopedLive("plan is a dry run; apply adds in chunks of 100; a re-run changes nothing", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const ids = (yield* orgIds).slice(0, 250)
      const emails = sim.state.members().slice(250, 260).map((m) => m.email)
      const params = {
        users: [...ids, ...emails, "nobody@example.com"],
        workspaces: ["research", "new-team"],
        ensureWorkspaces: true,
        budgets: { monthly: 500, daily: 20 }
      }
      const planned = yield* Onboarding.plan(params)
      expect(yield* changing).toHaveLength(0)
      expect(planned.problems.map((p) => p.key)).toEqual(["nobody@example.com"])
      const existing = new Set(sim.state.workspaceMembers("research").map((m) => m.userId))
      const missing = [...ids, ...sim.state.members().slice(250, 260).map((m) => m.id)].filter((id) => !existing.has(id))
      expect(planned.workspaces[0]!.chunks.flat().sort()).toEqual(missing.sort())
      expect(planned.workspaces[1]!.create).toBe(true)

      const report = yield* Onboarding.apply(planned)
      expect(report.failed.map((i) => i.key)).toEqual(["nobody@example.com"])
      for (const slug of ["research", "new-team"]) {
        const members = new Set(sim.state.workspaceMembers(slug).map((m) => m.userId))
        expect([...ids].every((id) => members.has(id))).toBe(true)
      }
      expect(sim.state.budgets("new-team").map((b) => [b.interval, b.limitUsd]).sort()).toEqual([["daily", 20], ["monthly", 500]])
      const adds = (yield* changing).filter((r) => r.path.endsWith("/members/add"))
      expect(adds).toHaveLength(Math.ceil(missing.length / 100) + Math.ceil(260 / 100))

      yield* sim.clearRequests
      const again = yield* Onboarding.apply(params)
      expect(yield* changing).toHaveLength(0)
      expect(again.failed).toHaveLength(1)
    }).pipe(Effect.provide(jobsLayer({ organization: { members: 400 } }))))

  it.scopedLive("a 400 chunk is bisected: one and several bad ids among 100 are isolated", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const good = (yield* orgIds).slice(0, 97)
      const users = [...good.slice(0, 40), "user_bad_1", ...good.slice(40, 80), "user_bad_2", "user_bad_3", ...good.slice(80)]
      expect(users).toHaveLength(100)
      const report = yield* Onboarding.apply({ users, workspaces: ["marketing"] })
      const failed = report.failed.map((i) => i.key).sort()
      expect(failed).toEqual(["user_bad_1", "user_bad_2", "user_bad_3"])
      expect(report.failed[0]!.reason).toContain("not members of this organization")
      const members = new Set(sim.state.workspaceMembers("marketing").map((m) => m.userId))
      expect(good.every((id) => members.has(id))).toBe(true)

      const single = yield* Onboarding.apply({ users: [...good.slice(0, 10), "user_lonely"], workspaces: ["sales"] })
      expect(single.failed.map((i) => i.key)).toEqual(["user_lonely"])
    }).pipe(Effect.provide(jobsLayer())))

  it.scopedLive("gentle with rate limits: 429s pause every worker, and everything still lands", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const events = yield* PubSub.unbounded<JobEvent>()
      const seen = yield* PubSub.subscribe(events)
      const ids = yield* orgIds
      const report = yield* Onboarding.apply(
        { users: ids, workspaces: ["engineering", "research", "marketing", "sales"] },
        { concurrency: 8, rate: 1000, events }
      )
      expect(report.failed.map((i) => i.reason).slice(0, 2)).toEqual([])
      const paused = Chunk.toReadonlyArray(yield* Queue.takeAll(seen)).filter((e) => e._tag === "Paused")
      expect(paused.length).toBeGreaterThan(0)
      expect(report.rateLimited).toBeGreaterThan(0)
      for (const slug of ["engineering", "research", "marketing", "sales"]) {
        expect(sim.state.workspaceMembers(slug)).toHaveLength(ids.length)
      }
    }).pipe(Effect.provide(jobsLayer({ organization: { members: 600 }, rateLimit: { requestsPerSecond: 30, burst: 3 } }))))

  it.scopedLive("injected 5xx and dropped connections are retried by the client's policy", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const ids = (yield* orgIds).slice(0, 300)
      const report = yield* Onboarding.apply({ users: ids, workspaces: ["support", "sales"] }, { concurrency: 4, rate: 500 })
      expect(report.failed.map((i) => i.reason)).toEqual([])
      expect(sim.state.workspaceMembers("support").filter((m) => ids.includes(m.userId))).toHaveLength(300)
      const statuses = (yield* sim.requests).map((r) => r.status)
      expect(statuses.some((s) => s >= 500 || s === 0)).toBe(true)
    }).pipe(Effect.provide(jobsLayer({ organization: { members: 400 }, faults: { rate: 0.2, drop: 0.05 } }))))

  for (const after of [1, 3, 6]) {
    it.scopedLive(`interrupted after ${after} operations, the same job id resumes with nothing lost or done twice`, () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const ids = yield* orgIds
        const params = { users: ids, workspaces: ["engineering", "research"] }
        const planned = yield* Onboarding.plan(params)
        const plannedCalls = planned.calls
        const events = yield* PubSub.unbounded<JobEvent>()
        const seen = yield* PubSub.subscribe(events)
        const fiber = yield* Effect.fork(Onboarding.apply(planned, { jobId: "resume-me", concurrency: 2, rate: 1000, events }))
        let succeeded = 0
        while (succeeded < after) {
          const event = yield* Queue.take(seen)
          if (event._tag === "Succeeded") succeeded++
        }
        yield* Fiber.interrupt(fiber)
        const resumed = yield* Onboarding.apply(params, { jobId: "resume-me", concurrency: 2, rate: 1000 })
        expect(resumed.failed).toHaveLength(0)
        for (const slug of ["engineering", "research"]) {
          expect(sim.state.workspaceMembers(slug)).toHaveLength(ids.length)
        }
        const adds = (yield* changing).filter((r) => r.path.endsWith("/members/add") && r.status === 200)
        // the resume re-reads membership: no chunk is sent again, no user added twice
        expect(adds.length).toBeLessThanOrEqual(plannedCalls + 2)
      }).pipe(Effect.provide(jobsLayer({ organization: { members: 1500 }, latency: "5 millis" }))))
  }
})

describe("offboarding", () => {
  it.scopedLive("members' active keys are disabled first, so only the refused (SCIM) are isolated and reported; the rest are removed", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspace = sim.state.workspaces().find((w) => w.slug === "engineering")!
      const members = sim.state.workspaceMembers("engineering").map((m) => m.userId)
      const holding = new Set(
        sim.state.apiKeys().filter((k) => k.workspaceId === workspace.id && k.active && members.includes(k.userId)).map((k) => k.hash)
      )
      expect(holding.size).toBeGreaterThan(0)
      const blocked = new Set(sim.state.scimManaged().filter((id) => members.includes(id)))
      const planned = yield* Offboarding.plan({ users: members, workspaces: ["engineering"] })
      expect(yield* changing).toHaveLength(0)
      expect(planned.workspaces[0]!.chunks.flat().length).toBe(members.length)
      expect(new Set(planned.workspaces[0]!.keys!.map((k) => k.hash))).toEqual(holding)
      const report = yield* Offboarding.apply(planned)
      expect(new Set(report.failed.map((i) => i.key))).toEqual(blocked)
      expect(new Set(sim.state.workspaceMembers("engineering").map((m) => m.userId))).toEqual(blocked)
      expect(sim.state.apiKeys().filter((k) => holding.has(k.hash) && k.active)).toEqual([])
      yield* sim.clearRequests
      const again = yield* Offboarding.apply({ users: members.filter((m) => !blocked.has(m)), workspaces: ["engineering"] })
      expect(yield* changing).toHaveLength(0)
      expect(again.failed).toHaveLength(0)
    }).pipe(Effect.provide(jobsLayer({ organization: { members: 600 } }))))
})

describe("budget policy", () => {
  it.scopedLive("validates the rule before any call, changes only what differs, re-run changes nothing", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const invalid = yield* Effect.flip(BudgetPolicy.plan({ budgets: { daily: 100, weekly: 50 } }))
      expect(invalid._tag).toBe("InvalidRequestError")
      expect(yield* sim.requests).toHaveLength(0)

      const policy = { budgets: { daily: 10, weekly: 200, monthly: 1000, lifetime: 5000 }, workspaces: ["engineering", "res*"] }
      const planned = yield* BudgetPolicy.plan(policy)
      expect(planned.workspaces.map((w) => w.slug).sort()).toEqual(["engineering", "research"])
      // engineering (odd) already has monthly 1000: that one is left alone
      expect(planned.unchanged).toBe(1)
      expect(yield* changing).toHaveLength(0)
      const report = yield* BudgetPolicy.apply(planned)
      expect(report.failed).toHaveLength(0)
      for (const slug of ["engineering", "research"]) {
        expect(Object.fromEntries(sim.state.budgets(slug).map((b) => [b.interval, b.limitUsd]))).toEqual(policy.budgets)
      }
      yield* sim.clearRequests
      yield* BudgetPolicy.apply(policy)
      expect(yield* changing).toHaveLength(0)
      // lowering every interval keeps the rule at each step
      const lower = yield* BudgetPolicy.apply({ budgets: { daily: 1, weekly: 2, monthly: 3, lifetime: 4 }, workspaces: ["engineering"] })
      expect(lower.failed).toHaveLength(0)
    }).pipe(Effect.provide(jobsLayer())))
})

describe("file cleanup", () => {
  it.scopedLive("plan reports count, bytes and a sample; apply deletes exactly those; re-run deletes nothing", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const before = sim.state.workspaces().flatMap((w) => sim.state.files.list(w.id))
      const selection = { olderThan: "365 days", name: "*.txt" }
      const planned = yield* FileCleanup.plan(selection)
      expect(yield* changing).toHaveLength(0)
      const cutoff = Date.now() - 365 * 86_400_000
      const expected = before.filter((f) => f.createdAt < cutoff && f.filename.endsWith(".txt"))
      expect(planned.count).toBe(expected.length)
      expect(planned.count).toBeGreaterThan(0)
      expect(planned.bytes).toBe(expected.reduce((n, f) => n + f.sizeBytes, 0))
      expect(planned.sample.length).toBe(Math.min(10, expected.length))
      // one is already gone: the plan is re-checked against the server and that file is in place already
      sim.state.files.delete(sim.state.files.get(expected[0]!.workspaceId, expected[0]!.id)!)
      const report = yield* FileCleanup.apply(planned)
      expect(report.failed).toHaveLength(0)
      expect(report.items.filter((i) => i.outcome !== "done").map((i) => [i.key, i.outcome, i.reason])).toEqual([
        [expected[0]!.id, "already-done", "already gone"]
      ])
      const after = new Set(sim.state.workspaces().flatMap((w) => sim.state.files.list(w.id)).map((f) => f.id))
      const gone = before.filter((f) => !after.has(f.id)).map((f) => f.id).sort()
      expect(gone).toEqual(expected.map((f) => f.id).sort())
      yield* sim.clearRequests
      const again = yield* FileCleanup.apply(selection)
      expect(again.items).toHaveLength(0)
      expect(yield* changing).toHaveLength(0)
    }).pipe(Effect.provide(jobsLayer({ files: { count: 400 } }))))

  it.scopedLive("property: whatever the selection, no file outside it is ever deleted", () =>
    Effect.gen(function*() {
      const arbitrary = FastCheck.record({
        olderThanDays: FastCheck.option(FastCheck.integer({ min: 1, max: 800 }), { nil: undefined }),
        name: FastCheck.option(FastCheck.constantFrom("*.txt", "report-*", "*.pdf", "*", "nothing-*"), { nil: undefined }),
        mimeType: FastCheck.option(FastCheck.constantFrom("text/*", "application/pdf", "image/*"), { nil: undefined }),
        minSize: FastCheck.option(FastCheck.integer({ min: 0, max: 3_000_000 }), { nil: undefined }),
        maxSize: FastCheck.option(FastCheck.integer({ min: 0, max: 5_000_000 }), { nil: undefined }),
        downloadable: FastCheck.option(FastCheck.boolean(), { nil: undefined })
      })
      const samples = FastCheck.sample(arbitrary, { numRuns: 16, seed: 42 })
      let rejected = 0
      for (const sample of samples) {
        const selection = {
          all: true,
          ...(sample.olderThanDays !== undefined ? { olderThan: `${sample.olderThanDays} days` } : {}),
          ...(sample.name !== undefined ? { name: sample.name } : {}),
          ...(sample.mimeType !== undefined ? { mimeType: sample.mimeType } : {}),
          ...(sample.minSize !== undefined ? { minSize: sample.minSize } : {}),
          ...(sample.maxSize !== undefined ? { maxSize: sample.maxSize } : {}),
          ...(sample.downloadable !== undefined ? { downloadable: sample.downloadable } : {})
        }
        yield* Effect.scoped(
          Effect.gen(function*() {
            const sim = yield* Simulator
            const before = sim.state.workspaces().flatMap((w) =>
              sim.state.files.list(w.id).map((f) => ({ ...f, createdAt: new Date(f.createdAt).toISOString(), workspaceId: w.id }))
            )
            const outcome = yield* Effect.either(FileCleanup.plan(selection))
            if (outcome._tag === "Left") {
              // a spec the decoder rejects (e.g. minSize > maxSize) sends nothing
              expect(outcome.left._tag).toBe("InvalidRequestError")
              expect(yield* sim.requests).toHaveLength(0)
              rejected++
              return
            }
            const planned = outcome.right
            // tamper with the plan: add every file; the delete step must still refuse the unselected ones
            const tampered = new FileCleanup.FileCleanupPlan({
              spec: planned.spec,
              ...(planned.cutoff !== undefined ? { cutoff: planned.cutoff } : {}),
              files: before.map((f) =>
                new FileCleanup.FileRef({
                  id: f.id,
                  workspaceId: f.workspaceId,
                  workspace: "w",
                  filename: f.filename,
                  mimeType: f.mimeType,
                  sizeBytes: f.sizeBytes,
                  createdAt: f.createdAt,
                  downloadable: f.downloadable
                })
              )
            })
            yield* FileCleanup.apply(tampered, { trusted: true })
            const matches = FileCleanup.matcher(planned.spec, planned.cutoff)
            const remaining = new Set(sim.state.workspaces().flatMap((w) => sim.state.files.list(w.id)).map((f) => f.id))
            for (const file of before) expect(remaining.has(file.id)).toBe(!matches(file))
          }).pipe(Effect.provide(jobsLayer({ files: { count: 60 } })))
        )
      }
      // both sides of the property are exercised
      expect(rejected).toBeGreaterThan(0)
      expect(rejected).toBeLessThan(samples.length)
    }))
})
