/**
 * Nightly drift check on a Schedule: every day at 03:00 (DRIFT_CRON to change it), plan the
 * organisation file against the organisation and print the drift, the way `org plan` shows it. Never
 * changes anything. With RUN_ONCE=1 a single pass, exiting 3 when there is drift (0 when none), like
 * `org plan --detailed-exitcode`, so a CI job or cron can alert on it.
 *
 *   ORG_FILE=org.yaml npx tsx scripts/nightly-drift.ts
 *   RUN_ONCE=1 npx tsx scripts/nightly-drift.ts   (embedded simulator unless OPENROUTER_API_KEY is set;
 *                                                 without ORG_FILE the organisation's own export is used)
 *
 * Runs never overlap (the next run is scheduled when one ends). A file that does not decode stops the
 * script with every issue and its line (exit 2); so does a key that is not a management key.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Cron, Effect, Either, Schedule } from "effect"
import { readFileSync } from "node:fs"
import { Org, OrgSpec } from "openrouter-effect/jobs"
import { Live } from "./live.ts"

const file = process.env.ORG_FILE
const cron = Either.getOrThrow(Cron.parse(process.env.DRIFT_CRON ?? "0 3 * * *"))

/** The file to compare with: ORG_FILE, or (to try the script) the organisation's own export. */
const desired = file !== undefined
  ? Effect.suspend(() => OrgSpec.parse(readFileSync(file, "utf8"), file))
  : Effect.map(Org.export(), (spec) => spec)

const pass = Effect.gen(function*() {
  const spec = yield* desired
  const plan = yield* Org.plan(spec, { concurrency: 4, rate: 10 })
  const at = new Date().toISOString()
  if (Org.isEmpty(plan)) {
    yield* Console.log(`${at} no drift: the organisation matches ${file ?? "its export"}`)
    return false
  }
  yield* Console.log(`${at} drift from ${file ?? "the export"} (apply with: openrouter-admin org apply -f ${file ?? "FILE"}):`)
  for (const line of Org.describe(plan)) yield* Console.log(line)
  return true
})

const program = process.env.RUN_ONCE
  ? Effect.flatMap(pass, (drift) => Effect.sync(() => (process.exitCode = drift ? 3 : 0)))
  : Effect.schedule(pass, Schedule.cron(cron)).pipe(Effect.forever)

program.pipe(
  // a file or a key that cannot work: say so and stop (exit 2), never a stack trace
  Effect.catchTags({
    OrgSpecError: (error) => Effect.zipRight(Console.error(`error: ${error.message}`), Effect.sync(() => (process.exitCode = 2))),
    PruneLimitError: (error) => Effect.zipRight(Console.error(`error: ${error.message}`), Effect.sync(() => (process.exitCode = 2))),
    ManagementKeyRequiredError: (error) => Effect.zipRight(Console.error(`error: ${error.message}`), Effect.sync(() => (process.exitCode = 2)))
  }),
  Effect.provide(Live),
  NodeRuntime.runMain
)
