/**
 * What every command shares: the client built from the environment (or flags), output in tables or
 * JSON lines, and exit codes (0 done, 1 some items failed, 2 usage or configuration error).
 */
import { Options } from "@effect/cli"
import { NodeHttpClient } from "@effect/platform-node"
import { Config, Console, Effect, Layer, Option, Redacted } from "effect"
import { Files } from "../Files.ts"
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

/** The services, configured from flags first, then the environment. */
export const servicesLayer = (flags: { apiKey: Option.Option<Redacted.Redacted>; baseUrl: Option.Option<string> }) =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const key = Option.isSome(flags.apiKey)
        ? flags.apiKey.value
        : yield* Config.redacted("OPENROUTER_API_KEY").pipe(
          Effect.mapError(() =>
            new UsageError("OPENROUTER_API_KEY is not set: export a management key (or pass --api-key)")
          )
        )
      if (Redacted.value(key).trim() === "") {
        return yield* Effect.fail(new UsageError("OPENROUTER_API_KEY is empty: export a management key (or pass --api-key)"))
      }
      const env = yield* OpenRouterClient.configFromEnv.pipe(Effect.option)
      const url = Option.getOrElse(flags.baseUrl, () =>
        Option.match(env, { onNone: () => OpenRouterClient.DEFAULT_BASE_URL, onSome: (c) => c.baseUrl }))
      const attribution = Option.match(env, {
        onNone: () => ({}),
        onSome: (c) => ({
          ...Option.match(c.httpReferer, { onNone: () => ({}), onSome: (httpReferer) => ({ httpReferer }) }),
          ...Option.match(c.appTitle, { onNone: () => ({}), onSome: (appTitle) => ({ appTitle }) }),
          ...Option.match(c.appCategories, { onNone: () => ({}), onSome: (appCategories) => ({ appCategories }) })
        })
      })
      return Layer.mergeAll(Workspaces.Default, Organization.Default, Files.Default).pipe(
        Layer.provideMerge(OpenRouterClient.layer({ apiKey: key as Redacted.Redacted<string>, baseUrl: url, ...attribution })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    })
  )

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
          error?._tag === "ConfigError"
        yield* Console.error(`error: ${error?.message ?? String(error)}`)
        process.exitCode = usage ? 2 : 1
      })
    )
  )
