/**
 * A budget policy for every workspace whose slug matches a pattern (default: all), changing only
 * what differs. The plan is printed first; pass APPLY=1 to apply it. The job id is derived from the
 * spec and the API, so an interrupted apply resumes when run again.
 *
 *   APPLY=1 npx tsx scripts/budget-policy.ts "team-*"
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Fiber, PubSub } from "effect"
import { OpenRouterClient } from "openrouter-effect"
import { BudgetPolicy, BudgetPolicySpec, Engine } from "openrouter-effect/jobs"
import { progress, summary } from "../src/cli/jobs.ts"
import { exitFor, Live } from "./live.ts"

const pattern = process.argv[2]
const spec = BudgetPolicySpec.make({
  budgets: { daily: 25, weekly: 150, monthly: 500, lifetime: 5000 },
  workspaces: pattern ? [pattern] : "all"
})

const program = Effect.gen(function*() {
  const client = yield* OpenRouterClient.OpenRouterClient
  const events = yield* PubSub.unbounded<Engine.JobEvent>()
  yield* Effect.gen(function*() {
    const plan = yield* BudgetPolicy.plan(spec)
    for (const line of BudgetPolicy.describe(plan)) yield* Console.log(line)
    if (!process.env.APPLY) return yield* Console.log("dry run; APPLY=1 to apply")
    const bar = yield* Effect.fork(progress(events))
    const report = yield* BudgetPolicy.apply(plan, { jobId: Engine.contentJobId(spec, client.baseUrl), events, trusted: true })
    yield* Fiber.await(bar)
    yield* summary(report, false)
    yield* exitFor(report)
  }).pipe(Engine.gated({ rate: 10, events }))
})

program.pipe(Effect.provide(Live), NodeRuntime.runMain)
