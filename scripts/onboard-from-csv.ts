/**
 * Batch onboarding from a CSV (columns `email` and/or `user_id`), resumable by job id.
 *
 *   npx tsx scripts/onboard-from-csv.ts scripts/data/onboard.csv engineering research
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { readFileSync } from "node:fs"
import { Onboarding } from "openrouter-effect/jobs"
import { Live } from "./live.ts"

const [csv = "scripts/data/onboard.csv", ...workspaces] = process.argv.slice(2)
const rows = readFileSync(csv, "utf8").trim().split(/\r?\n/).slice(1).map((line) => line.split(","))
const users = rows.map(([email, userId]) => (userId?.trim() || email?.trim()) ?? "").filter(Boolean)

const program = Effect.gen(function*() {
  const plan = yield* Onboarding.plan({ users, workspaces: workspaces.length ? workspaces : ["engineering"], ensureWorkspaces: true })
  yield* Console.log(`${users.length} users; ${plan.calls} calls planned; ${plan.problems.length} problems`)
  const report = yield* Onboarding.apply(plan, { jobId: process.env.JOB_ID ?? `onboard-${csv}`, concurrency: 4, rate: 10 })
  yield* Console.log(report.totals)
  for (const item of report.failed) yield* Console.log(`failed: ${item.key}: ${item.reason}`)
})

program.pipe(Effect.provide(Live), NodeRuntime.runMain)
