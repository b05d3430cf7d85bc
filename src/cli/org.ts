/**
 * `org export | plan | apply | schema`: organisation as code from the command line (subcommands of the
 * `org` group, beside `org members`).
 *
 * Exit codes: 0 done (plan: the organisation matches the file); 3 (`plan --detailed-exitcode`) changes
 * are pending; 1 some items failed; 2 usage or input error (a file that does not decode, with every
 * issue's line and column; a prune over the limit); 130/143 interrupted (the command to resume is printed).
 */
import { Args, Options } from "@effect/cli"
import { Console, Effect, Fiber, Option, PubSub, Schema } from "effect"
import { readFileSync } from "node:fs"
import { Engine, Journal, Org, OrgPlan, OrgSpec, PlanFile } from "../jobs/index.ts"
import { OpenRouterClient } from "../OpenRouterClient.ts"
import * as Cli from "./command.ts"
import { $, ask, interactive } from "./common.ts"
import { common, names } from "./job-commands.ts"
import { checkManagementKey, journalLayer, phraseJobError, reportWriter, showTarget, summary, writeText } from "./job-runner.ts"
import * as Progress from "./progress.ts"
import { describeTarget, wantsJson } from "./runtime.ts"

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)

const fileOption = Options.file("file").pipe(
  Options.withAlias("f"),
  Options.withPseudoName("FILE"),
  Options.withDescription("the organisation file (YAML or JSON)")
)
const maxRemovals = Options.text("max-removals").pipe(
  Options.withPseudoName("N|P%"),
  Options.withDescription("prune at most this many (10) or this share (25%, the default) of an area's current items per workspace"),
  Options.optional
)
const reading = { concurrency: common.concurrency, rate: common.rate }

const readText = (path: string, what: string) =>
  Effect.try({
    try: () => readFileSync(path, "utf8"),
    catch: (error) =>
      Cli.usage(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`)
  })

const options = (args: { readonly concurrency: number; readonly rate: number; readonly maxRemovals?: Option.Option<string> }) =>
  Effect.as(
    Engine.checkOptions(args).pipe(Effect.mapError((e) => Cli.usage(`--${e.issue}`))),
    {
      concurrency: args.concurrency,
      rate: args.rate,
      ...(args.maxRemovals && Option.isSome(args.maxRemovals) ? { maxRemovals: args.maxRemovals.value } : {})
    }
  ).pipe(
    Effect.tap((o) =>
      "maxRemovals" in o
        ? Effect.mapError(
          OrgPlan.parseMaxRemovals(o.maxRemovals),
          () => Cli.usage(`--max-removals takes a count (10) or a share (25%), got "${o.maxRemovals}"`)
        )
        : Effect.void
    )
  )

const readSpec = (path: string) => Effect.flatMap(readText(path, "the organisation file"), (text) => OrgSpec.parse(text, path))

// --- org export ---------------------------------------------------------------------------------------

const exportCommand = Cli.make("export", {
  config: {
    output: Options.file("output").pipe(
      Options.withAlias("o"),
      Options.withPseudoName("FILE"),
      Options.withDescription("write the file here (default: stdout)"),
      Options.optional
    ),
    workspace: Options.text("workspace").pipe(
      Options.withDescription("workspace id, slug or glob to export (repeatable; default every workspace); each must match"),
      Options.repeated
    ),
    ...reading
  },
  summary: "the organisation as it is, as an organisation file (members by e-mail, sorted, stable)",
  examples: [
    [`${$} org export -o org.yaml`, "adopt the organisation as code in one step"],
    [`${$} org export --workspace 'team-*'`, "only some workspaces, on stdout"]
  ]
}, (args) =>
  Effect.gen(function*() {
    const checked = yield* options(args)
    yield* checkManagementKey
    const spec = yield* Org.export({ ...checked, ...(args.workspace.length > 0 ? { workspaces: args.workspace } : {}) }).pipe(
      Effect.catchTag("InvalidRequestError", (e) => Effect.fail(Cli.usage(e.issue)))
    )
    const text = Org.toYaml(spec, " The organisation as code (openrouter-admin org export).\n Check it with: openrouter-admin org plan -f FILE")
    if (Option.isNone(args.output)) return yield* Console.log(text.trimEnd())
    yield* writeText(args.output.value, text)
    yield* Console.error(`wrote ${args.output.value}: ${Object.keys(spec.workspaces).length} workspaces`)
  }))

// --- org plan -----------------------------------------------------------------------------------------

const planCommand = Cli.make("plan", {
  config: {
    file: fileOption,
    json: common.json,
    out: common.out,
    detailedExitcode: Options.boolean("detailed-exitcode").pipe(
      Options.withDescription("exit 0 when the organisation matches the file, 3 when changes are pending (1 and 2 as usual)")
    ),
    maxRemovals,
    ...reading
  },
  summary: "what applying the file would change, per workspace (changes nothing)",
  examples: [
    [`${$} org plan -f org.yaml`, "the difference as a person reads it"],
    [`${$} org plan -f org.yaml --json`, "the actions, for CI"],
    [`${$} org plan -f org.yaml --out plan.json`, "save it; apply exactly it with org apply plan.json"],
    [`${$} schedule --cron '0 3 * * *' -- org plan -f org.yaml --detailed-exitcode`, "a nightly drift alarm"]
  ]
}, (args) =>
  Effect.gen(function*() {
    const checked = yield* options(args)
    const spec = yield* readSpec(args.file)
    yield* checkManagementKey
    const events = yield* PubSub.unbounded<Engine.JobEvent>({ replay: 1_000 })
    const readingView = yield* Effect.fork(Progress.reading(events))
    const plan = yield* Org.plan(spec, { ...checked, events }).pipe(
      Effect.ensuring(Fiber.interrupt(readingView)),
      Effect.catchTag("PruneLimitError", (error) => Effect.fail(Cli.usage(error.describeWith("--max-removals"))))
    )
    const client = yield* OpenRouterClient
    if (wantsJson(args.json)) {
      const encoded = yield* Schema.encode(OrgPlan.OrgPlan)(plan).pipe(Effect.orDie)
      yield* Console.log(JSON.stringify({ actions: encoded.actions, notes: plan.notes, totals: OrgPlan.totalsOf(plan) }))
    } else for (const line of Org.describe(plan)) yield* Console.log(line)
    if (Option.isSome(args.out)) {
      const document = new PlanFile.PlanDocument({
        format: PlanFile.FORMAT,
        version: 1,
        createdAt: new Date().toISOString(),
        baseUrl: client.baseUrl,
        plan
      })
      yield* writeText(args.out.value, yield* PlanFile.encode(document))
      yield* Console.error(`plan saved to ${args.out.value}; apply exactly this plan with: ${$} org apply ${quote(args.out.value)}`)
    }
    if (args.detailedExitcode && !Org.isEmpty(plan)) process.exitCode = 3
  }))

// --- org apply ----------------------------------------------------------------------------------------

const applyCommand = Cli.make("apply", {
  config: {
    plan: Args.file({ name: "PLAN.json" }).pipe(Args.withDescription("a plan saved with org plan --out"), Args.optional),
    file: fileOption.pipe(Options.optional),
    yes: common.yes,
    dryRun: common.dryRun,
    wait: common.wait,
    maxRemovals,
    jobId: common.jobId,
    journal: common.journal,
    report: common.report,
    json: common.json,
    ...reading
  },
  summary: "make the organisation match the file (or a saved plan): journaled, resumable with --job-id",
  examples: [
    [`${$} org apply -f org.yaml`, "shows the plan and asks first"],
    [`${$} org apply plan.json --yes`, "exactly a saved plan, checked against the server first"],
    [`${$} org apply -f org.yaml --yes --job-id org-2026-12-01`, "in CI: resumable after a crash"],
    [`${$} org apply -f org.yaml --dry-run`, "the plan, as org plan prints it; changes nothing"]
  ]
}, (args, connection) =>
  Effect.gen(function*() {
    const checked = yield* options(args)
    const fromJournal = Option.isNone(args.plan) && Option.isNone(args.file) && Option.isSome(args.jobId)
    if (!fromJournal && Option.isSome(args.plan) === Option.isSome(args.file)) {
      return yield* Effect.fail(
        Cli.usage("give the organisation file with -f FILE, or a saved plan PLAN.json (one of them), or --job-id alone to resume")
      )
    }
    if (!args.yes && !args.dryRun && !interactive()) {
      return yield* Effect.fail(
        Cli.usage("org apply changes your organisation and there is no terminal to confirm on: read `org plan` first, then pass --yes")
      )
    }
    const client = yield* OpenRouterClient
    const saved = Option.isSome(args.plan)
      ? Option.some(
        yield* readText(args.plan.value, "the plan").pipe(
          Effect.flatMap((text) =>
            Effect.mapError(PlanFile.decode(text), (e) => Cli.usage(`${Option.getOrThrow(args.plan)} is not a valid plan: ${e.issue}`))
          )
        )
      )
      : Option.none()
    if (Option.isSome(saved) && !(saved.value.plan instanceof OrgPlan.OrgPlan)) {
      return yield* Effect.fail(
        Cli.usage(
          `${Option.getOrThrow(args.plan)} is a ${PlanFile.kindOf(saved.value.plan)} plan: apply it with ${$} apply ${
            quote(Option.getOrThrow(args.plan))
          }`
        )
      )
    }
    if (Option.isSome(saved) && saved.value.baseUrl.replace(/\/+$/, "") !== client.baseUrl) {
      return yield* Effect.fail(
        Cli.usage(
          `${
            Option.getOrThrow(args.plan)
          } was planned against ${saved.value.baseUrl}, but this run targets ${client.baseUrl}: plan again against this API`
        )
      )
    }
    // --job-id alone: the spec the job was started with, from the journal
    const journaled = fromJournal
      ? yield* Effect.flatMap(Journal.Journal, (j) => j.get(Option.getOrThrow(args.jobId))).pipe(Effect.provide(journalLayer(args.journal)))
      : Option.none()
    if (fromJournal && (Option.isNone(journaled) || journaled.value.kind !== "org")) {
      return yield* Effect.fail(Cli.usage(
        Option.isNone(journaled)
          ? `no job ${Option.getOrThrow(args.jobId)} in the journal: give the organisation file with -f FILE`
          : `job ${Option.getOrThrow(args.jobId)} is a ${journaled.value.kind} job: resume it with the command that started it`
      ))
    }
    const spec = Option.isSome(args.file)
      ? yield* readSpec(args.file.value)
      : Option.isSome(journaled)
      ? yield* OrgSpec.decode(journaled.value.spec, `job ${journaled.value.id}`)
      : undefined
    yield* Console.error(`target: ${describeTarget(client.baseUrl)}`)
    yield* checkManagementKey
    const jobId = Option.getOrElse(args.jobId, () => Engine.newJobId("org"))
    const events = yield* PubSub.unbounded<Engine.JobEvent>({ replay: 10_000 })
    // a second runner on this job refuses (or waits) before it spends time planning
    if (Option.isSome(args.jobId) && !args.dryRun) {
      yield* Engine.checkLease(jobId, { wait: args.wait, events }).pipe(
        Effect.provide(journalLayer(args.journal)),
        Effect.catchAll(phraseJobError(names, "org"))
      )
    }
    const resume = [
      $,
      "org apply",
      ...(Option.isSome(args.plan) ? [quote(args.plan.value)] : Option.isSome(args.file) ? ["-f", quote(args.file.value)] : []),
      "--job-id",
      quote(jobId),
      "--yes",
      ...Option.match(args.journal, { onNone: () => [], onSome: (j) => ["--journal", quote(showTarget(j))] }),
      ...Option.match(connection.baseUrl, { onNone: () => [], onSome: (url) => ["--base-url", quote(url)] })
    ].join(" ")
    yield* Effect.gen(function*() {
      // a saved plan is planned again and restricted to what it had; a file is planned now
      // what the plan reads is shown while it reads
      const readingView = yield* Effect.fork(Progress.reading(events))
      const plan = Option.isSome(saved)
        ? saved.value.plan as OrgPlan.OrgPlan
        : yield* Org.plan(spec!, { ...checked, events }).pipe(Effect.ensuring(Fiber.interrupt(readingView)))
      yield* Fiber.interrupt(readingView)
      if (args.dryRun) {
        if (wantsJson(args.json)) {
          const encoded = yield* Schema.encode(OrgPlan.OrgPlan)(plan).pipe(Effect.orDie)
          yield* Console.log(JSON.stringify({ actions: encoded.actions, notes: plan.notes, totals: OrgPlan.totalsOf(plan) }))
        } else for (const line of Org.describe(plan)) yield* Console.log(line)
        return
      }
      if (Option.isNone(saved) && Org.isEmpty(plan)) {
        for (const line of Org.describe(plan)) yield* Console.error(line)
        return
      }
      if (!args.yes) {
        for (const line of Org.describe(plan)) yield* Console.error(line)
        if ((yield* ask("Apply this plan to the organisation? Type yes to continue: ")) !== "yes") {
          return yield* Effect.fail(Cli.usage("not confirmed: nothing was changed"))
        }
      }
      const drawing = yield* Effect.fork(Progress.progress(events, { target: describeTarget(client.baseUrl) }))
      const writeReport = reportWriter(args.report)
      const report = yield* Org.apply(plan, {
        ...checked,
        jobId,
        events,
        trusted: Option.isNone(saved),
        wait: args.wait,
        onInterrupted: (partial) =>
          Effect.gen(function*() {
            yield* Effect.ignore(writeReport(partial))
            yield* Console.error(`\ninterrupted: what was done is journaled; resume with:\n  ${resume}`)
          })
      }).pipe(Effect.provide(journalLayer(args.journal)))
      yield* Fiber.await(drawing)
      if (Option.getOrUndefined(args.report) !== "-") yield* summary(report, wantsJson(args.json))
      yield* writeReport(report)
      if (report.failed.length > 0) {
        process.exitCode = 1
        yield* Console.error(`${report.failed.length} items failed (listed above); fix them and re-run: ${resume}`)
      }
    }).pipe(Engine.gated({ rate: checked.rate, events }), Effect.catchAll(phraseJobError(names, "org")))
  }))

// --- org schema ---------------------------------------------------------------------------------------

const schemaCommand = Cli.makeLocal("schema", {
  config: {},
  summary: "the JSON Schema of the organisation file, for editors",
  examples: [[`${$} org schema > org.schema.json`, "then `# yaml-language-server: $schema=org.schema.json` atop org.yaml"]]
}, () => Console.log(JSON.stringify(OrgSpec.jsonSchema(), null, 2)))

/** The organisation-as-code subcommands of `org`. */
export const orgAsCode = [exportCommand, planCommand, applyCommand, schemaCommand] as const
