/**
 * `openrouter-admin`: every operation and job of openrouter-effect from the command line.
 *
 * Exit codes: 0 done, 1 some items failed (listed), 2 usage or configuration error, 130/143 interrupted.
 *
 * Start-up is kept short: each top-level command is loaded only when the command line names it (help
 * for the whole tree loads them all), and the modules behind the handlers (HTTP client, SQLite, the
 * simulator) are loaded by the handlers themselves. The bin runs an esbuild bundle of this file whose
 * dynamic imports are separate chunks.
 */
import { Command, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { stripVTControlCharacters } from "node:util"
import packageJson from "../../package.json" with { type: "json" }
import { colorAllowed, helpWidth, locate, render, runsItself, subcommandsOf, suggestions, unknownCommand } from "./help.ts"

// the commands differ in their parsed types; the root only needs them as commands

type AnyCommand = Command.Command<any, any, any, any>

/** A group made here, so other files can add subcommands to it (keys rotate, org as code). */
const group = (name: string, description: string, commands: ReadonlyArray<AnyCommand>): AnyCommand =>
  Command.make(name).pipe(Command.withDescription(description), Command.withSubcommands(commands as [AnyCommand]))

const program = "openrouter-admin"
const version = packageJson.version

/**
 * A top-level command, loaded when used. The summary is for the top-level help, which loads nothing;
 * it must read as the command's own description starts (a test compares them).
 */
const entry = (name: string, summary: string, load: () => Promise<AnyCommand>) => ({ name, summary, load })

const keysSummary = "API keys: list, show, create, update, delete; audit, disable and rotate in bulk"
const orgSummary = "the organization: its members, and the organisation as code (export, plan, apply)"

// One line per top-level command, each loading its own file (src/cli/commands/<name>.ts). A helper adding
// a command adds a line here; a group made here (keys, org) takes other files' subcommands too.
const entries = [
  entry("workspaces", "workspaces, their budgets and members", () => import("./commands/workspaces.ts").then((m) => m.workspaces)),
  entry("files", "list, show, upload, download and delete files; clean up old ones", () => import("./commands/files.ts").then((m) => m.files)),
  entry(
    "org",
    orgSummary,
    () =>
      Promise.all([import("./commands/org.ts"), import("./org.ts")]).then(([m, o]) => group("org", orgSummary, [...m.orgCommands, ...o.orgAsCode]))
  ),
  entry("keys", keysSummary, () => import("./commands/keys.ts").then((m) => group("keys", keysSummary, [...m.keysCommands]))),
  entry(
    "guardrails",
    "guardrails (spending limits and model/provider policies) and their assignments",
    () => import("./commands/guardrails.ts").then((m) => m.guardrails)
  ),
  entry("credits", "credits bought, used and left, in USD (BYOK spend is not credits)", () => import("./commands/credits.ts").then((m) => m.credits)),
  entry(
    "activity",
    "spend per UTC day, model and endpoint over the last 30 completed UTC days",
    () => import("./commands/activity.ts").then((m) => m.activity)
  ),
  entry(
    "byok",
    "provider API keys you bring (BYOK): list, show, add, change, rotate, delete",
    () => import("./commands/byok.ts").then((m) => m.byok)
  ),
  entry("scim", "SCIM groups from your identity provider and their workspace mappings", () => import("./commands/scim.ts").then((m) => m.scim)),
  entry(
    "observability",
    "where traces are broadcast: destinations (Langfuse, Datadog, S3, webhooks…)",
    () => import("./commands/observability.ts").then((m) => m.observability)
  ),
  entry("auth", "the configured API key: is it a management key", () => import("./commands/auth.ts").then((m) => m.auth)),
  entry(
    "onboard",
    "add users (ids or e-mails) to workspaces, creating workspaces and budgets if asked",
    () => import("./commands/onboard.ts").then((m) => m.onboard)
  ),
  entry(
    "offboard",
    "remove users from workspaces, disabling their keys there (asks first)",
    () => import("./commands/offboard.ts").then((m) => m.offboard)
  ),
  entry(
    "spend",
    "who spends what (by workspace, member, key or model); budgets, alerts, HTML report",
    () => import("./commands/spend.ts").then((m) => m.spend)
  ),
  entry("budgets", "budget policies across workspaces", () => import("./commands/budgets.ts").then((m) => m.budgets)),
  entry("apply", "apply a plan saved with --out, after checking it against the server", () => import("./commands/apply.ts").then((m) => m.apply)),
  entry("jobs", "the job journal: list jobs, show one", () => import("./commands/jobs.ts").then((m) => m.jobs)),
  entry("schedule", "run a command on a cron schedule, never overlapping itself", () => import("./commands/schedule.ts").then((m) => m.schedule)),
  entry(
    "simulator",
    "serve the OpenRouter simulator, to try everything without an account",
    () => import("./commands/simulator.ts").then((m) => m.simulator)
  )
]

/** The top-level commands as names and summaries only, for the top-level help. */
const stubs = () => entries.map((e) => Command.make(e.name).pipe(Command.withDescription(e.summary)))

const rootOf = (commands: ReadonlyArray<AnyCommand>): AnyCommand => {
  const root = Command.make(program).pipe(
    Command.withDescription("Manage an OpenRouter organisation: workspaces, budgets, members, files, and bulk jobs")
  )
  return commands.length === 0 ? root : root.pipe(Command.withSubcommands(commands as [AnyCommand]))
}

/** @effect/cli prints its own usage errors in colour: plain when colour is not wanted. */
const plainConsole = (base: Console.Console): Console.Console => {
  const strip = (args: ReadonlyArray<unknown>) => args.map((a) => (typeof a === "string" ? stripVTControlCharacters(a) : a))
  return {
    ...base,
    log: (...args) => base.log(...strip(args)),
    error: (...args) => base.error(...strip(args))
  }
}

const usageError = (message: string) =>
  Effect.sync(() => {
    process.stderr.write(`${message}\n`)
    process.exitCode = 2
  })

const main = Effect.gen(function*() {
  const argv = process.argv.slice(2)
  const options = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length)
  const wantsHelp = options.includes("--help") || options.includes("-h")
  const first = locate(rootOf(stubs()).descriptor, argv)
  if (first.unknown !== undefined) {
    const close = suggestions(first.unknown, entries.map((e) => e.name))
    return yield* usageError(
      `error: unknown command "${first.unknown}"${close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(" or ")}?` : ""}\n` +
        `Commands: ${entries.map((e) => e.name).join(", ")}\nRun '${program} --help' for what each does.`
    )
  }
  if (options.length === 1 && options[0] === "--version") return yield* Console.log(version)
  const named = first.path[0]
  if (named === undefined && (wantsHelp || argv.length === 0)) {
    return yield* Console.log(render(first.node, [], program, { width: helpWidth(), color: colorAllowed() }))
  }
  // the root's own flags (--completions) need all the commands
  const needed = named !== undefined ? entries.filter((e) => e.name === named) : entries
  const loaded = yield* Effect.tryPromise(() => Promise.all(needed.map((e) => e.load()))).pipe(Effect.either)
  if (loaded._tag === "Left") {
    // an optional peer dependency (SQLite for the jobs' journal) that is not installed
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec(String((loaded.left as any).error ?? loaded.left))
    if (missing === null) return yield* Effect.die(loaded.left)
    return yield* usageError(
      `error: this command needs ${missing[1]}, which is not installed.\n` +
        `Install the optional peer dependencies: npm install @effect/sql @effect/sql-sqlite-node @effect/experimental`
    )
  }
  const root = rootOf(loaded.right)
  const located = locate(root.descriptor, argv)
  if (located.unknown !== undefined) return yield* usageError(unknownCommand(program, { ...located, unknown: located.unknown }))
  // help, or a group named without one of its commands (unless it runs by itself, as `spend` does)
  if (wantsHelp || (subcommandsOf(located.node).length > 0 && located.path.length > 0 && !runsItself(located.node))) {
    const text = render(located.node, located.path, program, { width: helpWidth(), color: colorAllowed() })
    return yield* Console.log(text)
  }
  const plain = !colorAllowed(process.stderr) || !colorAllowed(process.stdout)
  const run = Command.run(root, { name: program, version })(process.argv)
  return yield* (plain ? Effect.flatMap(Effect.console, (c) => Effect.withConsole(run, plainConsole(c))) : run).pipe(
    Effect.catchAll((error) =>
      ValidationError.isValidationError(error)
        // @effect/cli has printed what is wrong with the command line; say where the usage is
        ? usageError(`Run '${[program, ...located.path].join(" ")} --help' for its usage.`)
        // a failure the command did not report itself: its message, never a stack trace
        : Effect.sync(() => {
          process.stderr.write(`error: ${(error as any)?.message ?? String(error)}\n`)
          process.exitCode = 1
        })
    )
  )
})

// `openrouter-admin … | head` closes stdout early: that is not an error
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0)
})

main.pipe(
  Effect.scoped,
  Effect.provide(Layer.merge(NodeContext.layer, Logger.minimumLogLevel(LogLevel.Warning))),
  // the commands' requirements are typed `any` above; the layer provides them all
  (self) => NodeRuntime.runMain(self as Effect.Effect<void>, { disableErrorReporting: true })
)
