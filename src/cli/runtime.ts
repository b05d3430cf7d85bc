/**
 * What every command that talks to the API shares: the connection flags, the services built from them
 * (or the environment), `--verbose`'s trace of each HTTP attempt, the line a terminal shows before each
 * retry, and the exit codes of signals (130 for SIGINT, 143 for SIGTERM).
 *
 * The management key never has to be typed on a command line (where `ps` and shell history see it):
 * `$OPENROUTER_API_KEY`, `--api-key-file FILE`, or `--api-key -` (read from stdin).
 */
import { Command, Options } from "@effect/cli"
import type { FileSystem, Path } from "@effect/platform"
import { Config, Console, Duration, Effect, Layer, Option, Redacted, Schedule } from "effect"
import { readFileSync } from "node:fs"
import { createInterface } from "node:readline"
import { Writable } from "node:stream"
import type * as Client from "../index.ts"
import { servicesLayer as everyService } from "../internal/services.ts"
import * as OpenRouterClient from "../OpenRouterClient.ts"
import * as RetryPolicy from "../RetryPolicy.ts"
import { usage, type UsageError } from "./errors.ts"
import { formatDuration } from "./output.ts"

// --- flags ----------------------------------------------------------------------------------------------

export const json = Options.boolean("json").pipe(
  Options.withDescription("JSON output (one object per line for lists); the default when stdout is not a TTY")
)

export const connection = {
  apiKey: Options.redacted("api-key").pipe(
    Options.withDescription(
      "management key; - reads it from stdin (default: $OPENROUTER_API_KEY). Prefer - or --api-key-file: a key on the command line is seen by ps and shell history"
    ),
    Options.optional
  ),
  apiKeyFile: Options.text("api-key-file").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription("read the management key from FILE (its first line)"),
    Options.optional
  ),
  baseUrl: Options.text("base-url").pipe(
    Options.withDescription("API base URL (default: $OPENROUTER_BASE_URL or https://openrouter.ai/api/v1)"),
    Options.optional
  ),
  verbose: Options.boolean("verbose").pipe(
    Options.withAlias("v"),
    Options.withDescription("trace each HTTP attempt and retry on stderr")
  )
}
export type Connection = Command.Command.ParseConfig<typeof connection>

/**
 * The services every API command may use: the client entry point's ({@link Client.Services}, where a new
 * service module adds its own), the client, and FileSystem and Path (files upload/download) from
 * NodeContext.layer, which main.ts provides.
 */
export type Services = Client.Services | OpenRouterClient.OpenRouterClient | FileSystem.FileSystem | Path.Path

// --- the key ----------------------------------------------------------------------------------------------

/** One line from a terminal without echoing it (a pasted key stays off the screen). */
export const readHidden = (prompt: string) =>
  Effect.async<string>((resume) => {
    process.stderr.write(prompt)
    const muted = new Writable({ write: (_chunk, _encoding, done) => done() })
    const rl = createInterface({ input: process.stdin, output: muted, terminal: true })
    rl.once("line", (line) => {
      rl.close()
      process.stderr.write("\n")
      resume(Effect.succeed(line))
    })
    return Effect.sync(() => rl.close())
  })

const firstLine = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "") ?? ""

/** The key from `--api-key -` (stdin) or `--api-key-file FILE`, when one of them is given. */
const keyFromFlags = (flags: Connection): Effect.Effect<Option.Option<Redacted.Redacted<string>>, UsageError> =>
  Effect.gen(function*() {
    const inline = Option.map(flags.apiKey, (k) => Redacted.value(k as Redacted.Redacted<string>))
    if (Option.isSome(inline) && Option.isSome(flags.apiKeyFile)) {
      return yield* Effect.fail(usage("give either --api-key or --api-key-file, not both"))
    }
    if (Option.isSome(flags.apiKeyFile)) {
      const path = flags.apiKeyFile.value
      const text = yield* Effect.try({
        try: () => readFileSync(path, "utf8"),
        catch: (error) => usage(`--api-key-file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
      })
      const key = firstLine(text)
      if (key === "") return yield* Effect.fail(usage(`--api-key-file ${path} is empty: put the management key on its first line`))
      return Option.some(Redacted.make(key))
    }
    if (Option.isSome(inline) && inline.value === "-") {
      const key = firstLine(
        process.stdin.isTTY
          ? yield* readHidden("Management key (input hidden): ")
          : yield* Effect.try({
            try: () => readFileSync(0, "utf8"),
            catch: (error) => usage(`--api-key -: cannot read stdin (${(error as Error).message})`)
          })
      )
      if (key === "") return yield* Effect.fail(usage("--api-key -: stdin was empty: pipe the management key in"))
      return Option.some(Redacted.make(key))
    }
    return Option.map(flags.apiKey, (k) => k as Redacted.Redacted<string>)
  })

/**
 * The connection settings: each one from its flag, else its environment variable, else its default
 * (the same resolution as `OpenRouterClient.layerConfig`), so `--api-key-file` with `OPENROUTER_BASE_URL`
 * set goes to that URL.
 */
export const resolveConnection = (flags: Connection) =>
  Effect.gen(function*() {
    const key = yield* keyFromFlags(flags)
    const settings = yield* OpenRouterClient.config({
      ...(Option.isSome(key) ? { apiKey: Config.succeed(key.value) } : {}),
      ...(Option.isSome(flags.baseUrl) ? { baseUrl: Config.succeed(flags.baseUrl.value) } : {})
    }).pipe(
      Effect.mapError((error) =>
        usage(
          String(error).includes("OPENROUTER_API_KEY")
            ? "OPENROUTER_API_KEY is not set: export a management key, or pass --api-key-file FILE (or --api-key - to read it from stdin)"
            : `configuration: ${String(error)}`
        )
      )
    )
    if (Redacted.value(settings.apiKey).trim() === "") {
      return yield* Effect.fail(
        usage("OPENROUTER_API_KEY is empty: export a management key, or pass --api-key-file FILE (or --api-key -)")
      )
    }
    if (!/^https?:\/\/[^\s]+$/.test(settings.baseUrl ?? "")) {
      return yield* Effect.fail(
        usage(`the base URL "${settings.baseUrl}" is not an http(s) URL (--base-url or OPENROUTER_BASE_URL)`)
      )
    }
    return settings
  })

// --- retries said on a terminal -----------------------------------------------------------------------

const reasonOf = (error: RetryPolicy.RetryInput): string => {
  const e = error as { readonly _tag: string; readonly reason?: string; readonly status?: number }
  if (e._tag === "ConnectionError") return `connection failed: ${e.reason ?? "no answer"}`
  if (e._tag === "RequestTimeoutError") return "no answer in time"
  return e.status !== undefined ? `HTTP ${e.status}` : e._tag
}

/**
 * The default retry policy, saying each retry on `out` (a terminal's stderr) before it waits: what
 * failed, and when the next attempt goes. Off a terminal (logs, pipes) it stays silent, as before.
 */
export const announcedRetries = (
  policy: RetryPolicy.RetryPolicy = RetryPolicy.defaultPolicy,
  out: { readonly isTTY?: boolean; readonly write: (text: string) => unknown } = process.stderr
): RetryPolicy.RetryPolicy =>
  !out.isTTY ? policy : {
    _tag: "RetryPolicy",
    schedule: policy.schedule.pipe(
      Schedule.passthrough,
      Schedule.modifyDelayEffect((error, delay) =>
        Effect.as(
          Effect.sync(() => {
            const e = error as RetryPolicy.RetryInput & { readonly method?: string; readonly path?: string }
            const at = new Date(Date.now() + Duration.toMillis(delay)).toISOString().slice(11, 19)
            out.write(
              `\r\x1b[Kretrying ${e.method ?? ""} ${e.path ?? ""} in ${formatDuration(Duration.toMillis(delay))} (at ${at} UTC): ${reasonOf(e)}\n`
            )
          }),
          delay
        )
      )
    )
  }

/** The services (and the client, for its base URL), configured by {@link resolveConnection}. */
export const servicesLayer = (flags: Connection) =>
  Layer.unwrapEffect(
    Effect.map(resolveConnection(flags), (settings) =>
      everyService.pipe(
        Layer.provideMerge(OpenRouterClient.layer({ ...settings, retry: announcedRetries() })),
        // loaded on use: undici is a large part of start-up
        Layer.provide(
          Layer.unwrapEffect(
            Effect.promise(() => import("@effect/platform-node/NodeHttpClient")).pipe(Effect.map((m) => m.layerUndici))
          )
        )
      ))
  )

/** "http://… " or "https://openrouter.ai/api/v1 (production)": said before any change. */
export const describeTarget = (baseUrl: string) =>
  baseUrl.replace(/\/+$/, "") === OpenRouterClient.DEFAULT_BASE_URL ? `${baseUrl} (production)` : baseUrl

/**
 * `--verbose`: each HTTP attempt on stderr when it is sent and when it is answered (status, time), so a
 * retry shows as the next attempt after a retryable answer, and a hang shows as a line with no answer.
 */
export const traced = (on: boolean) => <A, E, R>(self: Effect.Effect<A, E, R>) => {
  if (!on) return self
  let sent = 0
  // attempts of one operation are answered in the order they were sent, near enough for a trace
  const inFlight = new Map<string, Array<{ readonly n: number; readonly at: number }>>()
  const line = (text: string) => Effect.sync(() => process.stderr.write(`http[${text}\n`))
  return self.pipe(OpenRouterClient.withObserver({
    beforeAttempt: (operation) =>
      Effect.suspend(() => {
        const n = ++sent
        inFlight.set(operation, [...(inFlight.get(operation) ?? []), { n, at: Date.now() }])
        return line(`${n}] ${operation} sent`)
      }),
    afterAttempt: (operation, { retryAfter, status }) =>
      Effect.suspend(() => {
        const attempt = inFlight.get(operation)?.shift() ?? { n: sent, at: Date.now() }
        const retryable = status === undefined || status === 429 || status >= 500
        const wait = retryAfter ? `, Retry-After ${formatDuration(Duration.toMillis(retryAfter))}` : ""
        return line(
          `${attempt.n}] ${operation}: ${status ?? "no response"} in ${formatDuration(Date.now() - attempt.at)}${
            retryable ? ` (retryable${wait})` : ""
          }`
        )
      })
  }))
}

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

/** Print a line on stderr. */
export const note = (line: string) => Console.error(line)
