/**
 * Nightly file cleanup on a Schedule: every day at 03:00, delete `.tmp` and text files older than
 * 30 days. Runs never overlap (the next run is scheduled when one ends). Ctrl-C stops it.
 *
 *   npx tsx scripts/nightly-cleanup.ts          (RUN_ONCE=1 to run a single pass now)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Cron, Effect, Either, Schedule } from "effect"
import { FileCleanup } from "openrouter-effect/jobs"
import { Live } from "./live.ts"

const pass = Effect.gen(function*() {
  const plan = yield* FileCleanup.plan({ olderThan: "30 days", mimeType: "text/*" })
  yield* Console.log(`${new Date().toISOString()}: ${plan.count} files (${(plan.bytes / 1e6).toFixed(1)} MB) to delete`)
  const report = yield* FileCleanup.apply(plan, { concurrency: 4, rate: 10 })
  yield* Console.log(report.totals)
})

const nightly = Either.getOrThrow(Cron.parse("0 3 * * *"))
const program = process.env.RUN_ONCE ? pass : Effect.schedule(pass, Schedule.cron(nightly)).pipe(Effect.forever)

program.pipe(Effect.provide(Live), NodeRuntime.runMain)
