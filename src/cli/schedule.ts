/** `schedule --cron EXPR -- <command…>` and `simulator`: long-running commands. */
import { Args, Command, Options } from "@effect/cli"
import { Console, Cron, Duration, Effect, Either, Layer, Option, Redacted, Schedule } from "effect"
import { spawn } from "node:child_process"
import { Simulator } from "../simulator/index.ts"
import { handled, UsageError } from "./runtime.ts"

/** Run this CLI again as a child process with `args`; resolves with its exit code. */
const runChild = (args: ReadonlyArray<string>) =>
  Effect.async<number>((resume) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], { stdio: "inherit" })
    child.on("exit", (code) => resume(Effect.succeed(code ?? 1)))
    return Effect.sync(() => child.kill("SIGINT"))
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
      // runs never overlap: the next occurrence is computed after a run ends
      yield* Effect.schedule(
        Effect.gen(function*() {
          run++
          const started = new Date()
          yield* Console.log(`run ${run} started ${started.toISOString()}: ${command.join(" ")}`)
          const code = yield* runChild(command)
          const report = command.indexOf("--report")
          yield* Console.log(
            `run ${run} finished with exit code ${code} after ${Duration.format(Duration.millis(Date.now() - started.getTime()))}${
              report >= 0 ? `; report ${command[report + 1]}` : ""
            }`
          )
        }),
        Schedule.cron(parsed.right)
      ).pipe(Effect.forever, Effect.onInterrupt(() => Console.log("schedule stopped")))
    }))
).pipe(Command.withDescription("run a job on a cron schedule, never overlapping itself"))

export const simulator = Command.make(
  "simulator",
  {
    port: Options.integer("port").pipe(Options.withDefault(4010)),
    seed: Options.text("seed").pipe(Options.withDefault("demo")),
    latency: Options.text("latency").pipe(Options.withDescription("e.g. 20ms"), Options.optional),
    rate: Options.float("rate").pipe(Options.withDescription("requests/s before 429s"), Options.optional),
    fail: Options.float("fail").pipe(Options.withDescription("probability of an injected 5xx"), Options.optional),
    members: Options.integer("members").pipe(Options.withDefault(2000)),
    files: Options.integer("files").pipe(Options.withDefault(5000))
  },
  (args) =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* Console.log(`OpenRouter simulator listening on ${sim.baseUrl}`)
      yield* Console.log(`export OPENROUTER_BASE_URL=${sim.baseUrl}`)
      yield* Console.log(`export OPENROUTER_API_KEY=${Redacted.value(sim.managementKey)}   # a simulator key, not a secret`)
      return yield* Effect.never
    }).pipe(
      Effect.provide(Layer.suspend(() =>
        Simulator.layer({
          port: args.port,
          seed: args.seed,
          organization: { members: args.members, workspaces: 12 },
          files: { count: args.files },
          ...Option.match(args.latency, {
            onNone: () => ({}),
            onSome: (l) => ({ latency: Duration.decode((l.replace(/^(\d+)ms$/, "$1 millis")) as Duration.DurationInput) })
          }),
          ...Option.match(args.rate, { onNone: () => ({}), onSome: (requestsPerSecond) => ({ rateLimit: { requestsPerSecond } }) }),
          ...Option.match(args.fail, { onNone: () => ({}), onSome: (rate) => ({ faults: { rate } }) })
        })
      ))
    )
).pipe(Command.withDescription("serve the OpenRouter simulator, to try everything without an account"))
