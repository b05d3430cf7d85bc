/**
 * What every command shares: the client built from the environment (or flags), output in tables or
 * JSON lines, and exit codes (0 done, 1 some items failed, 2 usage or configuration error, 130/143
 * interrupted by SIGINT/SIGTERM).
 */
import { Options } from "@effect/cli"
import { Config, Console, Effect, Layer, Option, Redacted } from "effect"
import { Files } from "../Files.ts"
import { Guardrails } from "../Guardrails.ts"
import { Keys } from "../Keys.ts"
import * as OpenRouterClient from "../OpenRouterClient.ts"
import { Organization } from "../Organization.ts"
import { Workspaces } from "../Workspaces.ts"

export const json = Options.boolean("json").pipe(
  Options.withDescription("JSON output (one object per line for lists); the default when stdout is not a TTY")
)
export const apiKey = Options.redacted("api-key").pipe(
  Options.withDescription("management key (default: $OPENROUTER_API_KEY)"),
  Options.optional
)
export const baseUrl = Options.text("base-url").pipe(
  Options.withDescription("API base URL (default: $OPENROUTER_BASE_URL or https://openrouter.ai/api/v1)"),
  Options.optional
)
export const connection = { apiKey, baseUrl }

/** A usage or configuration problem: printed, exit code 2. */
export class UsageError {
  readonly _tag = "UsageError"
  constructor(readonly message: string) {}
}

/**
 * The connection settings: each one from its flag, else its environment variable, else its default
 * (the same resolution as `OpenRouterClient.layerConfig`), so `--api-key` with `OPENROUTER_BASE_URL`
 * set goes to that URL.
 */
export const resolveConnection = (flags: { apiKey: Option.Option<Redacted.Redacted>; baseUrl: Option.Option<string> }) =>
  Effect.gen(function*() {
    const settings = yield* OpenRouterClient.config({
      ...(Option.isSome(flags.apiKey) ? { apiKey: Config.succeed(flags.apiKey.value as Redacted.Redacted<string>) } : {}),
      ...(Option.isSome(flags.baseUrl) ? { baseUrl: Config.succeed(flags.baseUrl.value) } : {})
    }).pipe(
      Effect.mapError((error) =>
        new UsageError(
          String(error).includes("OPENROUTER_API_KEY")
            ? "OPENROUTER_API_KEY is not set: export a management key (or pass --api-key)"
            : `configuration: ${String(error)}`
        )
      )
    )
    if (Redacted.value(settings.apiKey).trim() === "") {
      return yield* Effect.fail(new UsageError("OPENROUTER_API_KEY is empty: export a management key (or pass --api-key)"))
    }
    if (!/^https?:\/\/[^\s]+$/.test(settings.baseUrl ?? "")) {
      return yield* Effect.fail(new UsageError(`the base URL "${settings.baseUrl}" is not an http(s) URL (--base-url or OPENROUTER_BASE_URL)`))
    }
    return settings
  })

/** The services (and the client, for its base URL), configured by {@link resolveConnection}. */
export const servicesLayer = (flags: { apiKey: Option.Option<Redacted.Redacted>; baseUrl: Option.Option<string> }) =>
  Layer.unwrapEffect(
    Effect.map(resolveConnection(flags), (settings) =>
      Layer.mergeAll(Workspaces.Default, Organization.Default, Files.Default, Keys.Default, Guardrails.Default).pipe(
        Layer.provideMerge(OpenRouterClient.layer(settings)),
        // loaded on use: undici is a large part of start-up
        Layer.provide(Layer.unwrapEffect(
          Effect.promise(() =>
            import("@effect/platform-node/NodeHttpClient")
          ).pipe(Effect.map((m) => m.layerUndici))
        ))
      ))
  )

/** "http://… " or "https://openrouter.ai/api/v1 (production)": said before any change. */
export const describeTarget = (baseUrl: string) =>
  baseUrl.replace(/\/+$/, "") === OpenRouterClient.DEFAULT_BASE_URL ? `${baseUrl} (production)` : baseUrl

// --- signals ------------------------------------------------------------------------------------------

/** The signal that stopped this process, if any (SIGINT → 130, SIGTERM → 143). */
let stoppedBy: NodeJS.Signals | undefined
export const receivedSignal = () => stoppedBy
export const signalExitCode = (signal: NodeJS.Signals) => (signal === "SIGTERM" ? 143 : 130)

/**
 * `NodeRuntime.runMain` interrupts the main fiber on SIGINT/SIGTERM and then exits 0; remember the
 * signal so the exit code says it (130/143). A second signal exits at once.
 */
export const installSignalExitCodes = () => {
  const on = (signal: NodeJS.Signals) => () => {
    if (stoppedBy !== undefined) process.exit(signalExitCode(stoppedBy))
    stoppedBy = signal
  }
  process.on("SIGINT", on("SIGINT"))
  process.on("SIGTERM", on("SIGTERM"))
  process.on("exit", () => {
    if (stoppedBy !== undefined) process.exitCode = signalExitCode(stoppedBy)
  })
}
installSignalExitCodes()

export const wantsJson = (flag: boolean) => flag || !process.stdout.isTTY

/** Plain data for printing: class instances to their fields. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value))

/** Print one record: JSON, or `key: value` lines. */
export const printRecord = (asJson: boolean, value: unknown) =>
  asJson
    ? Console.log(JSON.stringify(plain(value)))
    : Console.log(
      Object.entries(plain(value) as Record<string, unknown>).map(([k, v]) =>
        `${k.padEnd(34)} ${typeof v === "object" ? JSON.stringify(v) : String(v)}`
      ).join("\n")
    )

/** Print rows as they arrive: JSON lines, or a table whose header comes with the first row. */
export const rowPrinter = (asJson: boolean, columns: ReadonlyArray<string>) => {
  let first = true
  return (row: Record<string, unknown>) =>
    Effect.suspend(() => {
      if (asJson) return Console.log(JSON.stringify(plain(row)))
      const widths = columns.map((c) => Math.max(c.length, 12))
      const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ")
      const out = columns.map((c) => String(row[c] ?? ""))
      const header = first ? `${line(columns)}\n${line(columns.map((c) => "-".repeat(c.length)))}\n` : ""
      first = false
      return Console.log(header + line(out))
    })
}

/**
 * Run a command body: usage/config errors exit 2 with their message; API errors exit 1 with theirs
 * (the message already says what to do); never a stack trace for an expected failure.
 */
export const handled = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  self.pipe(
    Effect.catchAll((error: any) =>
      Effect.gen(function*() {
        const usage = error?._tag === "UsageError" || error?._tag === "InvalidRequestError" ||
          error?._tag === "ConfigError" || error?._tag === "UsersFileError"
        yield* Console.error(`error: ${error?.message ?? String(error)}`)
        process.exitCode = usage ? 2 : 1
      })
    )
  )
