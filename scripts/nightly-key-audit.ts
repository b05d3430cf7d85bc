/**
 * Nightly key audit on a Schedule: every day at 02:30, find the keys in every workspace whose creator
 * has left the organisation or that have expired, print them and why, then disable them (reversible:
 * `openrouter-admin keys update HASH --enable`). DRY_RUN=1 only prints the audit.
 *
 * Runs never overlap (the next run is scheduled when one ends). The key in use is checked first: an
 * inference key stops the script with a message. Each night is its own job, keyed by the spec, the API
 * and the date, so a run interrupted and restarted the same night resumes. Ctrl-C stops it.
 *
 *   npx tsx scripts/nightly-key-audit.ts        (RUN_ONCE=1 for a single pass now; embedded simulator
 *                                               unless OPENROUTER_API_KEY is set)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Cron, Effect, Either, Fiber, PubSub, Schedule } from "effect"
import { OpenRouterClient } from "openrouter-effect"
import { Engine, KeyHygiene, KeyHygieneSpec } from "openrouter-effect/jobs"
import { progress, summary } from "../src/cli/jobs.ts"
import { exitFor, Live } from "./live.ts"

const spec = KeyHygieneSpec.make({ workspaces: "all", orphaned: true, expired: true })
const dryRun = Boolean(process.env.DRY_RUN)

const pass = Effect.gen(function*() {
  const client = yield* OpenRouterClient.OpenRouterClient
  yield* Engine.requireManagementKey
  const jobId = `${Engine.contentJobId(spec, client.baseUrl)}-${new Date().toISOString().slice(0, 10)}`
  const events = yield* PubSub.unbounded<Engine.JobEvent>()
  // one gate for the plan's reads and the changes
  yield* Effect.gen(function*() {
    const plan = yield* KeyHygiene.plan(spec, { concurrency: 4, rate: 10 })
    yield* Console.log(`${new Date().toISOString()} job ${jobId}:`)
    for (const line of KeyHygiene.describe(plan)) yield* Console.log(line)
    if (dryRun || plan.count === 0) return
    const bar = yield* Effect.fork(progress(events))
    const report = yield* KeyHygiene.apply(plan, { jobId, concurrency: 4, rate: 10, events, trusted: true })
    yield* Fiber.await(bar)
    yield* summary(report, false)
    yield* exitFor(report)
  }).pipe(Engine.gated({ rate: 10, events }))
})

const nightly = Either.getOrThrow(Cron.parse("30 2 * * *"))
const program = process.env.RUN_ONCE ? pass : Effect.schedule(pass, Schedule.cron(nightly)).pipe(Effect.forever)

program.pipe(
  // a key that cannot manage the organisation: say so and stop (exit 2), never a stack trace
  Effect.catchTag(
    "ManagementKeyRequiredError",
    (error) => Effect.zipRight(Console.error(`error: ${error.message}`), Effect.sync(() => (process.exitCode = 2)))
  ),
  Effect.provide(Live),
  NodeRuntime.runMain
)
