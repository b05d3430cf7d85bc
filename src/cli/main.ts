/**
 * `openrouter-admin`: every operation and job of openrouter-effect from the command line.
 *
 * Exit codes: 0 done, 1 some items failed (listed), 2 usage or configuration error.
 */
import { Command } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { applyPlan, budgetsApply, filesCleanup, jobs, offboard, onboard } from "./jobs.ts"
import { filesOperations, org, workspaces } from "./operations.ts"
import { schedule, simulator } from "./schedule.ts"

const files = Command.make("files").pipe(
  Command.withDescription("files: list, get, upload, download, delete, cleanup"),
  Command.withSubcommands([...filesOperations, filesCleanup])
)
const budgets = Command.make("budgets").pipe(
  Command.withDescription("budget policies across workspaces"),
  Command.withSubcommands([budgetsApply])
)

const root = Command.make("openrouter-admin").pipe(
  Command.withDescription("Manage an OpenRouter organisation: workspaces, budgets, members, files, and bulk jobs"),
  Command.withSubcommands([workspaces, files, org, onboard, offboard, budgets, applyPlan, jobs, schedule, simulator])
)

// `openrouter-admin … | head` closes stdout early: that is not an error
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0)
})

const cli = Command.run(root, { name: "openrouter-admin", version: "0.1.0" })

cli(process.argv).pipe(
  // @effect/cli reports usage errors itself; give them exit code 2
  Effect.catchAll(() => Effect.sync(() => {
    process.exitCode = 2
  })),
  Effect.scoped,
  Effect.provide(Layer.merge(NodeContext.layer, Logger.minimumLogLevel(LogLevel.Warning))),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
