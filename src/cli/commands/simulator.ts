/** `simulator`: serve the OpenRouter simulator, to try everything without an account. */
import { Options } from "@effect/cli"
import { Console, Duration, Effect, Option, Redacted } from "effect"
import { Specs } from "../../jobs/index.ts"
import { Simulator } from "../../simulator/index.ts"
import * as Cli from "../command.ts"
import { $ } from "../common.ts"

/** `20ms`, `1s`, `1.5 seconds`: a latency for the simulator. */
const parseLatency = (text: string) => {
  const short = /^(\d+(?:\.\d+)?)\s*(ms|s)$/.exec(text.trim())
  const millis = short ? Number(short[1]) * (short[2] === "s" ? 1000 : 1) : Specs.ageMillis(text)
  return millis !== undefined && Number.isFinite(millis) && millis >= 0 && millis <= 60_000 ? Duration.millis(millis) : undefined
}

/** Why the simulator could not start, in words (a busy port above all). */
const simulatorFailure = (defect: unknown, port: number) => {
  const text = String((defect as { message?: unknown })?.message ?? defect)
  const code = (defect as { code?: unknown; cause?: { code?: unknown } })?.code ?? (defect as { cause?: { code?: unknown } })?.cause?.code
  return code === "EADDRINUSE" || text.includes("EADDRINUSE")
    ? `port ${port} is already in use: stop what listens there or pass --port (0 picks a free one)`
    : `the simulator could not start: ${text}`
}

export const simulator = Cli.makeLocal("simulator", {
  config: {
    port: Options.integer("port").pipe(Options.withDefault(4010)),
    seed: Options.text("seed").pipe(Options.withDefault("demo")),
    latency: Options.text("latency").pipe(Options.withDescription("e.g. 20ms, 1s"), Options.optional),
    rate: Options.float("rate").pipe(Options.withDescription("requests/s before 429s"), Options.optional),
    fail: Options.float("fail").pipe(Options.withDescription("probability of an injected 5xx"), Options.optional),
    members: Options.integer("members").pipe(Options.withDefault(2000)),
    files: Options.integer("files").pipe(Options.withDefault(5000))
  },
  summary: "serve the OpenRouter simulator, to try everything without an account",
  examples: [[`${$} simulator`, "then paste the two export lines it prints"], [`${$} simulator --port 0 --latency 20ms --rate 50`]]
}, (args) =>
  Effect.gen(function*() {
    if (args.port < 0 || args.port > 65535) return yield* Effect.fail(Cli.usage(`--port ${args.port} is not a port (0-65535)`))
    const latency = Option.isSome(args.latency) ? parseLatency(args.latency.value) : undefined
    if (Option.isSome(args.latency) && latency === undefined) {
      return yield* Effect.fail(Cli.usage(`--latency "${args.latency.value}" is not a duration: use e.g. 20ms or 1s (at most 60s)`))
    }
    if (Option.isSome(args.rate) && !(args.rate.value > 0)) return yield* Effect.fail(Cli.usage("--rate must be > 0 requests per second"))
    if (Option.isSome(args.fail) && !(args.fail.value >= 0 && args.fail.value <= 1)) {
      return yield* Effect.fail(Cli.usage("--fail is a probability between 0 and 1"))
    }
    if (args.members < 0 || args.files < 0) return yield* Effect.fail(Cli.usage("--members and --files must be ≥ 0"))
    yield* Effect.gen(function*() {
      const sim = yield* Simulator
      yield* Console.log(`OpenRouter simulator listening on ${sim.baseUrl}`)
      yield* Console.log(`export OPENROUTER_BASE_URL=${sim.baseUrl}`)
      yield* Console.log(`export OPENROUTER_API_KEY=${Redacted.value(sim.managementKey)}   # the management key (simulator keys are not secrets)`)
      yield* Console.log(`# an inference key, to see what a non-management key gets: ${Redacted.value(sim.inferenceKey)}`)
      return yield* Effect.never
    }).pipe(
      Effect.provide(Simulator.layer({
        port: args.port,
        seed: args.seed,
        organization: { members: args.members, workspaces: 12 },
        files: { count: args.files },
        ...(latency !== undefined ? { latency } : {}),
        ...Option.match(args.rate, { onNone: () => ({}), onSome: (requestsPerSecond) => ({ rateLimit: { requestsPerSecond } }) }),
        ...Option.match(args.fail, { onNone: () => ({}), onSome: (rate) => ({ faults: { rate } }) })
      })),
      Effect.catchTag("SimulatorStartError", (error) => Effect.fail(Cli.usage(simulatorFailure(error, args.port)))),
      Effect.catchAllDefect((defect) => Effect.fail(Cli.usage(simulatorFailure(defect, args.port))))
    )
  }))
