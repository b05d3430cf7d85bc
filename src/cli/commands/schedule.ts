/**
 * `schedule --cron EXPR -- <command…>`: run a command of this CLI on a cron schedule, never overlapping
 * itself. The command line is checked before the first run (exit 2 when it is not a valid command).
 */
import { Args, Options } from "@effect/cli"
import { Console, Cron, Duration, Effect, Either, Schedule } from "effect"
import { spawn } from "node:child_process"
import * as Cli from "../command.ts"
import { $ } from "../common.ts"
import { receivedSignal } from "../runtime.ts"

/**
 * Run this CLI again as a child process with `args`; resolves with its exit code. Interrupted, it
 * passes on the signal this process got (SIGINT by default) and waits for the child to stop, so the
 * child writes its partial report and resume command.
 */
const runChild = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.async<number>((resume) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], {
      stdio: "inherit",
      env: { ...process.env, ...env }
    })
    child.on("exit", (code, signal) => resume(Effect.succeed(code ?? (signal === "SIGTERM" ? 143 : 130))))
    return Effect.async<void>((stopped) => {
      if (child.exitCode !== null || child.signalCode !== null) return stopped(Effect.void)
      child.once("exit", () => stopped(Effect.void))
      child.kill(receivedSignal() ?? "SIGINT")
    })
  })

export const schedule = Cli.makeLocal("schedule", {
  config: {
    cron: Options.text("cron").pipe(Options.withDescription("cron expression (5 fields, or 6 with seconds first)")),
    command: Args.text({ name: "command" }).pipe(Args.atLeast(1), Args.withDescription("the command to run, after --"))
  },
  summary: "run a command on a cron schedule, never overlapping itself; the command is checked before the first run",
  examples: [
    [`${$} schedule --cron '0 3 * * *' -- keys disable --all --orphaned --yes --report nightly.json`, "every night at 03:00"],
    [`${$} schedule --cron '*/15 * * * *' -- budgets apply --monthly 500 --workspace 'team-*' --yes`]
  ]
}, ({ command, cron }) =>
  Effect.gen(function*() {
    const parsed = Cron.parse(cron)
    if (Either.isLeft(parsed)) return yield* Effect.fail(Cli.usage(`invalid --cron "${cron}": ${parsed.left.message}`))
    // the command line parsed by the child without running it: a typo fails now, not every minute
    const checked = yield* runChild(command, { [Cli.parseOnlyVariable]: "1" })
    if (checked !== 0) {
      return yield* Effect.fail(Cli.usage(`the scheduled command is not valid (\`${$} ${command.join(" ")}\`, see above): nothing was scheduled`))
    }
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
