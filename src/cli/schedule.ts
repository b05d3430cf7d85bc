/** `schedule --cron EXPR -- <command…>` and `simulator`: long-running commands. */
import { Args, Command, Options } from "@effect/cli"
import { Console, Cron, Duration, Effect, Either, Option, Redacted, Schedule } from "effect"
import { spawn } from "node:child_process"
import { Specs } from "../jobs/index.ts"
import { Simulator } from "../simulator/index.ts"
import { handled, receivedSignal, UsageError } from "./runtime.ts"

/**
 * Run this CLI again as a child process with `args`; resolves with its exit code. Interrupted, it
 * passes on the signal this process got (SIGINT by default) and waits for the child to stop, so the
 * child writes its partial report and resume command.
 */
const runChild = (args: ReadonlyArray<string>) =>
  Effect.async<number>((resume) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], { stdio: "inherit" })
    child.on("exit", (code, signal) => resume(Effect.succeed(code ?? (signal === "SIGTERM" ? 143 : 130))))
    return Effect.async<void>((stopped) => {
      if (child.exitCode !== null || child.signalCode !== null) return stopped(Effect.void)
      child.once("exit", () => stopped(Effect.void))
      child.kill(receivedSignal() ?? "SIGINT")
    })
  })

export const schedule = Command.make(
  "schedule",
  {
    cron: Options.text("cron").pipe(Options.withDescription("cron expression (5 fields, or 6 with seconds first)")),
    command: Args.text({ name: "command" }).pipe(Args.atLeast(1), Args.withDescription("the job to run, after --"))
  },
  ({ command, cron }) =>
    handled(Effect.gen(function*() {
      const parsed = Cron.parse(cron)
      if (Either.isLeft(parsed)) return yield* Effect.fail(new UsageError(`invalid --cron "${cron}": ${parsed.left.message}`))
      yield* Console.log(`scheduled: ${command.join(" ")} on "${cron}" (next ${Cron.next(parsed.right).toISOString()})`)
      let run = 0
      let running = false
      // runs never overlap: the next occurrence is computed after a run ends
      yield* Effect.schedule(
        Effect.gen(function*() {
          run++
          const started = new Date()
          yield* Console.log(`run ${run} started ${started.toISOString()}: ${command.join(" ")}`)
          running = true
          const code = yield* runChild(command)
          running = false
          const report = command.indexOf("--report")
          yield* Console.log(
            `run ${run} finished with exit code ${code} after ${Duration.format(Duration.millis(Date.now() - started.getTime()))}${
              report >= 0 ? `; report ${command[report + 1]}` : ""
            }`
          )
        }),
        Schedule.cron(parsed.right)
      ).pipe(
        Effect.forever,
        Effect.onInterrupt(() =>
          Console.log(
            `schedule stopped by ${receivedSignal() ?? "interruption"}${
              running ? `; run ${run} was interrupted: ${command.join(" ")}` : " between runs"
            }`
          )
        )
      )
    }))
).pipe(Command.withDescription("run a job on a cron schedule, never overlapping itself"))

/** `20ms`, `1s`, `1.5 seconds`: a latency for the simulator. */
const parseLatency = (text: string) => {
  const short = /^(\d+(?:\.\d+)?)\s*(ms|s)$/.exec(text.trim())
  const millis = short ? Number(short[1]) * (short[2] === "s" ? 1000 : 1) : Specs.ageMillis(text)
  return millis !== undefined && Number.isFinite(millis) && millis >= 0 && millis <= 60_000 ? Duration.millis(millis) : undefined
}

export const simulator = Command.make(
  "simulator",
  {
    port: Options.integer("port").pipe(Options.withDefault(4010)),
    seed: Options.text("seed").pipe(Options.withDefault("demo")),
    latency: Options.text("latency").pipe(Options.withDescription("e.g. 20ms, 1s"), Options.optional),
    rate: Options.float("rate").pipe(Options.withDescription("requests/s before 429s"), Options.optional),
    fail: Options.float("fail").pipe(Options.withDescription("probability of an injected 5xx"), Options.optional),
    members: Options.integer("members").pipe(Options.withDefault(2000)),
    files: Options.integer("files").pipe(Options.withDefault(5000))
  },
  (args) =>
    handled(Effect.gen(function*() {
      if (args.port < 0 || args.port > 65535) return yield* Effect.fail(new UsageError(`--port ${args.port} is not a port (0-65535)`))
      const latency = Option.isSome(args.latency) ? parseLatency(args.latency.value) : undefined
      if (Option.isSome(args.latency) && latency === undefined) {
        return yield* Effect.fail(new UsageError(`--latency "${args.latency.value}" is not a duration: use e.g. 20ms or 1s (at most 60s)`))
      }
      if (Option.isSome(args.rate) && !(args.rate.value > 0)) return yield* Effect.fail(new UsageError("--rate must be > 0 requests per second"))
      if (Option.isSome(args.fail) && !(args.fail.value >= 0 && args.fail.value <= 1)) {
        return yield* Effect.fail(new UsageError("--fail is a probability between 0 and 1"))
      }
      if (args.members < 0 || args.files < 0) return yield* Effect.fail(new UsageError("--members and --files must be ≥ 0"))
      yield* Effect.gen(function*() {
        const sim = yield* Simulator
        yield* Console.log(`OpenRouter simulator listening on ${sim.baseUrl}`)
        yield* Console.log(`export OPENROUTER_BASE_URL=${sim.baseUrl}`)
        yield* Console.log(`export OPENROUTER_API_KEY=${Redacted.value(sim.managementKey)}   # a simulator key, not a secret`)
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
        Effect.catchAllDefect((defect) => Effect.fail(new UsageError(simulatorFailure(defect, args.port))))
      )
    }))
).pipe(Command.withDescription("serve the OpenRouter simulator, to try everything without an account"))

/** Why the simulator could not start, in words (a busy port above all). */
const simulatorFailure = (defect: unknown, port: number) => {
  const text = String((defect as { message?: unknown })?.message ?? defect)
  const code = (defect as { code?: unknown; cause?: { code?: unknown } })?.code ?? (defect as any)?.cause?.code
  return code === "EADDRINUSE" || text.includes("EADDRINUSE")
    ? `port ${port} is already in use: stop what listens there or pass --port (0 picks a free one)`
    : `the simulator could not start: ${text}`
}
