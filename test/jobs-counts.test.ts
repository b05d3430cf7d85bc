/**
 * Counts add up and tell the truth: each count names one unit; two jobs with different ids acting on
 * the same items report "done" only for what their own requests changed; plans say what they read;
 * scripts exit 1 when items failed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, PubSub, Queue } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { readingLine } from "../src/cli/progress.ts"
import { Guardrails } from "../src/Guardrails.ts"
import { Counts, type Engine, FileCleanup, Journal, KeyHygiene, Offboarding, Onboarding } from "../src/jobs/index.ts"
import { Keys } from "../src/Keys.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator } from "../src/simulator/index.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { servicesLayer } from "./support.ts"

const fast = { retry: RetryPolicy.make({ jitter: false, initialDelay: "5 millis", maxDelay: "50 millis", maxRetries: 8 }) }
const layer = () =>
  Layer.mergeAll(Keys.Default, Guardrails.Default).pipe(
    Layer.provideMerge(servicesLayer({ seed: "counts", organization: { members: 300 } }, fast)),
    Layer.merge(Journal.layer(join(mkdtempSync(join(tmpdir(), "counts-")), "journal.sqlite")))
  )

describe("counts", () => {
  it("one line per unit, split by outcome, adding up to the items", () => {
    const item = (kind: Engine.ReportItem["kind"], outcome: Engine.ReportItem["outcome"]) => ({ kind, outcome })
    const items = [
      ...Array.from({ length: 200 }, () => item("membership", "done")),
      ...Array.from({ length: 4 }, () => item("membership", "already-done")),
      item("membership", "failed"),
      item("user", "failed"),
      item("budget", "done")
    ]
    expect(Counts.lines(items)).toEqual([
      "205 memberships: 200 done, 4 already in place, 1 failed",
      "1 budget: 1 done",
      "1 user: 1 failed"
    ])
    expect(Counts.countsOf(items).reduce((n, c) => n + c.total, 0)).toBe(items.length)
  })

  it.scopedLive(
    "two jobs with different ids on the same users: the second's requests changed nothing, so nothing is 'done'",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const members = new Set(sim.state.workspaceMembers("research").map((m) => m.userId))
        const users = sim.state.members().filter((m) => !members.has(m.id)).slice(0, 103).map((m) => m.id)
        const spec = { users, workspaces: ["research", "sales"] }
        // both planned before either applies: each believes every membership is needed
        const first = yield* Onboarding.plan(spec)
        const second = yield* Onboarding.plan(spec)
        const a = yield* Onboarding.apply(first, { jobId: "first", trusted: true })
        const b = yield* Onboarding.apply(second, { jobId: "second", trusted: true })
        const memberships = (report: Engine.JobReport, outcome: string) =>
          report.items.filter((i) => i.kind === "membership" && i.outcome === outcome).length
        const needed = first.workspaces.reduce((n, w) => n + w.chunks.flat().length, 0)
        expect(needed).toBeGreaterThan(103)
        expect(memberships(a, "done")).toBe(needed)
        expect(memberships(b, "done")).toBe(0)
        // what the first job did, and the members from before either: all in place already
        expect(memberships(b, "already-done")).toBe(users.length * 2)
        expect(memberships(a, "already-done")).toBe(users.length * 2 - needed)
        expect(b.failed).toEqual([])
        // "users" is never a count of user × workspace pairs
        expect(Counts.lines(b.items).find((l) => l.includes("memberships"))).toBe(
          `${b.items.filter((i) => i.kind === "membership").length} memberships: ${
            [
              ...(memberships(b, "already-done") ? [`${memberships(b, "already-done")} already in place`] : []),
              ...(memberships(b, "skipped") ? [`${memberships(b, "skipped")} skipped`] : [])
            ].join(", ")
          }`
        )
        expect(Counts.lines(b.items).some((l) => / users?:/.test(l))).toBe(false)
      }).pipe(Effect.provide(layer())),
    60_000
  )

  it.scopedLive("a plan publishes what it reads (workspace n/N, organisation members)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const events = yield* PubSub.unbounded<Engine.JobEvent>()
      const seen = yield* PubSub.subscribe(events)
      yield* Onboarding.plan({ users: [sim.state.members()[3]!.email], workspaces: ["*"] }, { events })
      const reading = [...Chunk.toReadonlyArray(yield* Queue.takeAll(seen))].filter((e) => e._tag === "Reading")
      const workspaces = sim.state.workspaces().length
      expect(reading.filter((e) => e.what === "workspace").at(-1)).toEqual({
        _tag: "Reading",
        what: "workspace",
        done: workspaces,
        total: workspaces
      })
      expect(reading.some((e) => e.what === "organisation members")).toBe(true)
    }).pipe(Effect.provide(layer())), 60_000)
})

describe("reading inside a workspace, no total from the API", () => {
  it.scopedLive("file cleanup and key hygiene count the files and keys of each workspace as they read them", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const sales = sim.state.workspaces().find((w) => w.slug === "sales")!
      const events = yield* PubSub.unbounded<Engine.JobEvent>()
      const seen = yield* PubSub.subscribe(events)
      yield* FileCleanup.plan({ all: true, workspaces: ["sales"] }, { events, rate: 10_000 })
      yield* KeyHygiene.plan({ allKeys: true, workspaces: ["sales"] }, { events, rate: 10_000 })
      const reading = [...Chunk.toReadonlyArray(yield* Queue.takeAll(seen))].filter((e) => e._tag === "Reading")
      const files = sim.state.files.list(sales.id).length
      const keys = sim.state.apiKeys().filter((k) => k.workspaceId === sales.id && !k.disabled).length
      expect(files).toBeGreaterThan(0)
      expect(reading.filter((e) => e.what === "files of sales").at(-1)).toMatchObject({ done: files, total: files })
      expect(reading.filter((e) => e.what === "keys of sales").at(-1)).toMatchObject({ done: keys, total: keys })
    }).pipe(Effect.provide(layer())), 60_000)
})

describe("users the organisation does not have", () => {
  it.scopedLive("onboarding: with e-mails in the list, an id nobody has is said at the plan and never sent", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const member = sim.state.members()[5]!
      const stranger = "user_NotAMemberOfThisOrg00000"
      const plan = yield* Onboarding.plan({ users: [member.email, stranger, stranger], workspaces: ["sales"] }, { rate: 10_000 })
      expect(plan.problems.map((p) => [p.kind, p.key, p.outcome, p.reason])).toEqual([
        ["user", stranger, "failed", "not a member of this organisation"]
      ])
      expect(plan.workspaces.flatMap((w) => [...w.chunks.flat(), ...w.unchanged])).toEqual([member.id])
      // offboarding a user the organisation no longer has is not a failure: nothing of theirs is left
      const leaving = yield* Offboarding.plan({ users: [member.email, stranger], workspaces: ["sales"] }, { rate: 10_000 })
      expect(leaving.problems).toEqual([])
    }).pipe(Effect.provide(layer())), 60_000)
})

describe("reading inside a workspace", () => {
  it.scopedLive("a plan says the members it reads per workspace, against the first page's total", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const events = yield* PubSub.unbounded<Engine.JobEvent>()
      const seen = yield* PubSub.subscribe(events)
      // 300 members read in pages: several Reading events for the one workspace, the total known from the first
      const everyone = sim.state.members().map((m) => m.id)
      const workspaces = yield* Workspaces
      const sales = sim.state.workspaces().find((w) => w.slug === "sales")!
      for (let i = 0; i < everyone.length; i += 100) yield* workspaces.bulkAddMembers({ id: sales.id, userIds: everyone.slice(i, i + 100) })
      const total = sim.state.workspaceMembers("sales").length
      yield* Offboarding.plan({ users: [everyone[0]!], workspaces: ["sales"] }, { events, rate: 10_000 })
      const reading = [...Chunk.toReadonlyArray(yield* Queue.takeAll(seen))].filter((e) => e._tag === "Reading" && e.what === "members of sales")
      expect(reading.length).toBeGreaterThan(1)
      for (const e of reading) expect(e).toMatchObject({ total })
      expect(reading.at(-1)).toMatchObject({ done: total, total })
      expect(readingLine(reading.at(-1) as any, 80)).toBe(`planning: reading members of sales ${total}/${total}`)
    }).pipe(Effect.provide(layer())), 60_000)
})

describe("scripts", () => {
  it("onboard-from-csv exits 1 when items failed, and says so", () => {
    const dir = mkdtempSync(join(tmpdir(), "scripts-"))
    writeFileSync(join(dir, "users.csv"), "email\nnobody@example.com\n")
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/onboard-from-csv.ts", join(dir, "users.csv"), "engineering"], {
      encoding: "utf8",
      env: { ...process.env, OPENROUTER_API_KEY: "", OPENROUTER_JOURNAL: join(dir, "journal.sqlite") },
      timeout: 90_000
    })
    expect(run.stderr).toContain("1 items failed")
    expect(run.stdout).toContain("1 user: 1 failed")
    expect(run.status).toBe(1)
  }, 120_000)
})
