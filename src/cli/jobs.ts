/** Job commands: `onboard`, `offboard`, `budgets apply`, `files cleanup` — plan, then apply with progress. */
import { Command, Options } from "@effect/cli"
import { Console, Duration, Effect, Layer, Option, PubSub, Queue } from "effect"
import { readFileSync, writeFileSync, mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { BudgetPolicy, Engine, FileCleanup, Journal, Offboarding, Onboarding } from "../jobs/index.ts"
import type { Files } from "../Files.ts"
import type { Organization } from "../Organization.ts"
import type { Workspaces } from "../Workspaces.ts"
import { connection, handled, json, servicesLayer, UsageError, wantsJson } from "./runtime.ts"

const common = {
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("print the plan; change nothing")),
  yes: Options.boolean("yes").pipe(Options.withDescription("confirm a destructive job")),
  concurrency: Options.integer("concurrency").pipe(Options.withDefault(4)),
  rate: Options.float("rate").pipe(Options.withDescription("requests per second"), Options.withDefault(10)),
  journal: Options.text("journal").pipe(Options.optional),
  jobId: Options.text("job-id").pipe(Options.withDescription("resume this job"), Options.optional),
  report: Options.text("report").pipe(Options.withDescription("write the report as JSON here"), Options.optional),
  json
}
const workspaceList = Options.text("workspace").pipe(Options.withDescription("workspace id, slug or glob (repeatable)"), Options.repeated)

/** Parse `30d`, `12h`, `90m`, `45s` or any Effect duration ("30 days"). */
export const parseAge = (text: string): Duration.Duration => {
  const short = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim())
  if (short) {
    const n = Number(short[1])
    const unit = { s: "seconds", m: "minutes", h: "hours", d: "days", w: "weeks" }[short[2] as "s"]
    return Duration.decode(`${n} ${unit}` as Duration.DurationInput)
  }
  return Duration.decode(text as Duration.DurationInput)
}

/** Users from a CSV/text file: one per line, or a CSV with an `email` and/or `user_id` column. */
export const readUsers = (path: string): Array<string> => {
  const lines = readFileSync(path, "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
  const header = lines[0]?.toLowerCase().split(",").map((h) => h.trim()) ?? []
  const columns = ["user_id", "email", "id"].map((c) => header.indexOf(c)).filter((i) => i >= 0)
  if (columns.length === 0) return lines.map((l) => l.split(",")[0]!.trim())
  return lines.slice(1).map((line) => {
    const cells = line.split(",").map((c) => c.trim())
    return columns.map((i) => cells[i]).find((c) => c !== undefined && c !== "") ?? ""
  }).filter((u) => u !== "")
}

/** Draw progress from the job's events on stderr: a bar on a TTY, a line every 2 s otherwise. */
export const progress = (events: PubSub.PubSub<Engine.JobEvent>) =>
  Effect.gen(function*() {
    const subscription = yield* PubSub.subscribe(events)
    const tty = Boolean(process.stderr.isTTY)
    let total = 0
    let done = 0
    let failed = 0
    let pausedUntil = 0
    let lastLine = 0
    const started = Date.now()
    const draw = (final = false) => {
      const elapsed = (Date.now() - started) / 1000
      const rate = done / Math.max(elapsed, 0.001)
      const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0
      const pause = pausedUntil > Date.now() ? ` paused ${((pausedUntil - Date.now()) / 1000).toFixed(1)}s for rate limit` : ""
      const text = `${done}/${total} operations, ${failed} failed, ${rate.toFixed(1)}/s, ETA ${eta}s${pause}`
      if (tty) {
        const width = 30
        const filled = total === 0 ? width : Math.round((done / total) * width)
        process.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${text}\x1b[K${final ? "\n" : ""}`)
      } else if (final || Date.now() - lastLine > 2000) {
        lastLine = Date.now()
        process.stderr.write(`progress: ${text}\n`)
      }
    }
    while (true) {
      const event = yield* Queue.take(subscription)
      switch (event._tag) {
        case "Planned":
          total = event.total
          break
        case "Succeeded":
          done++
          break
        case "Failed":
          done++
          failed++
          break
        case "Paused":
          pausedUntil = Math.max(pausedUntil, event.until)
          break
        case "Finished":
          draw(true)
          return
      }
      draw()
    }
  })

export const summary = (report: Engine.JobReport, asJson: boolean) =>
  Effect.gen(function*() {
    if (asJson) return yield* Console.log(JSON.stringify(JSON.parse(JSON.stringify(report))))
    yield* Console.log(`\n${report.kind} ${report.jobId}: ${report.requests} requests (${report.rateLimited} rate-limited) in ${(report.durationMs / 1000).toFixed(1)} s`)
    for (const [outcome, count] of Object.entries(report.totals)) yield* Console.log(`  ${outcome.padEnd(14)} ${count}`)
    for (const item of report.failed) yield* Console.log(`  failed: ${item.kind} ${item.key} (${item.action}): ${item.reason ?? ""}`)
  })

type Services = Workspaces | Organization | Files | Journal.Journal

/** Plan, then (unless a dry run) apply with progress, a summary, a report file and exit code. */
const runJob = <P>(
  args: any,
  kind: string,
  destructive: boolean,
  planJob: Effect.Effect<P, any, Services>,
  describePlan: (plan: P) => unknown,
  applyJob: (plan: P, options: Engine.ApplyOptions) => Effect.Effect<Engine.JobReport, any, Services>
) =>
  handled(Effect.gen(function*() {
    if (destructive && !args.dryRun && !args.yes) {
      return yield* Effect.fail(new UsageError(`${kind} changes your organisation: look at the plan with --dry-run, then pass --yes`))
    }
    const asJson = wantsJson(args.json)
    const jobId = Option.getOrElse(args.jobId as Option.Option<string>, () => Engine.newJobId(kind))
    const plan = yield* planJob
    if (args.dryRun) {
      const described = describePlan(plan)
      return yield* Console.log(asJson ? JSON.stringify(described) : JSON.stringify(described, null, 2))
    }
    const events = yield* PubSub.unbounded<Engine.JobEvent>()
    const drawing = yield* Effect.fork(progress(events))
    const report = yield* applyJob(plan, {
      jobId,
      concurrency: args.concurrency,
      rate: args.rate,
      events
    }).pipe(
      Effect.onInterrupt(() =>
        Console.error(`\ninterrupted: finished operations are journaled; resume with --job-id ${jobId}`)
      )
    )
    yield* drawing.await
    yield* summary(report, asJson)
    if (Option.isSome(args.report)) {
      mkdirSync(dirname(args.report.value), { recursive: true })
      writeFileSync(args.report.value, JSON.stringify(report, null, 2))
      yield* Console.error(`report: ${args.report.value}`)
    }
    if (report.failed.length > 0) process.exitCode = 1
  }).pipe(
    Effect.provide(Layer.merge(
      servicesLayer(args),
      Journal.layer(Option.getOrElse(args.journal as Option.Option<string>, Journal.defaultPath))
    ))
  ))

const membershipOptions = {
  usersFile: Options.text("users-file").pipe(Options.withDescription("CSV (email and/or user_id columns) or one user per line"), Options.optional),
  user: Options.text("user").pipe(Options.withDescription("user id or e-mail (repeatable)"), Options.repeated),
  workspace: workspaceList
}
const usersOf = (args: any) => [
  ...args.user,
  ...Option.match(args.usersFile as Option.Option<string>, { onNone: () => [], onSome: readUsers })
]

export const onboard = Command.make(
  "onboard",
  { ...membershipOptions, ensureWorkspaces: Options.boolean("ensure-workspaces"), ...common, ...connection },
  (args) => {
    const params = { users: usersOf(args), workspaces: args.workspace, ensureWorkspaces: args.ensureWorkspaces }
    return runJob(args, "onboarding", false, Onboarding.plan(params), (p) => p, (p, o) => Onboarding.apply(p, o))
  }
).pipe(Command.withDescription("add users (ids or e-mails) to workspaces"))

export const offboard = Command.make("offboard", { ...membershipOptions, ...common, ...connection }, (args) => {
  const params = { users: usersOf(args), workspaces: args.workspace }
  return runJob(args, "offboarding", true, Offboarding.plan(params), (p) => p, (p, o) => Offboarding.apply(p, o))
}).pipe(Command.withDescription("remove users from workspaces"))

const budgetOption = (name: string) => Options.float(name).pipe(Options.withDescription(`${name} limit in USD`), Options.optional)
export const budgetsApply = Command.make(
  "apply",
  { daily: budgetOption("daily"), weekly: budgetOption("weekly"), monthly: budgetOption("monthly"), lifetime: budgetOption("lifetime"), workspace: workspaceList, ...common, ...connection },
  (args) => {
    const budgets: Record<string, number> = {}
    for (const interval of ["daily", "weekly", "monthly", "lifetime"] as const) {
      if (Option.isSome(args[interval])) budgets[interval] = args[interval].value
    }
    const params = { budgets, workspaces: args.workspace.length === 0 ? "all" as const : args.workspace }
    return runJob(args, "budget-policy", false, BudgetPolicy.plan(params), (p) => p, (p, o) => BudgetPolicy.apply(p, o))
  }
).pipe(Command.withDescription("set budgets across workspaces (lifetime > monthly > weekly > daily)"))

export const filesCleanup = Command.make(
  "cleanup",
  {
    workspace: workspaceList,
    olderThan: Options.text("older-than").pipe(Options.withDescription("e.g. 30d, 12h"), Options.optional),
    createdBefore: Options.text("created-before").pipe(Options.optional),
    name: Options.text("name").pipe(Options.withDescription("filename glob, e.g. '*.tmp'"), Options.optional),
    mime: Options.text("mime").pipe(Options.withDescription("MIME type or glob"), Options.optional),
    minSize: Options.integer("min-size").pipe(Options.optional),
    maxSize: Options.integer("max-size").pipe(Options.optional),
    ...common,
    ...connection
  },
  (args) => {
    const opt = <A>(o: Option.Option<A>, key: string, f: (a: A) => unknown = (a) => a) =>
      Option.match(o, { onNone: () => ({}), onSome: (v) => ({ [key]: f(v) }) })
    const selection = {
      ...(args.workspace.length > 0 ? { workspaces: args.workspace } : {}),
      ...opt(args.olderThan, "olderThan", parseAge),
      ...opt(args.createdBefore, "createdBefore"),
      ...opt(args.name, "name"),
      ...opt(args.mime, "mimeType"),
      ...opt(args.minSize, "minSize"),
      ...opt(args.maxSize, "maxSize")
    }
    return runJob(
      args,
      "file-cleanup",
      true,
      FileCleanup.plan(selection),
      (p) => ({ count: p.count, bytes: p.bytes, cutoff: p.cutoff, sample: p.sample }),
      (p, o) => FileCleanup.apply(p, o)
    )
  }
).pipe(Command.withDescription("delete files selected by age, name, type and size"))
