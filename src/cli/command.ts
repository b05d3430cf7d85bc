/**
 * The one way a command of `openrouter-admin` is built. A command declares its flags and arguments
 * (`config`), a summary and examples for its help, and a handler over its typed arguments; the builder
 * adds the connection flags (`--api-key`, `--api-key-file`, `--base-url`, `--verbose`), provides the
 * services (`Command.provide`, built from those flags or the environment), and wraps the handler
 * (`Command.transformHandler`) so every failure is printed once, in words, with the exit code that
 * says what happened (see {@link exitCodeOf}).
 *
 * ```ts
 * export const get = Cli.make("get", {
 *   config: { id: Args.text({ name: "workspace" }), ...outputOptions },
 *   summary: "show one workspace",
 *   examples: [["openrouter-admin workspaces get engineering"]]
 * }, (args) => Effect.flatMap(Workspaces, (w) => …))
 * ```
 */
import { Command } from "@effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as Types from "effect/Types"
import { describe, type Example } from "./help.ts"
import { type Connection, connection, type Services, servicesLayer, traced } from "./runtime.ts"

export { usage, UsageError } from "./errors.ts"

/** The failures that are the input's or the configuration's fault (exit 2), by tag. */
const inputErrors = new Set([
  "UsageError",
  "InvalidRequestError",
  "ConfigError",
  "UsersFileError",
  "ManagementKeyRequiredError",
  "LeaseHeldError",
  "JournalError",
  "ResumeConflictError",
  "PlanEditedError",
  "OrgSpecError",
  "PruneLimitError"
])

/**
 * The exit code of a failure: 2 for usage, input and configuration errors (nothing was changed), 1 for
 * everything else (the API or the network refused; the message says what to do).
 */
export const exitCodeOf = (error: unknown): 1 | 2 =>
  typeof error === "object" && error !== null && "_tag" in error && inputErrors.has(String(error._tag)) ? 2 : 1

const messageOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string" && error.message !== ""
    ? error.message
    : String(error)

/**
 * What every handler shares: a failure is printed once (`error: …`, never a stack trace for an
 * expected failure) and sets the exit code. The command itself succeeds, so @effect/cli adds nothing.
 */
export const handled = <R, E>(self: Effect.Effect<void, E, R>): Effect.Effect<void, never, R> =>
  self.pipe(
    Effect.catchAll((error) =>
      Effect.zipRight(
        Console.error(`error: ${messageOf(error)}`),
        Effect.sync(() => {
          process.exitCode = exitCodeOf(error)
        })
      )
    )
  )

/**
 * Set by `schedule` to check a command line before its first run: the command is parsed (an unknown
 * flag or a missing argument exits 2) and nothing else happens: no key read, no request.
 */
export const parseOnlyVariable = "OPENROUTER_ADMIN_PARSE_ONLY"
const parseOnly = <R, E>(self: Effect.Effect<void, E, R>): Effect.Effect<void, E, R> => process.env[parseOnlyVariable] === "1" ? Effect.void : self

export interface Definition<Config> {
  /** The command's own flags and arguments. */
  readonly config: Config
  /** One line, as the group's list shows it. */
  readonly summary: string
  /** Command lines with what they do, shown under EXAMPLES. */
  readonly examples?: ReadonlyArray<Example>
}

/** The parsed arguments of a config. */
export type ArgsOf<Config extends Command.Command.Config> = Types.Simplify<Command.Command.ParseConfig<Config>>

/**
 * A command that talks to the API: the connection flags added, the services provided from them, failures
 * printed with their exit code. The handler receives its own arguments and the connection's.
 */
export const make = <Name extends string, const Config extends Command.Command.Config, E>(
  name: Name,
  definition: Definition<Config>,
  handler: (args: ArgsOf<Config>, connection: Connection) => Effect.Effect<void, E, Services>
) =>
  Command.make(
    name,
    { args: definition.config, connection },
    (parsed) => handler(parsed.args as ArgsOf<Config>, parsed.connection).pipe(traced(parsed.connection.verbose))
  ).pipe(
    Command.provide((parsed) => servicesLayer(parsed.connection)),
    Command.transformHandler(handled),
    Command.transformHandler(parseOnly),
    Command.withDescription(describe(definition.summary, definition.examples ?? []))
  )

/** A command that needs no API (the journal, the simulator, the scheduler): failures handled the same way. */
export const makeLocal = <Name extends string, const Config extends Command.Command.Config, E, R>(
  name: Name,
  definition: Definition<Config>,
  handler: (args: ArgsOf<Config>) => Effect.Effect<void, E, R>
) =>
  Command.make(name, definition.config, (parsed) => handler(parsed as ArgsOf<Config>)).pipe(
    Command.transformHandler(handled),
    Command.transformHandler(parseOnly),
    Command.withDescription(describe(definition.summary, definition.examples ?? []))
  )

/** The commands are different types; a group only needs them as commands. */

export type AnyCommand = Command.Command<any, any, any, any>

/** A group of commands (`workspaces`, `keys`…): its help lists them. */
export const group = (name: string, summary: string, commands: ReadonlyArray<AnyCommand>): AnyCommand =>
  Command.make(name).pipe(
    Command.withDescription(summary),
    Command.withSubcommands(commands as [AnyCommand, ...Array<AnyCommand>])
  )
