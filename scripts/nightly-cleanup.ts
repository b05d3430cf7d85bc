/**
 * Nightly file cleanup on a Schedule: every day at 03:00, delete text files older than 30 days.
 * Runs never overlap (the next run is scheduled when one ends). Each night is its own job, keyed by
 * the spec, the API and the date, so a run interrupted and restarted the same night resumes. Ctrl-C
 * stops it.
 *
 *   npx tsx scripts/nightly-cleanup.ts          (RUN_ONCE=1 to run a single pass now)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Cron, Effect, Either, Fiber, PubSub, Schedule } from "effect"
import { OpenRouterClient } from "openrouter-effect"
import { Engine, FileCleanup, FileCleanupSpec } from "openrouter-effect/jobs"
import { progress, summary } from "../src/cli/jobs.ts"
import { exitFor, Live } from "./live.ts"

const spec = FileCleanupSpec.make({ olderThan: "30 days", mimeType: "text/*" })

const pass = Effect.gen(function*() {
  const client = yield* OpenRouterClient.OpenRouterClient
  const jobId = `${Engine.contentJobId(spec, client.baseUrl)}-${new Date().toISOString().slice(0, 10)}`
  const events = yield* PubSub.unbounded<Engine.JobEvent>()
  // one gate for the plan's reads and the deletes
  yield* Effect.gen(function*() {
    const plan = yield* FileCleanup.plan(spec, { concurrency: 4, rate: 10 })
    yield* Console.log(`${new Date().toISOString()} job ${jobId}: ${plan.count} files (${FileCleanup.formatBytes(plan.bytes)}) to delete`)
    const bar = yield* Effect.fork(progress(events))
    const report = yield* FileCleanup.apply(plan, { jobId, concurrency: 4, rate: 10, events, trusted: true })
    yield* Fiber.await(bar)
    yield* summary(report, false)
    yield* exitFor(report)
  }).pipe(Engine.gated({ rate: 10, events }))
})

const nightly = Either.getOrThrow(Cron.parse("0 3 * * *"))
const program = process.env.RUN_ONCE ? pass : Effect.schedule(pass, Schedule.cron(nightly)).pipe(Effect.forever)

program.pipe(Effect.provide(Live), NodeRuntime.runMain)
