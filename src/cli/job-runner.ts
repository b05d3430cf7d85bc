/**
 * Running a job from the command line, the same for every kind: build the spec from flags (or the
 * journal, on `--job-id`), check the key is a management key, plan once (showing what it reads), show or
 * save the plan, ask before a destructive change, then apply that plan with progress, a summary whose
 * counts add up, and the exit code that says how it went. The engine's and journal's faults are
 * phrased here in flag terms (exit 2, before any change).
 */
import { Console, Effect, Fiber, Layer, Option, PubSub } from "effect"
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { Counts, Engine, Journal, PlanFile, Specs } from "../jobs/index.ts"
import { describeUsers } from "../jobs/Offboarding.ts"
import type * as OrgPlan from "../jobs/OrgPlan.ts"
import { OpenRouterClient } from "../OpenRouterClient.ts"
import { ask, interactive } from "./common.ts"
import { usage, UsageError } from "./errors.ts"
import { definitionOf, definitions, type JobKind } from "./job-definitions.ts"
import * as Progress from "./progress.ts"
import { type Connection, describeTarget, wantsJson } from "./runtime.ts"

/** What the job commands' common flags parse to. */
export interface RunFlags {
  readonly dryRun: boolean
  readonly out: Option.Option<string>
  readonly yes: boolean
  readonly wait: boolean
  readonly concurrency: number
  readonly rate: number
  readonly journal: Option.Option<string>
  readonly jobId: Option.Option<string>
  readonly report: Option.Option<string>
  readonly json: boolean
}

/** How the CLI names a job kind: its command, and the flag of each spec field (for messages). */
export interface JobNames {
  readonly command: (kind: JobKind) => string
  readonly flags: (kind: JobKind) => Readonly<Record<string, string>>
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)

// --- the journal ----------------------------------------------------------------------------------------

/** `--journal`, else `$OPENROUTER_JOURNAL`, else `.openrouter-effect/journal.sqlite`. */
export const journalTarget = (flag: Option.Option<string>) => Option.getOrElse(flag, () => process.env.OPENROUTER_JOURNAL || Journal.defaultPath())

/** The journal at a target: a `postgres://` URL or a SQLite file. */
/** Is there a journal to read (a dry run opens none that does not exist yet)? */
const journalExists = (flag: Option.Option<string>) => {
  const target = journalTarget(flag)
  return Journal.isPgUrl(target) || existsSync(target)
}

export const journalLayer = (flag: Option.Option<string>) => Journal.layerFor(journalTarget(flag))

/** `postgres://user:secret@host/db` without the password, for messages and resume commands. */
export const showTarget = (target: string) => (Journal.isPgUrl(target) ? Journal.displayUrl(target) : target)

// --- phrasing the engine's and journal's faults ---------------------------------------------------------

const tagOf = (error: unknown) => (typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : undefined)

/**
 * A library message in flag terms: a spec field's issue (`workspaces.0: …`) with the flags that set the
 * field (`--workspace (entry 1): …`); `allKeys: true` as `--all-keys`; a list of fields `(orphaned,
 * expired, overLimit)` as their flags; any other camelCase field named (`minSize (3)`) as its flag.
 */
export const inFlagTerms = (flags: Readonly<Record<string, string>>, issue: string) => {
  const flag = (field: string) => (Object.hasOwn(flags, field) ? flags[field]! : undefined)
  return issue.replace(
    /(^|; )([A-Za-z]+)((?:\.\d+)?)(?:\.[A-Za-z]+)*: /g,
    (_, start, field, index) => `${start}${flag(field) ?? field}${index ? ` (entry ${Number(index.slice(1)) + 1})` : ""}: `
  )
    // an older message that named the flag itself
    .replace(/\b([a-zA-Z]+): true \((--[a-z-]+)\)/g, "$2")
    .replace(/\b([a-zA-Z]+): true\b/g, (whole, field) => flag(field) ?? whole)
    .replace(/\(([a-zA-Z]+(?:, [a-zA-Z]+)*)(, …)?\)/g, (whole, list: string, more = "") => {
      const fields = list.split(", ")
      return fields.every((f) => flag(f) !== undefined) ? `(${fields.map(flag).join(", ")}${more})` : whole
    })
    .replace(/(^|[^\w-])([a-z]+[A-Z][A-Za-z]*)\b/g, (whole, before, field) => (flag(field) ? `${before}${flag(field)}` : whole))
}

/** The differences of a resume conflict (`workspaces: saved …, given …`) with flag names. */
export const resumeConflictMessage = (
  names: JobNames,
  conflict: { readonly jobId: string; readonly savedKind: string; readonly kind: string; readonly differences: ReadonlyArray<string> }
) => {
  if (conflict.savedKind !== conflict.kind) {
    const saved = conflict.savedKind as JobKind
    const command = Object.hasOwn(definitions, saved) ? names.command(saved) : conflict.savedKind
    return `job ${conflict.jobId} is a ${conflict.savedKind} job, not ${conflict.kind}: resume it with \`openrouter-admin ${command} --job-id ${
      quote(conflict.jobId)
    }\``
  }
  const flags = names.flags(conflict.kind as JobKind)
  const differences = conflict.differences.map((d) => inFlagTerms(flags, d).replace(/: saved /, " was "))
  return `job ${conflict.jobId} was started with another selection (${differences.join("; ")}): ` +
    `resume it with --job-id alone (its saved selection), or start a new job without --job-id`
}

const when = (iso: string | number | undefined) => (iso === undefined ? "?" : new Date(iso).toISOString().replace("T", " ").slice(0, 19) + " UTC")

/**
 * The journal's and engine's typed faults as the CLI says them (exit 2 for all: nothing was changed).
 * Anything else is passed on as it is.
 */
export const phraseJobError = (names: JobNames, kind: JobKind) => (error: unknown): Effect.Effect<never, unknown> => {
  const e = error as Record<string, any>
  switch (tagOf(error)) {
    case "LeaseHeldError": {
      const holder = e.holder ?? {}
      return Effect.fail(usage(
        `job ${e.jobId} is being applied by another runner: pid ${holder.pid} on ${holder.host}, since ${when(holder.startedAt)}` +
          `${e.renewedAt ? ` (last seen ${when(e.renewedAt)})` : ""}. Nothing was changed. ` +
          `Wait for it to finish with --wait, or look at it with \`openrouter-admin jobs show ${quote(String(e.jobId))}\``
      ))
    }
    case "JournalError":
      return Effect.fail(usage(`journal ${e.target}: ${e.reason}${e.hint ? `. ${e.hint}` : ""}. Nothing was changed`))
    case "ResumeConflictError":
      return Effect.fail(usage(resumeConflictMessage(names, e as any)))
    case "PruneLimitError":
      return Effect.fail(usage((error as OrgPlan.PruneLimitError).describeWith("--max-removals")))
    case "InvalidRequestError":
      return Effect.fail(usage(`${kind}: ${inFlagTerms(names.flags(kind), String(e.issue ?? e.message))}`))
    default:
      return Effect.fail(error)
  }
}

// --- printing -------------------------------------------------------------------------------------------

/** Write `text` to `path`, creating its directory; a failure is a usage error naming the file. */
export const writeText = (path: string, text: string) =>
  Effect.try({
    try: () => {
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, text)
    },
    catch: (error) => usage(`cannot write ${path}: ${(error as Error).message}`)
  })

/** `--report FILE` (the whole report as JSON; `-` prints it on stdout), or nothing without the flag. */
export const reportWriter = (report: Option.Option<string>) => (value: Engine.JobReport) =>
  Option.match(report, {
    onNone: () => Effect.void,
    onSome: (path) =>
      path === "-"
        ? Console.log(JSON.stringify(value))
        : Effect.zipRight(writeText(path, JSON.stringify(value, null, 2)), Console.error(`report: ${path}`))
  })

/** The report's counts as lines, one per unit (memberships, keys, …), each split by outcome; they add up to the items. */
export const totalsLines = (report: Engine.JobReport): Array<string> => Counts.lines(report.items).map((line) => `  ${line}`)

const unitOf = (kind: string) => (Object.hasOwn(definitions, kind) ? definitions[kind as JobKind].unit : "items")

/**
 * What a run did: counts and the failed items. As JSON (piped), one small document — the report with
 * every item goes to `--report` — so piping a 10,000-user onboarding does not print megabytes.
 */
export const summary = (report: Engine.JobReport, asJson: boolean) =>
  Effect.gen(function*() {
    if (asJson) {
      const { durationMs, jobId, kind, rateLimited, requests, status, totals } = report
      const failed = report.failed.map((item) => ({ ...item }))
      // not due yet (a rotated key's grace): what, and until when
      const waiting = report.items.filter((item) => item.outcome === "waiting").map((item) => ({ ...item }))
      return yield* Console.log(JSON.stringify({
        jobId,
        kind,
        status,
        unit: unitOf(kind),
        totals,
        requests,
        rateLimited,
        durationMs,
        failed,
        ...(waiting.length > 0 ? { waiting } : {})
      }))
    }
    yield* Console.log(
      `\n${report.kind} ${report.jobId}${
        report.status === "interrupted" ? " (interrupted)" : ""
      }: ${report.requests} requests (${report.rateLimited} rate-limited) in ${(report.durationMs / 1000).toFixed(1)} s`
    )
    for (const line of totalsLines(report)) yield* Console.log(line)
    if (report.kind === "offboarding") {
      const users = describeUsers(report)
      if (users.length > 0) yield* Console.log(`per user:\n${users.join("\n")}`)
    }
    for (const item of report.failed) yield* Console.log(`  failed: ${item.kind} ${item.key} (${item.action}): ${item.reason ?? ""}`)
    for (const item of report.items.filter((i) => i.outcome === "waiting")) {
      yield* Console.log(`  waiting: ${item.kind} ${item.key} (${item.action}): ${item.reason ?? ""}`)
    }
  })

// --- running --------------------------------------------------------------------------------------------

/** The exact command that resumes a job (never the API key). */
export const resumeCommand = (
  command: string,
  jobId: string,
  options: { readonly confirm: boolean; readonly journal: Option.Option<string>; readonly baseUrl: Option.Option<string> }
) =>
  [
    "openrouter-admin",
    command,
    "--job-id",
    quote(jobId),
    ...(options.confirm ? ["--yes"] : []),
    ...Option.match(options.journal, { onNone: () => [], onSome: (path) => ["--journal", quote(showTarget(path))] }),
    ...Option.match(options.baseUrl, { onNone: () => [], onSome: (url) => ["--base-url", quote(url)] })
  ].join(" ")

/** Print which API this talks to (before anything else happens). */
const announceTarget = Effect.flatMap(OpenRouterClient, (client) => Console.error(`target: ${describeTarget(client.baseUrl)}`))

/**
 * `GET /key` once, before planning: a key that is not a management key (or that the API refuses) is a
 * configuration problem, exit 2, with what to do.
 */
export const checkManagementKey = Engine.requireManagementKey.pipe(
  Effect.catchTags({
    ManagementKeyRequiredError: (error) => Effect.fail(usage(error.message)),
    UnauthorizedResponseError: (error) =>
      Effect.fail(usage(`the API refused the configured key (${error.serverMessage}): check OPENROUTER_API_KEY (or --api-key-file)`))
  })
)

/** `--concurrency` and `--rate`, by the engine's one rule, in flag terms. */
const checkOptions = (flags: RunFlags) =>
  Engine.checkOptions(flags).pipe(
    Effect.mapError((e) => usage(`--${e.issue}`))
  )

export interface RunOptions {
  readonly kind: JobKind
  readonly names: JobNames
  /** The spec from flags (encoded), or none when only `--job-id` was given. */
  readonly given: Effect.Effect<Option.Option<unknown>, unknown>
  /** Plan only (`keys audit`): never applies. */
  readonly planOnly?: boolean
}

/**
 * Build the spec (from flags, or the journal when `--job-id` names a saved job), plan once under the
 * job's rate gate, then print/save the plan or apply it.
 */
export const runJob = (flags: RunFlags, connection: Connection, options: RunOptions) =>
  Effect.gen(function*() {
    const { kind, names } = options
    const definition = definitionOf(kind)
    const phrase = phraseJobError(names, kind)
    yield* checkOptions(flags)
    const planOnly = options.planOnly === true || flags.dryRun || Option.isSome(flags.out)
    const given = yield* options.given
    if (definition.destructive && !planOnly && !flags.yes && !interactive()) {
      return yield* Effect.fail(usage(
        `${kind} changes your organisation and there is no terminal to confirm on: look at the plan with --dry-run, then pass --yes`
      ))
    }
    // flags that do not make a valid spec are said before anything is sent
    const fromFlags = Option.isSome(given)
      ? Option.some(yield* Specs.decode(definition.spec, kind)(given.value).pipe(Effect.catchAll(phrase)))
      : Option.none()
    yield* announceTarget
    yield* checkManagementKey
    // the journal is opened only to apply (a dry run or a refused key leaves no file), and before the
    // plan's reads: a journal that cannot be used is said now
    const journal = yield* Layer.memoize(journalLayer(flags.journal))
    if (!planOnly) yield* Effect.provide(Journal.Journal, journal).pipe(Effect.catchAll(phrase))
    const jobId = Option.getOrElse(flags.jobId, () => Engine.newJobId(kind))
    // a resume: the engine's check (the same kind; flags given with it must make the same spec), before
    // anything is read; without flags it plans the saved spec
    const saved = Option.isSome(flags.jobId) && !planOnly
      ? yield* Engine.checkResume(jobId, kind, Option.getOrUndefined(fromFlags)).pipe(Effect.provide(journal), Effect.catchAll(phrase))
      : Option.none()
    const spec = Option.isSome(fromFlags)
      ? fromFlags.value
      : yield* Specs.decode(definition.spec, kind)(Option.match(saved, { onNone: () => ({}), onSome: (job) => job.spec })).pipe(
        Effect.catchAll(phrase)
      )
    // replayed to a progress view that subscribes a moment after the job starts publishing
    const events = yield* PubSub.unbounded<Engine.JobEvent>({ replay: 10_000 })
    const client = yield* OpenRouterClient
    // what the plan reads is shown while it reads (on a terminal, or a line every few seconds in a log)
    const reading = yield* Effect.fork(Progress.reading(events))
    // another runner applying this job: refused now (or waited for, --wait), before anything is read
    if (Option.isSome(flags.jobId) && !planOnly) {
      yield* Engine.checkLease(jobId, { wait: flags.wait, events }).pipe(Effect.provide(journal), Effect.catchAll(phrase))
    }
    // one gate for the whole run: plan reads and changes share --rate
    yield* Effect.gen(function*() {
      // with a job id the plan may read what earlier runs of it did (key rotation: what is rotated, what is due)
      const withJob = Option.isSome(flags.jobId) && (!planOnly || journalExists(flags.journal))
      const planning = definition.plan(spec, {
        concurrency: flags.concurrency,
        rate: flags.rate,
        events,
        ...(withJob ? { jobId: Option.getOrThrow(flags.jobId) } : {})
      })
      const plan = yield* Effect.onInterrupt(
        withJob ? Effect.provide(planning, journal) : planning,
        () => Console.error(`\ninterrupted while planning: nothing was changed; run the same command again`)
      ).pipe(Effect.ensuring(Fiber.interrupt(reading)))
      if (planOnly) return yield* showPlan(flags, plan)
      yield* execute(flags, plan, {
        kind,
        jobId,
        trusted: true,
        events,
        target: describeTarget(client.baseUrl),
        resume: resumeCommand(names.command(kind), jobId, { confirm: definition.destructive, journal: flags.journal, baseUrl: connection.baseUrl })
      }).pipe(Effect.provide(journal))
    }).pipe(Engine.gated({ rate: flags.rate, events }), Effect.catchAll(phrase))
  }).pipe(Effect.scoped)

/** `--dry-run` / `--out`: the plan for a person (or JSON), and the plan file. */
const showPlan = (flags: Pick<RunFlags, "json" | "out">, plan: PlanFile.AnyPlan) =>
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
    if (wantsJson(flags.json)) yield* Console.log(JSON.stringify(JSON.parse(text)))
    else yield* Effect.forEach(describePlanOf(plan), (line) => Console.log(line), { discard: true })
    if (Option.isSome(flags.out)) {
      yield* writeText(flags.out.value, text)
      yield* Console.error(`plan saved to ${flags.out.value}; apply exactly this plan with: openrouter-admin apply ${quote(flags.out.value)}`)
    }
  })

/** The plan's lines; where a plan says its whole list is in the plan document, the CLI names the flags that write it. */
const describePlanOf = (plan: PlanFile.AnyPlan) =>
  definitionOf(PlanFile.kindOf(plan)).describe(plan).map((line) => line.replace(/\bin the plan document\)/, "in --json and --out)"))
const isEmptyPlanOf = (plan: PlanFile.AnyPlan) => definitionOf(PlanFile.kindOf(plan)).isEmpty(plan)

/**
 * Apply a plan: ask first when it is destructive (a typed `yes`, unless `--yes`), then run it with
 * progress, print the summary, write the report, and set the exit code. Interrupted, write the
 * partial report and print the command that resumes it.
 */
export const execute = (
  flags: RunFlags,
  plan: PlanFile.AnyPlan,
  options: {
    readonly kind: JobKind
    readonly jobId: string
    readonly trusted: boolean
    readonly resume: string
    readonly target: string
    readonly events: PubSub.PubSub<Engine.JobEvent>
  }
) =>
  Effect.gen(function*() {
    const definition = definitionOf(options.kind)
    if (definition.destructive && !flags.yes && !isEmptyPlanOf(plan)) {
      yield* Effect.forEach(describePlanOf(plan), (line) => Console.error(line), { discard: true })
      if ((yield* ask(`Apply this ${options.kind} plan? Type yes to continue: `)) !== "yes") {
        return yield* Effect.fail(usage("not confirmed: nothing was changed"))
      }
    }
    const asJson = wantsJson(flags.json)
    const reportToStdout = Option.getOrUndefined(flags.report) === "-"
    const writeReport = reportWriter(flags.report)
    const drawing = yield* Effect.fork(Progress.progress(options.events, { target: options.target }))
    const report = yield* definition.apply(plan, {
      jobId: options.jobId,
      concurrency: flags.concurrency,
      rate: flags.rate,
      events: options.events,
      trusted: options.trusted,
      wait: flags.wait,
      onInterrupted: (partial) =>
        Effect.gen(function*() {
          yield* Effect.ignore(writeReport(partial))
          const settled = partial.items.filter((i) => i.outcome !== "skipped")
          yield* Console.error(`\ninterrupted: ${Counts.phrase(settled)} settled and journaled; resume with:\n  ${options.resume}`)
        })
    })
    yield* Fiber.await(drawing)
    if (!reportToStdout) yield* summary(report, asJson)
    yield* writeReport(report)
    if (report.failed.length > 0) {
      process.exitCode = 1
      yield* Console.error(`${Counts.phrase(report.failed)} failed (listed above); fix them and re-run: ${options.resume}`)
    }
  })

export { UsageError }
