/**
 * The engine's bookkeeping: what an operation records for the job's later runs (`record`, kept with its
 * items in the journal), and report totals per kind of item.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Engine, Journal, Specs } from "../src/jobs/index.ts"

const journalLayer = () => Journal.layerSqlite(join(mkdtempSync(join(tmpdir(), "engine-")), "journal.sqlite"))
const spec = new Specs.OnboardingSpec({ users: ["user_a"], workspaces: ["team"] })
const item = (kind: "membership" | "key", key: string, outcome: "done" | "already-done" | "failed" | "waiting") =>
  new Engine.ReportItem({ kind, key, action: "act", outcome, ...(outcome === "failed" ? { reason: "refused" } : {}) })

describe("engine", () => {
  it.effect("an operation's record is kept with its items in the journal, for the job's next run", () =>
    Effect.gen(function*() {
      const job: Engine.PlannedJob = {
        kind: "onboarding",
        spec,
        unit: "memberships",
        operations: [
          {
            key: "with-record",
            payload: {},
            items: 1,
            run: Effect.succeed({ items: [item("key", "k1", "done")], record: { newHash: "abc", phase: 1 } })
          },
          { key: "plain", payload: {}, items: 1, run: Effect.succeed([item("membership", "u1", "done")]) }
        ],
        extraItems: []
      }
      yield* Engine.run(job, { jobId: "records" }).pipe(Engine.gated({}))
      const entries = yield* Effect.flatMap(Journal.Journal, (j) => j.entries("records"))
      expect(Engine.recordOf(entries.get("with-record")!.result)).toEqual({ newHash: "abc", phase: 1 })
      expect(Engine.itemsOf(entries.get("with-record")!.result).map((i) => i.key)).toEqual(["k1"])
      expect(Engine.recordOf(entries.get("plain")!.result)).toBeUndefined()
    }).pipe(Effect.provide(journalLayer())))

  it("report totals per kind of item add up to the totals", () => {
    const items = [
      item("membership", "u1", "done"),
      item("membership", "u2", "already-done"),
      item("key", "k1", "failed"),
      item("key", "k2", "waiting")
    ]
    const report = new Engine.JobReport({
      jobId: "j",
      kind: "onboarding",
      dryRun: false,
      status: "completed",
      items,
      totals: Engine.totalsOf(items),
      requests: 0,
      rateLimited: 0,
      durationMs: 0
    })
    expect(report.totalsByKind).toEqual({ membership: { done: 1, "already-done": 1 }, key: { failed: 1, waiting: 1 } })
    expect(report.totals).toEqual({ items: 4, done: 1, "already-done": 1, failed: 1, waiting: 1 })
  })
})
