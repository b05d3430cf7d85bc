/** `apply PLAN.json`: exactly a plan saved with `--out`, after checking it against the server. */
import { Args } from "@effect/cli"
import { Console, Effect, Option, PubSub } from "effect"
import { readFileSync } from "node:fs"
import { Engine, PlanFile } from "../../jobs/index.ts"
import { OpenRouterClient } from "../../OpenRouterClient.ts"
import * as Cli from "../command.ts"
import { $, interactive } from "../common.ts"
import { common, names } from "../job-commands.ts"
import { definitions } from "../job-definitions.ts"
import { checkManagementKey, execute, journalLayer, phraseJobError, resumeCommand } from "../job-runner.ts"
import { describeTarget } from "../runtime.ts"

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)

export const apply = Cli.make("apply", {
  config: { file: Args.text({ name: "PLAN.json" }), ...common },
  summary: "apply a plan saved with --out, after checking it against the server",
  examples: [
    [`${$} files cleanup --older-than 90d --out cleanup.json`, "make and save the plan"],
    [`${$} apply cleanup.json`, "apply exactly that plan (asks first)"],
    [`${$} apply cleanup.json --yes --report report.json`, "in a script, keeping the report"]
  ]
}, (args, connection) =>
  Effect.gen(function*() {
    yield* Engine.checkOptions(args).pipe(Effect.mapError((e) => Cli.usage(`--${e.issue}`)))
    const text = yield* Effect.try({
      try: () => readFileSync(args.file, "utf8"),
      catch: (error) =>
        Cli.usage(
          `cannot read the plan ${args.file}: ${(error as NodeJS.ErrnoException).code === "EISDIR" ? "it is a directory" : (error as Error).message}`
        )
    })
    const document = yield* PlanFile.decode(text).pipe(Effect.mapError((e) => Cli.usage(`${args.file} is not a valid plan: ${e.issue}`)))
    const client = yield* OpenRouterClient
    if (document.baseUrl.replace(/\/+$/, "") !== client.baseUrl) {
      return yield* Effect.fail(Cli.usage(
        `${args.file} was planned against ${document.baseUrl}, but this run targets ${client.baseUrl}: plan again against this API`
      ))
    }
    const kind = PlanFile.kindOf(document.plan)
    const destructive = definitions[kind].destructive
    if (destructive && !args.yes && !interactive()) {
      return yield* Effect.fail(Cli.usage(`${kind} changes your organisation and there is no terminal to confirm on: read the plan, then pass --yes`))
    }
    yield* Console.error(`target: ${describeTarget(client.baseUrl)}`)
    yield* checkManagementKey
    yield* Console.error(`plan of ${document.createdAt}; it is checked against the server first: what no longer applies is skipped`)
    const jobId = Option.getOrElse(args.jobId, () => Engine.newJobId(kind))
    // replayed to a progress view that subscribes a moment after the job starts publishing
    const events = yield* PubSub.unbounded<Engine.JobEvent>({ replay: 10_000 })
    yield* execute(args, document.plan, {
      kind,
      jobId,
      trusted: false,
      events,
      target: describeTarget(client.baseUrl),
      resume: resumeCommand(`apply ${quote(args.file)}`, jobId, { confirm: destructive, journal: args.journal, baseUrl: connection.baseUrl })
    }).pipe(
      Effect.provide(journalLayer(args.journal)),
      Engine.gated({ rate: args.rate, events }),
      Effect.catchAll(phraseJobError(names, kind)),
      Effect.scoped
    )
  }))
