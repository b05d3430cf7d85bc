/**
 * Batch onboarding from a users file (a CSV with `email` and/or `user_id` columns, or one user per
 * line — parsed like the CLI does). The job id is derived from the spec and the API, so running it
 * again resumes the same job; progress is printed as it goes.
 *
 *   npx tsx scripts/onboard-from-csv.ts scripts/data/onboard.csv engineering research
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Fiber, PubSub } from "effect"
import { OpenRouterClient } from "openrouter-effect"
import { Engine, Onboarding, OnboardingSpec, UsersFile } from "openrouter-effect/jobs"
import { progress, summary } from "../src/cli/jobs.ts"
import { exitFor, Live } from "./live.ts"

const [csv = "scripts/data/onboard.csv", ...workspaces] = process.argv.slice(2)

const program = Effect.gen(function*() {
  const spec = yield* OnboardingSpec.decode({
    users: yield* UsersFile.read(csv),
    workspaces: workspaces.length > 0 ? workspaces : ["engineering"],
    ensureWorkspaces: true
  })
  const client = yield* OpenRouterClient.OpenRouterClient
  const jobId = process.env.JOB_ID ?? Engine.contentJobId(spec, client.baseUrl)
  const events = yield* PubSub.unbounded<Engine.JobEvent>()
  const bar = yield* Effect.fork(progress(events))
  yield* Console.log(`job ${jobId}: ${spec.users.length} users into ${spec.workspaces.join(", ")} at ${client.baseUrl}`)
  const report = yield* Onboarding.apply(spec, { jobId, concurrency: 4, rate: 10, events })
  yield* Fiber.await(bar)
  yield* summary(report, false)
  yield* exitFor(report)
})

program.pipe(Effect.provide(Live), NodeRuntime.runMain)
