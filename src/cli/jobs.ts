/**
 * Job commands: `onboard`, `offboard`, `budgets apply`, `files cleanup`, `apply PLAN.json` and
 * `jobs list|show` (`keys audit|disable` in `keys-jobs.ts`). Each builds the job's spec from flags (or
 * the journal, on resume), checks the key is a management key, plans once, shows or saves the plan,
 * asks before a destructive change, then applies that plan with progress.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Layer, Option, PubSub } from "effect"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { createInterface } from "node:readline"
import type { Files } from "../Files.ts"
import type { Guardrails } from "../Guardrails.ts"
import { BudgetPolicy, Engine, FileCleanup, Journal, KeyHygiene, Offboarding, Onboarding, PlanFile, Specs, UsersFile } from "../jobs/index.ts"
import type { Keys } from "../Keys.ts"
import { OpenRouterClient } from "../OpenRouterClient.ts"
import type { Organization } from "../Organization.ts"
import type { Workspaces } from "../Workspaces.ts"
import { describePlan, describeUsers, isEmptyPlan } from "./plan-text.ts"
import * as Progress from "./progress.ts"
import { connection, describeTarget, handled, json, servicesLayer, UsageError, wantsJson } from "./runtime.ts"

export const common = {
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("print the plan (JSON with --json); change nothing")),
  out: Options.text("out").pipe(
    Options.withDescription("save the plan to this file and change nothing; apply it later with `openrouter-admin apply FILE`"),
    Options.optional
  ),
  yes: Options.boolean("yes").pipe(Options.withDescription("apply without asking (required when there is no terminal)")),
  concurrency: Options.integer("concurrency").pipe(Options.withDescription("requests in flight at once, ≥ 1"), Options.withDefault(4)),
  rate: Options.float("rate").pipe(Options.withDescription("requests per second, ≥ 1 (plan reads included)"), Options.withDefault(10)),
  journal: Options.text("journal").pipe(Options.withDescription("journal file (default .openrouter-effect/journal.sqlite)"), Options.optional),
  jobId: Options.text("job-id").pipe(Options.withDescription("resume this job with its saved selection"), Options.optional),
  report: Options.text("report").pipe(
    Options.withDescription("write the full report (every item) as JSON here; - prints it on stdout instead of the summary"),
    Options.optional
  ),
  json
}
export const workspaceList = Options.text("workspace").pipe(
  Options.withDescription("workspace id, slug or glob such as 'team-*' (repeatable); each must match"),
  Options.repeated
)

export type CommonArgs = {
  readonly dryRun: boolean
  readonly out: Option.Option<string>
  readonly yes: boolean
  readonly concurrency: number
  readonly rate: number
  readonly journal: Option.Option<string>
  readonly jobId: Option.Option<string>
  readonly report: Option.Option<string>
  readonly json: boolean
  readonly apiKey: Option.Option<any>
  readonly baseUrl: Option.Option<string>
}

/** Users from a users file (CSV or one per line); kept for scripts: throws on a bad file. */
export const readUsers = (path: string): Array<string> => Effect.runSync(UsersFile.read(path).pipe(Effect.orDieWith((e) => new Error(e.message))))

// --- progress and summary -----------------------------------------------------------------------------

/** Draw progress from the job's events on stderr (kept for scripts; the renderer is `./progress.ts`). */
export const progress = (events: PubSub.PubSub<Engine.JobEvent>) => Progress.progress(events)

/**
 * What a run did: counts and the failed items. As JSON (piped), one small document — the report with
 * every item goes to `--report` — so piping a 10,000-user onboarding does not print megabytes.
 */
export const summary = (report: Engine.JobReport, asJson: boolean) =>
  Effect.gen(function*() {
    if (asJson) {
      const { durationMs, jobId, kind, rateLimited, requests, status, totals } = report
      const failed = report.failed.map((item) => ({ ...item }))
      return yield* Console.log(JSON.stringify({ jobId, kind, status, totals, requests, rateLimited, durationMs, failed }))
    }
    yield* Console.log(
      `\n${report.kind} ${report.jobId}${
        report.status === "interrupted" ? " (interrupted)" : ""
      }: ${report.requests} requests (${report.rateLimited} rate-limited) in ${(report.durationMs / 1000).toFixed(1)} s`
    )
    for (const [outcome, count] of Object.entries(report.totals)) yield* Console.log(`  ${outcome.padEnd(14)} ${count}`)
    if (report.kind === "offboarding") {
      const users = describeUsers(report)
      if (users.length > 0) yield* Console.log(`per user:\n${users.join("\n")}`)
    }
    for (const item of report.failed) yield* Console.log(`  failed: ${item.kind} ${item.key} (${item.action}): ${item.reason ?? ""}`)
  })

// --- running a job ------------------------------------------------------------------------------------

const commandOf: Record<Specs.JobKind, string> = {
  "onboarding": "onboard",
  "offboarding": "offboard",
  "budget-policy": "budgets apply",
  "file-cleanup": "files cleanup",
  "key-hygiene": "keys disable"
}
const destructive = (kind: Specs.JobKind) => kind !== "onboarding"
const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)

/** The exact command that resumes a job (never the API key). */
const resumeCommand = (args: CommonArgs, command: string, jobId: string, confirm: boolean) =>
  [
    "openrouter-admin",
    command,
    "--job-id",
    quote(jobId),
    ...(confirm ? ["--yes"] : []),
    ...Option.match(args.journal, { onNone: () => [], onSome: (path) => ["--journal", quote(path)] }),
    ...Option.match(args.baseUrl, { onNone: () => [], onSome: (url) => ["--base-url", quote(url)] })
  ].join(" ")

/** Spec field → the flags that set it, so decode messages name what the user typed. */
const flagOf: Record<string, string> = {
  users: "--user/--users-file",
  workspaces: "--workspace",
  ensureWorkspaces: "--ensure-workspaces",
  budgets: "--daily/--weekly/--monthly/--lifetime",
  olderThan: "--older-than",
  createdBefore: "--created-before",
  name: "--name",
  mimeType: "--mime",
  minSize: "--min-size",
  maxSize: "--max-size",
  downloadable: "--downloadable",
  keys: "--delete-keys",
  guardrail: "--guardrail",
  orphaned: "--orphaned",
  expired: "--expired",
  overLimit: "--over-limit",
  label: "--label",
  allKeys: "--all-keys",
  action: "--delete"
}
const inFlagTerms = (issue: string) =>
  issue.replace(
    /(^|; )([A-Za-z]+)((?:\.\d+)?)(?:\.[A-Za-z]+)*: /g,
    (_, start, field, index) => `${start}${flagOf[field] ?? field}${index ? ` (entry ${Number(index.slice(1)) + 1})` : ""}: `
  )
    .replace("all: true (--all)", "--all")
    .replace("allKeys: true (--all-keys)", "--all-keys")

const checkCommon = (args: CommonArgs) =>
  Effect.gen(function*() {
    if (!(args.concurrency >= 1)) return yield* Effect.fail(new UsageError(`--concurrency must be ≥ 1 (got ${args.concurrency})`))
    if (!(args.rate >= 1) || !Number.isFinite(args.rate)) {
      return yield* Effect.fail(new UsageError(`--rate must be ≥ 1 request per second (got ${args.rate})`))
    }
  })

const interactive = () => Boolean(process.stdin.isTTY && process.stderr.isTTY)

/** Ask for a typed `yes` on the terminal. */
const confirm = (question: string) =>
  Effect.async<boolean>((resume) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    rl.question(question, (answer) => {
      rl.close()
      resume(Effect.succeed(answer.trim() === "yes"))
    })
    return Effect.sync(() => rl.close())
  })

type Services = Workspaces | Organization | Files | Keys | Guardrails

/** Plan a decoded spec (its reads under the current job's gate). */
const planOf = (spec: Specs.JobSpec, options: { concurrency: number; rate: number }): Effect.Effect<PlanFile.AnyPlan, unknown, Services> => {
  switch (spec.kind) {
    case "onboarding":
      return Onboarding.plan(spec, options)
    case "offboarding":
      return Offboarding.plan(spec, options)
    case "budget-policy":
      return BudgetPolicy.plan(spec, options)
    case "file-cleanup":
      return FileCleanup.plan(spec, options)
    case "key-hygiene":
      return KeyHygiene.plan(spec, options)
  }
}

const applyOf = (plan: PlanFile.AnyPlan, options: Engine.ApplyOptions & { trusted: boolean }) => {
  switch (plan._tag) {
    case "OnboardingPlan":
      return Onboarding.apply(plan, options)
    case "OffboardingPlan":
      return Offboarding.apply(plan, options)
    case "BudgetPolicyPlan":
      return BudgetPolicy.apply(plan, options)
    case "FileCleanupPlan":
      return FileCleanup.apply(plan, options)
    case "KeyHygienePlan":
      return KeyHygiene.apply(plan, options)
  }
}

const writeJson = (path: string, text: string) =>
  Effect.try({
    try: () => {
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, text)
    },
    catch: (error) => new UsageError(`cannot write ${path}: ${(error as Error).message}`)
  })

const printPlan = (plan: PlanFile.AnyPlan, print: (line: string) => Effect.Effect<void>) =>
  Effect.forEach(describePlan(plan), (line) => print(line), { discard: true })

/**
 * Apply a plan: ask first when it is destructive (a typed `yes`, unless `--yes`), then run it with
 * progress, print the summary, write the report, and set the exit code. Interrupted, write the
 * partial report and print the command that resumes it.
 */
const execute = (
  args: CommonArgs,
  plan: PlanFile.AnyPlan,
  options: { readonly jobId: string; readonly trusted: boolean; readonly resume: string; readonly events: PubSub.PubSub<Engine.JobEvent> }
) =>
  Effect.gen(function*() {
    const kind = PlanFile.kindOf(plan)
    if (destructive(kind) && !args.yes && !isEmptyPlan(plan)) {
      yield* printPlan(plan, Console.error)
      if (!(yield* confirm(`Apply this ${kind} plan? Type yes to continue: `))) {
        return yield* Effect.fail(new UsageError("not confirmed: nothing was changed"))
      }
    }
    const asJson = wantsJson(args.json)
    const reportToStdout = Option.getOrUndefined(args.report) === "-"
    const writeReport = (report: Engine.JobReport) =>
      Option.match(args.report, {
        onNone: () => Effect.void,
        onSome: (path) =>
          path === "-"
            ? Console.log(JSON.stringify(report))
            : Effect.zipRight(writeJson(path, JSON.stringify(report, null, 2)), Console.error(`report: ${path}`))
      })
    const client = yield* OpenRouterClient
    const drawing = yield* Effect.fork(Progress.progress(options.events, { target: describeTarget(client.baseUrl) }))
    const report = yield* applyOf(plan, {
      jobId: options.jobId,
      concurrency: args.concurrency,
      rate: args.rate,
      events: options.events,
      trusted: options.trusted,
      onInterrupted: (partial) =>
        Effect.gen(function*() {
          yield* Effect.ignore(writeReport(partial))
          const settled = partial.items.filter((i) => i.outcome !== "skipped").length
          yield* Console.error(`\ninterrupted: ${settled} items settled and journaled; resume with:\n  ${options.resume}`)
        })
    })
    yield* drawing.await
    if (!reportToStdout) yield* summary(report, asJson)
    yield* writeReport(report)
    if (report.failed.length > 0) {
      process.exitCode = 1
      yield* Console.error(`${report.failed.length} items failed (listed above); fix them and re-run: ${options.resume}`)
    }
  })

/** Print which API this talks to (before anything else happens). */
const announceTarget = Effect.flatMap(OpenRouterClient, (client) => Console.error(`target: ${describeTarget(client.baseUrl)}`))

/**
 * `GET /key` once, before planning: a key that is not a management key (or that the API refuses) is a
 * configuration problem, exit 2, with what to do.
 */
export const checkManagementKey = Engine.requireManagementKey.pipe(
  Effect.catchTags({
    ManagementKeyRequiredError: (error) => Effect.fail(new UsageError(error.message)),
    UnauthorizedResponseError: (error) =>
      Effect.fail(new UsageError(`the API refused the configured key (${error.serverMessage}): check OPENROUTER_API_KEY (or --api-key)`))
  })
)

const journalLayer = (args: Pick<CommonArgs, "journal">) => Journal.layer(Option.getOrElse(args.journal, Journal.defaultPath))

/**
 * Build the spec (from flags, or the journal when `--job-id` names a saved job), plan once under the
 * job's rate gate, then print/save the plan or apply it.
 */
export const runJob = <E>(
  args: CommonArgs,
  kind: Specs.JobKind,
  fromFlags: Effect.Effect<Option.Option<unknown>, E>
) =>
  handled(
    Effect.gen(function*() {
      yield* checkCommon(args)
      const planOnly = args.dryRun || Option.isSome(args.out)
      const given = yield* fromFlags
      if (destructive(kind) && !planOnly && !args.yes && !interactive()) {
        return yield* Effect.fail(
          new UsageError(`${kind} changes your organisation and there is no terminal to confirm on: look at the plan with --dry-run, then pass --yes`)
        )
      }
      // the journal is opened only when a job id is looked up or a plan is applied (a dry run leaves no file)
      const journal = yield* Layer.memoize(journalLayer(args))
      const saved = Option.isSome(args.jobId)
        ? yield* Effect.provide(Effect.flatMap(Journal.Journal, (j) => j.get(Option.getOrThrow(args.jobId))), journal)
        : Option.none()
      let raw: unknown
      if (Option.isSome(saved)) {
        if (saved.value.kind !== kind) {
          return yield* Effect.fail(
            new UsageError(
              `job ${saved.value.id} is a ${saved.value.kind} job, not ${kind}: resume it with \`openrouter-admin ${
                commandOf[saved.value.kind as Specs.JobKind] ?? saved.value.kind
              } --job-id ${saved.value.id}\``
            )
          )
        }
        raw = saved.value.spec
        if (Option.isSome(given)) {
          const normalized = Specs.encode(
            yield* Specs.decode(Specs.specOf[kind], kind)(given.value).pipe(
              Effect.mapError((e) => new UsageError(inFlagTerms(e.issue)))
            ) as Effect.Effect<Specs.JobSpec, UsageError>
          )
          const differs = Specs.differences(saved.value.spec, normalized)
          if (differs.length > 0) {
            return yield* Effect.fail(
              new UsageError(
                `job ${saved.value.id} was started with another selection: ${
                  differs.join("; ")
                }. Resume it with --job-id alone, or start a new job without --job-id`
              )
            )
          }
        }
      } else {
        raw = Option.getOrElse(given, () => ({}))
      }
      const spec = (yield* Specs.decode(Specs.specOf[kind], kind)(raw).pipe(
        Effect.mapError((e) => new UsageError(`${kind}: ${inFlagTerms(e.issue)}`))
      )) as Specs.JobSpec
      yield* announceTarget
      yield* checkManagementKey
      const jobId = Option.getOrElse(args.jobId, () => Engine.newJobId(kind))
      // replayed to a progress view that subscribes a moment after the job starts publishing
      const events = yield* PubSub.unbounded<Engine.JobEvent>({ replay: 10_000 })
      // one gate for the whole run: plan reads and changes share --rate
      yield* Effect.gen(function*() {
        const plan: PlanFile.AnyPlan = yield* Effect.onInterrupt(
          planOf(spec, args),
          () => Console.error(`\ninterrupted while planning: nothing was changed; run the same command again`)
        )
        if (planOnly) return yield* showPlan(args, plan)
        yield* execute(args, plan, {
          jobId,
          trusted: true,
          events,
          resume: resumeCommand(args, commandOf[kind], jobId, destructive(kind))
        }).pipe(Effect.provide(journal))
      }).pipe(Engine.gated({ rate: args.rate, events }))
    }).pipe(Effect.scoped, Effect.provide(servicesLayer(args)))
  )

/** `--dry-run` / `--out`: the plan for a person (or JSON), and the plan file. */
const showPlan = (args: CommonArgs, plan: PlanFile.AnyPlan) =>
  Effect.gen(function*() {
    const client = yield* OpenRouterClient
    const document = new PlanFile.PlanDocument({
      format: PlanFile.FORMAT,
      version: 1,
      createdAt: new Date().toISOString(),
      baseUrl: client.baseUrl,
      plan
    })
    const text = yield* PlanFile.encode(document)
    if (wantsJson(args.json)) yield* Console.log(JSON.stringify(JSON.parse(text)))
    else yield* printPlan(plan, Console.log)
    if (Option.isSome(args.out)) {
      yield* writeJson(args.out.value, text)
      yield* Console.error(`plan saved to ${args.out.value}; apply exactly this plan with: openrouter-admin apply ${quote(args.out.value)}`)
    }
  })

// --- the commands ---------------------------------------------------------------------------------------

const membershipOptions = {
  usersFile: Options.text("users-file").pipe(
    Options.withDescription("CSV with an email and/or user_id column (`,` `;` or tab), or one user per line"),
    Options.optional
  ),
  user: Options.text("user").pipe(Options.withDescription("user id or e-mail (repeatable)"), Options.repeated),
  workspace: workspaceList
}
type MembershipArgs = { readonly usersFile: Option.Option<string>; readonly user: ReadonlyArray<string>; readonly workspace: ReadonlyArray<string> }

const usersOf = (args: MembershipArgs) =>
  Effect.map(
    Option.match(args.usersFile, { onNone: () => Effect.succeed([] as Array<string>), onSome: UsersFile.read }),
    (fromFile) => [...args.user, ...fromFile]
  )
const membershipGiven = (args: MembershipArgs) => args.user.length > 0 || Option.isSome(args.usersFile) || args.workspace.length > 0

export const onboard = Command.make(
  "onboard",
  {
    ...membershipOptions,
    ensureWorkspaces: Options.boolean("ensure-workspaces").pipe(Options.withDescription("create workspaces that do not exist (by slug)")),
    guardrail: Options.text("guardrail").pipe(
      Options.withDescription("guardrail id to assign to the users of its workspace (one of --workspace) once they are members"),
      Options.optional
    ),
    ...common,
    ...connection
  },
  (args) =>
    runJob(
      args,
      "onboarding",
      Effect.gen(function*() {
        if (!membershipGiven(args) && !args.ensureWorkspaces && Option.isNone(args.guardrail)) return Option.none()
        return Option.some({
          users: yield* usersOf(args),
          workspaces: args.workspace,
          ...(args.ensureWorkspaces ? { ensureWorkspaces: true } : {}),
          ...Option.match(args.guardrail, { onNone: () => ({}), onSome: (guardrail) => ({ guardrail }) })
        })
      })
    )
).pipe(Command.withDescription("add users (ids or e-mails) to workspaces"))

export const offboard = Command.make(
  "offboard",
  {
    ...membershipOptions,
    deleteKeys: Options.boolean("delete-keys").pipe(
      Options.withDescription("delete the users' keys in those workspaces instead of disabling them (irreversible)")
    ),
    ...common,
    ...connection
  },
  (args) =>
    runJob(
      args,
      "offboarding",
      Effect.gen(function*() {
        if (!membershipGiven(args) && !args.deleteKeys) return Option.none()
        return Option.some({ users: yield* usersOf(args), workspaces: args.workspace, ...(args.deleteKeys ? { keys: "delete" } : {}) })
      })
    )
).pipe(
  Command.withDescription(
    "remove users from workspaces: their keys there disabled (or --delete-keys), their guardrails unassigned, then the membership (asks first; --yes to skip)"
  )
)

const budgetOption = (name: string) => Options.float(name).pipe(Options.withDescription(`${name} limit in USD`), Options.optional)
const allOption = (what: string) => Options.boolean("all").pipe(Options.withDescription(what))

export const budgetsApply = Command.make(
  "apply",
  {
    daily: budgetOption("daily"),
    weekly: budgetOption("weekly"),
    monthly: budgetOption("monthly"),
    lifetime: budgetOption("lifetime"),
    workspace: workspaceList,
    all: allOption("every workspace (required when no --workspace is given)"),
    ...common,
    ...connection
  },
  (args) =>
    runJob(
      args,
      "budget-policy",
      Effect.gen(function*() {
        const budgets: Record<string, number> = {}
        for (const interval of Specs.BudgetIntervals) {
          const value = args[interval]
          if (Option.isSome(value)) budgets[interval] = value.value
        }
        const given = Object.keys(budgets).length > 0 || args.workspace.length > 0 || args.all
        if (!given) return Option.none()
        if (args.all && args.workspace.length > 0) {
          return yield* Effect.fail(new UsageError("give either --workspace (names or globs) or --all, not both"))
        }
        if (!args.all && args.workspace.length === 0) {
          return yield* Effect.fail(
            new UsageError(
              "budgets apply without --workspace would change every workspace: name them with --workspace (globs such as 'team-*' work), or pass --all"
            )
          )
        }
        return Option.some({ budgets, workspaces: args.all ? "all" : args.workspace })
      })
    )
).pipe(Command.withDescription("set budgets across workspaces (lifetime > monthly > weekly > daily); asks first"))

export const filesCleanup = Command.make(
  "cleanup",
  {
    workspace: workspaceList,
    olderThan: Options.text("older-than").pipe(Options.withDescription("positive age: 30d, 12h, 90m, 2w"), Options.optional),
    createdBefore: Options.text("created-before").pipe(Options.withDescription("ISO date, e.g. 2025-01-31"), Options.optional),
    name: Options.text("name").pipe(Options.withDescription("filename glob, e.g. '*.tmp'"), Options.optional),
    mime: Options.text("mime").pipe(Options.withDescription("MIME type or glob, e.g. 'text/*'"), Options.optional),
    minSize: Options.integer("min-size").pipe(Options.withDescription("bytes"), Options.optional),
    maxSize: Options.integer("max-size").pipe(Options.withDescription("bytes"), Options.optional),
    all: allOption("every file (required when no filter is given)"),
    ...common,
    ...connection
  },
  (args) =>
    runJob(
      args,
      "file-cleanup",
      Effect.sync(() => {
        const field = <A>(o: Option.Option<A>, key: string) => Option.match(o, { onNone: () => ({}), onSome: (v) => ({ [key]: v }) })
        const spec = {
          ...(args.workspace.length > 0 ? { workspaces: args.workspace } : {}),
          ...field(args.olderThan, "olderThan"),
          ...field(args.createdBefore, "createdBefore"),
          ...field(args.name, "name"),
          ...field(args.mime, "mimeType"),
          ...field(args.minSize, "minSize"),
          ...field(args.maxSize, "maxSize"),
          ...(args.all ? { all: true } : {})
        }
        return Object.keys(spec).length === 0 ? Option.none() : Option.some(spec)
      })
    )
).pipe(Command.withDescription("delete files selected by age, name, type and size (a filter or --all; asks first)"))

/** `apply PLAN.json`: exactly that plan, after checking it against the server. */
export const applyPlan = Command.make(
  "apply",
  { file: Args.text({ name: "PLAN.json" }), ...common, ...connection },
  (args) =>
    handled(
      Effect.gen(function*() {
        yield* checkCommon(args)
        const text = yield* Effect.try({
          try: () => readFileSync(args.file, "utf8"),
          catch: (error) =>
            new UsageError(
              `cannot read the plan ${args.file}: ${
                (error as NodeJS.ErrnoException).code === "EISDIR" ? "it is a directory" : (error as Error).message
              }`
            )
        })
        const document = yield* PlanFile.decode(text).pipe(Effect.mapError((e) => new UsageError(`${args.file} is not a valid plan: ${e.issue}`)))
        const client = yield* OpenRouterClient
        if (document.baseUrl.replace(/\/+$/, "") !== client.baseUrl) {
          return yield* Effect.fail(
            new UsageError(
              `${args.file} was planned against ${document.baseUrl}, but this run targets ${client.baseUrl}: plan again against this API`
            )
          )
        }
        const kind = PlanFile.kindOf(document.plan)
        if (destructive(kind) && !args.yes && !interactive()) {
          return yield* Effect.fail(
            new UsageError(`${kind} changes your organisation and there is no terminal to confirm on: read the plan, then pass --yes`)
          )
        }
        yield* announceTarget
        yield* checkManagementKey
        yield* Console.error(`plan of ${document.createdAt}; it is checked against the server first: what no longer applies is skipped`)
        const jobId = Option.getOrElse(args.jobId, () => Engine.newJobId(kind))
        // replayed to a progress view that subscribes a moment after the job starts publishing
        const events = yield* PubSub.unbounded<Engine.JobEvent>({ replay: 10_000 })
        yield* execute(args, document.plan, {
          jobId,
          trusted: false,
          events,
          resume: resumeCommand(args, `apply ${quote(args.file)}`, jobId, destructive(kind))
        }).pipe(Effect.provide(journalLayer(args)), Engine.gated({ rate: args.rate, events }), Effect.scoped)
      }).pipe(Effect.provide(servicesLayer(args)))
    )
).pipe(Command.withDescription("apply a plan saved with --out, after checking it against the server"))

// --- jobs list / show -----------------------------------------------------------------------------------

const journalOption = { journal: common.journal, json }
const withJournal = (journal: Option.Option<string>) => Journal.layer(Option.getOrElse(journal, Journal.defaultPath))

const jobsList = Command.make("list", journalOption, (args) =>
  handled(
    Effect.gen(function*() {
      const journal = yield* Journal.Journal
      const jobs = yield* journal.list()
      if (wantsJson(args.json)) return yield* Effect.forEach(jobs, (job) => Console.log(JSON.stringify(job)), { discard: true })
      if (jobs.length === 0) return yield* Console.log(`no jobs in ${journal.path}`)
      for (const job of jobs) {
        const ops = Object.entries(job.operations).map(([status, n]) => `${n} ${status}`).join(", ")
        yield* Console.log(`${job.id.padEnd(36)} ${job.kind.padEnd(14)} ${job.status.padEnd(12)} ${job.createdAt}  ${ops}`)
      }
    }).pipe(Effect.provide(withJournal(args.journal)))
  )).pipe(Command.withDescription("jobs in the journal, newest first"))

const jobsShow = Command.make("show", { id: Args.text({ name: "JOB_ID" }), ...journalOption }, (args) =>
  handled(
    Effect.gen(function*() {
      const journal = yield* Journal.Journal
      const job = yield* journal.get(args.id)
      if (Option.isNone(job)) return yield* Effect.fail(new UsageError(`no job ${args.id} in ${journal.path}: see \`openrouter-admin jobs list\``))
      if (wantsJson(args.json)) return yield* Console.log(JSON.stringify(job.value))
      const { createdAt, finishedAt, id, kind, operations, spec, status, updatedAt } = job.value
      yield* Console.log(`job ${id} (${kind}): ${status}`)
      yield* Console.log(`  started ${createdAt}, last run ${updatedAt}${finishedAt ? `, finished ${finishedAt}` : ""}`)
      yield* Console.log(`  operations: ${Object.entries(operations).map(([s, n]) => `${n} ${s}`).join(", ") || "none"}`)
      yield* Console.log(`  spec: ${JSON.stringify(spec)}`)
      if (status !== "finished" && Specs.isJobKind(kind)) {
        yield* Console.log(`  resume: openrouter-admin ${commandOf[kind]} --job-id ${quote(id)}${destructive(kind) ? " --yes" : ""}`)
      }
    }).pipe(Effect.provide(withJournal(args.journal)))
  )).pipe(Command.withDescription("one job: its spec, where it stopped, how to resume"))

export const jobs = Command.make("jobs").pipe(
  Command.withDescription("the job journal: list jobs, show one"),
  Command.withSubcommands([jobsList, jobsShow])
)
