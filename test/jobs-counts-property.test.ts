/**
 * Counts add up, as a property: over random onboardings and offboardings (random organisations,
 * workspaces, existing memberships, users that cannot be resolved, refused requests, a second run of
 * the same job id), every event the engine publishes, folded into the CLI's progress, ends at the
 * report's totals, and the summary's lines (Counts.lines) say the same numbers.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, FastCheck as fc, Layer, Option, PubSub, Queue, Stream } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { applyEvent, initialState, type ProgressState, settledCount, statusLine } from "../src/cli/progress.ts"
import { Guardrails } from "../src/Guardrails.ts"
import { Counts, type Engine, Journal, Offboarding, Onboarding } from "../src/jobs/index.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator } from "../src/simulator/index.ts"
import { Workspaces } from "../src/Workspaces.ts"

const words = {
  done: "done",
  already: "already in place",
  failed: "failed",
  skipped: "skipped",
  unknown: "unknown (check the server)",
  waiting: "waiting (not due yet)"
} as const
type Outcome = keyof typeof words
const outcomeOf = (outcome: Engine.ReportItem["outcome"]): Outcome => (outcome === "already-done" ? "already" : outcome)

/** What the summary's lines say, per outcome, summed over units. */
const fromLines = (lines: ReadonlyArray<string>) => {
  const sums: Record<Outcome, number> = { done: 0, already: 0, failed: 0, skipped: 0, unknown: 0, waiting: 0 }
  let total = 0
  for (const line of lines) {
    const [, head, rest] = /^([\d,]+) [a-z ]+: (.*)$/.exec(line)!
    total += Number(head!.replace(/,/g, ""))
    for (const part of rest!.split(", ")) {
      const [, n, word] = /^([\d,]+) (.*)$/.exec(part)!
      const outcome = (Object.keys(words) as Array<Outcome>).find((o) => words[o] === word)!
      sums[outcome] += Number(n!.replace(/,/g, ""))
    }
  }
  return { sums, total }
}

const progressOf = (events: ReadonlyArray<Engine.JobEvent>) => {
  const state = initialState(0)
  for (const event of events) applyEvent(state, event)
  return state
}

const expectAgree = (state: ProgressState, report: Engine.JobReport) => {
  const byOutcome: Record<Outcome, number> = { done: 0, already: 0, failed: 0, skipped: 0, unknown: 0, waiting: 0 }
  for (const item of report.items) byOutcome[outcomeOf(item.outcome)]++
  const progress = {
    done: state.done,
    already: state.already,
    failed: state.failed,
    skipped: state.skipped,
    unknown: state.unknown,
    waiting: state.waiting
  }
  expect(progress).toEqual(byOutcome)
  expect(settledCount(state)).toBe(report.items.length)
  // the header's count (from Planned) is the report's too
  expect(state.items).toBe(report.items.length)
  expect(report.totals.done ?? 0).toBe(state.done)
  expect(report.totals["already-done"] ?? 0).toBe(state.already)
  expect(report.totals.failed ?? 0).toBe(state.failed)
  expect(report.totals.skipped ?? 0).toBe(state.skipped)
  const lines = fromLines(Counts.lines(report.items))
  expect(lines.sums).toEqual(progress)
  expect(lines.total).toBe(report.items.length)
  // and the progress's last line says them
  const last = statusLine(state, 1000, 400, false)
  expect(last).toContain(`${state.done.toLocaleString("en-US")} done`)
  expect(last).toContain(`${state.failed.toLocaleString("en-US")} failed`)
  if (state.already > 0) expect(last).toContain(`${state.already.toLocaleString("en-US")} already in place`)
}

const job = fc.record({
  seed: fc.string({ minLength: 1, maxLength: 6 }),
  members: fc.integer({ min: 20, max: 60 }),
  offboarding: fc.boolean(),
  /** Members picked (by position), some given by e-mail. */
  picks: fc.array(fc.record({ at: fc.nat(), byEmail: fc.boolean() }), { minLength: 1, maxLength: 25 }),
  /** Ids and e-mails nobody in the organisation has. */
  strangers: fc.nat({ max: 3 }),
  unknownEmails: fc.nat({ max: 2 }),
  /** Workspaces selected (by position among those that exist); "*" sometimes. */
  workspaces: fc.oneof(fc.constant("*" as const), fc.uniqueArray(fc.nat({ max: 5 }), { minLength: 1, maxLength: 4 })),
  /** Some of the picked users put in some selected workspaces before the plan. */
  existing: fc.array(fc.nat(), { maxLength: 8 }),
  /** Bulk member requests refused with a 400 (bisection), this many times. */
  refusals: fc.nat({ max: 2 }),
  /** Onboarding: assign a guardrail of the first selected team workspace. */
  guardrail: fc.boolean(),
  concurrency: fc.integer({ min: 1, max: 4 }),
  again: fc.boolean()
})

const noRetry = { client: { retry: RetryPolicy.make({ jitter: false, initialDelay: "1 millis", maxDelay: "2 millis", maxRetries: 2 }) } }

describe("counts add up (property)", () => {
  it.live.prop("progress from the events ends at the report's totals and the summary's lines", [job], ([j]) =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      const members = sim.state.members()
      const users = [
        ...j.picks.map(({ at, byEmail }) => byEmail ? members[at % members.length]!.email : members[at % members.length]!.id),
        ...Array.from({ length: j.strangers }, (_, i) => `user_nobody_${i}`),
        ...Array.from({ length: j.unknownEmails }, (_, i) => `nobody${i}@example.invalid`)
      ]
      const all = sim.state.workspaces()
      const selected = j.workspaces === "*" ? ["*"] : [...new Set(j.workspaces.map((i) => all[i % all.length]!.slug))]
      const chosen = j.workspaces === "*" ? all : all.filter((w) => selected.includes(w.slug))
      const teams = chosen.filter((w) => w.slug !== "default")
      for (const [n, at] of j.existing.entries()) {
        if (teams.length === 0) break
        const workspace = teams[n % teams.length]!
        yield* workspaces.bulkAddMembers({ id: workspace.id, userIds: [members[j.picks[at % j.picks.length]!.at % members.length]!.id] })
      }
      if (j.refusals > 0) yield* sim.inject({ method: "POST", path: /^\/workspaces\/[^/]+\/members/, status: 400, times: j.refusals })
      const guardrail = j.guardrail && !j.offboarding && teams.length > 0
        ? (yield* Stream.runHead((yield* Guardrails).stream({ workspaceId: teams[0]!.id })))
        : Option.none()
      const spec = { users, workspaces: selected, ...(Option.isSome(guardrail) ? { guardrail: guardrail.value.id } : {}) }
      const run = Effect.gen(function*() {
        const events = yield* PubSub.unbounded<Engine.JobEvent>()
        const seen = yield* PubSub.subscribe(events)
        // no client-side rate limit: the simulator is in memory
        const options = { jobId: "property", concurrency: j.concurrency, rate: 100_000, events }
        const report: Engine.JobReport = j.offboarding
          ? yield* Offboarding.apply(spec, options)
          : yield* Onboarding.apply(spec, options)
        const published = [...Chunk.toReadonlyArray(yield* Queue.takeAll(seen))]
        expect(published.at(-1)?._tag).toBe("Finished")
        expectAgree(progressOf(published), report)
      }).pipe(Effect.scoped)
      yield* run
      // the same job again: what the first run did comes from the journal
      if (j.again) yield* run
    }).pipe(
      Effect.provide(Layer.merge(
        Simulator.layerClient({ seed: `p-${j.seed}`, organization: { members: j.members }, ...noRetry }),
        Journal.layer(join(mkdtempSync(join(tmpdir(), "counts-prop-")), "journal.sqlite"))
      )),
      Effect.orDie
    ), { timeout: 240_000, fastCheck: { numRuns: 25 } })
})
