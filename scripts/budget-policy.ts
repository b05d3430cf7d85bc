/**
 * A budget policy for every workspace whose slug matches a pattern (default: all), changing only
 * what differs. A plan is printed first; pass APPLY=1 to apply it.
 *
 *   APPLY=1 npx tsx scripts/budget-policy.ts "team-*"
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { BudgetPolicy } from "openrouter-effect/jobs"
import { Live } from "./live.ts"

const pattern = process.argv[2] ?? "*"
const policy = { budgets: { daily: 25, weekly: 150, monthly: 500, lifetime: 5000 }, workspaces: [pattern] }

const program = Effect.gen(function*() {
  const plan = yield* BudgetPolicy.plan(policy)
  for (const w of plan.workspaces) {
    yield* Console.log(`${w.slug}: ${w.changes.map((c) => `${c.interval} ${c.from ?? "none"} → ${c.to}`).join(", ")}`)
  }
  if (!process.env.APPLY) return yield* Console.log("dry run; APPLY=1 to apply")
  const report = yield* BudgetPolicy.apply(plan)
  yield* Console.log(report.totals)
})

program.pipe(Effect.provide(Live), NodeRuntime.runMain)
