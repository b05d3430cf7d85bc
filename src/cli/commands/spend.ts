/**
 * `spend`: who spends what. `spend [--by workspace|member|key|model] [--days N] [--workspace SEL]
 * [--daily]` prints a table (names beside ids, total, share, a bar; a sparkline per day with `--daily`),
 * JSON (`--json`, the default when stdout is not a terminal) or CSV (`--csv`); `spend budgets` shows budgets
 * and key limits against their use; `spend check --threshold 80%` names what is at or over it and exits 3
 * when anything is; `spend report --html FILE` writes one self-contained page with charts.
 *
 * Every output says what it covers: the last N completed UTC days from `/activity` plus today so far from
 * the keys' live usage, OpenRouter credits only unless `--include-byok`.
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Layer, Option } from "effect"
import { rename, writeFile } from "node:fs/promises"
import { Activity } from "../../Activity.ts"
import { Analytics } from "../../Analytics.ts"
import * as Spend from "../../spend/index.ts"
import * as Cli from "../command.ts"
import { $ } from "../common.ts"
import { json, wantsJson } from "../runtime.ts"

/** The services spend reads besides the common ones. */
const spendServices = Layer.mergeAll(Activity.Default, Analytics.Default)

const workspace = Options.text("workspace").pipe(
  Options.withDescription("a workspace by id or slug, or a glob over slugs and names such as 'team-*' (repeatable; default every workspace)"),
  Options.repeated
)
const days = Options.integer("days").pipe(
  Options.withDescription("completed UTC days before today, 1 to 30 (what /activity keeps); today so far is always added"),
  Options.withDefault(30)
)
const includeByok = Options.boolean("include-byok").pipe(
  Options.withDescription("add BYOK spend (billed by your own provider keys); default OpenRouter credits only")
)
const concurrency = Options.integer("concurrency").pipe(Options.withDescription("requests in flight at once"), Options.withDefault(8))

const workspacesOf = (refs: ReadonlyArray<string>): Spend.WorkspaceRefs => (refs.length === 0 ? "all" : refs)

/** Library errors in flag terms. */
const inFlagTerms = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.catchIf(self, (e: any) => e?._tag === "InvalidRequestError", (e: any) => {
    const issue: string = e.issue
    const flag = issue.startsWith("days") ? `--days: ${issue.replace(/^days /, "")}` : issue.startsWith("concurrency")
      ? `--concurrency: ${issue.replace(/^concurrency /, "")}`
      : issue.includes("workspace")
      ? `--workspace: ${issue}`
      : issue
    return Effect.fail(Cli.usage(flag))
  })

// --- spend ----------------------------------------------------------------------------------------------

const table = Cli.make("spend", {
  config: {
    by: Options.choice("by", Spend.SpendBy).pipe(
      Options.withDescription("one row per workspace (slug), member (e-mail), key (name) or model"),
      Options.withDefault("workspace" as const)
    ),
    days,
    workspace,
    daily: Options.boolean("daily").pipe(Options.withDescription("a day-by-day series: a sparkline per row on a terminal, a column per day in CSV")),
    includeByok,
    json,
    csv: Options.boolean("csv").pipe(Options.withDescription("CSV with a header row")),
    concurrency
  },
  summary: "who spends what (by workspace, member, key or model); budgets, alerts, HTML report",
  examples: [
    [`${$} spend --by member --days 7`, "each member's spend over the last 7 completed UTC days and today"],
    [`${$} spend --by key --workspace 'team-*' --daily`, "the keys of the team workspaces, with a sparkline per day"],
    [`${$} spend --by model --csv > models.csv`],
    [`${$} spend check --threshold 80%`, "budgets and key limits at or over 80% (exit 3 when any)"],
    [`${$} spend report --html spend.html`]
  ]
}, (args) =>
  Effect.gen(function*() {
    if (args.json && args.csv) return yield* Effect.fail(Cli.usage("--json and --csv: choose one"))
    const made = yield* inFlagTerms(Spend.report({
      by: args.by,
      days: args.days,
      workspaces: workspacesOf(args.workspace),
      includeByok: args.includeByok,
      concurrency: args.concurrency
    }))
    if (args.csv) return yield* Effect.sync(() => process.stdout.write(Spend.Render.toCsv(made.table, { daily: args.daily })))
    if (wantsJson(args.json)) {
      return yield* Console.log(JSON.stringify({ ...Spend.Render.toJson(made.table, made.scope), attribution: made.attribution }))
    }
    yield* Console.log(Spend.Render.renderTable(made.table, made.scope, { columns: process.stdout.columns ?? 100, daily: args.daily }))
  }).pipe(Effect.provide(spendServices)))

// --- spend budgets --------------------------------------------------------------------------------------

const budgets = Cli.make("budgets", {
  config: { workspace, json },
  summary: "each workspace's spend this UTC day, week and month against its budgets; each key's use of its limit and when it resets",
  examples: [[`${$} spend budgets`], [`${$} spend budgets --workspace engineering --json`]]
}, (args) =>
  Effect.gen(function*() {
    const used = yield* inFlagTerms(Spend.utilisation({ workspaces: workspacesOf(args.workspace) }))
    if (wantsJson(args.json)) return yield* Console.log(JSON.stringify(Spend.Alerts.utilisationJson(used)))
    yield* Console.log(Spend.Alerts.utilisationLines(used).join("\n"))
  }).pipe(Effect.provide(spendServices)))

// --- spend check ----------------------------------------------------------------------------------------

/** `80%` or `0.8` as a share; a bare number above 1 is refused (80 would be 8000%). */
export const parseThreshold = (text: string): number | undefined => {
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text)
  if (percent) return Number(percent[1]) / 100
  const share = /^\s*(\d*\.\d+|\d+)\s*$/.exec(text)
  if (share && Number(share[1]) <= 1) return Number(share[1])
  return undefined
}

const check = Cli.make("check", {
  config: {
    threshold: Options.text("threshold").pipe(Options.withDescription("a share of each budget and key limit: 80% (or 0.8)")),
    top: Options.integer("top").pipe(Options.withDescription("also list the N keys that spent most this UTC month"), Options.optional),
    workspace,
    json
  },
  summary: "name every budget and key limit at or over a threshold; exit 3 when anything is (0 when nothing is)",
  examples: [
    [`${$} spend check --threshold 80%`],
    [`${$} spend check --threshold 90% --top 5 --json`, "for a webhook"]
  ]
}, (args) =>
  Effect.gen(function*() {
    const threshold = parseThreshold(args.threshold)
    if (threshold === undefined || threshold <= 0) {
      return yield* Effect.fail(Cli.usage(`--threshold ${args.threshold}: give a share above 0, as 80% or 0.8`))
    }
    const top = Option.getOrUndefined(args.top)
    if (top !== undefined && top < 1) return yield* Effect.fail(Cli.usage(`--top ${top}: give a number of keys, 1 or more`))
    const result = yield* inFlagTerms(Spend.check({ threshold, workspaces: workspacesOf(args.workspace), ...(top ? { top } : {}) }))
    if (wantsJson(args.json)) yield* Console.log(JSON.stringify(Spend.Alerts.checkJson(result)))
    else yield* Console.log(Spend.Alerts.checkLines(result).join("\n"))
    if (result.crossed.length > 0) {
      const first = result.crossed[0]!
      yield* Console.error(
        `spend check: ${result.crossed.length} at or over ${args.threshold.trim()} (exit 3): raise the budget or limit, or see who spends: ${$} spend --by key --workspace ${first.slug}`
      )
      yield* Effect.sync(() => (process.exitCode = 3))
    }
  }).pipe(Effect.provide(spendServices)))

// --- spend report ---------------------------------------------------------------------------------------

const report = Cli.make("report", {
  config: {
    html: Options.text("html").pipe(Options.withDescription("the file to write (one self-contained page: it opens without a network)")),
    days,
    workspace,
    includeByok,
    top: Options.integer("top").pipe(Options.withDescription("members and keys in the top charts"), Options.withDefault(15)),
    concurrency
  },
  summary: "write an HTML page with charts: spend per day stacked by workspace, top members, top keys",
  examples: [[`${$} spend report --html spend.html`], [`${$} spend report --html eng.html --workspace engineering --days 7`]]
}, (args) =>
  Effect.gen(function*() {
    if (args.html.trim() === "") return yield* Effect.fail(Cli.usage("--html: give the file to write"))
    if (args.top < 1) return yield* Effect.fail(Cli.usage(`--top ${args.top}: give a number of rows, 1 or more`))
    const page = yield* inFlagTerms(Spend.htmlReport({
      days: args.days,
      workspaces: workspacesOf(args.workspace),
      includeByok: args.includeByok,
      concurrency: args.concurrency,
      top: args.top
    }))
    const temporary = `${args.html}.${process.pid}.tmp`
    yield* Effect.tryPromise({
      try: async () => {
        await writeFile(temporary, page)
        await rename(temporary, args.html)
      },
      catch: (error: any) => Cli.usage(`--html ${args.html}: cannot write it (${error?.code ?? error?.message ?? error})`)
    })
    yield* Console.log(
      `wrote ${args.html} (${
        Math.ceil(Buffer.byteLength(page) / 1024)
      } KB): spend per day by workspace, top members, top keys; it opens in any browser without a network`
    )
  }).pipe(Effect.provide(spendServices)))

export const spend = table.pipe(Command.withSubcommands([check, budgets, report]))
