/**
 * The CLI of each job kind, one entry per kind of the job table (`Record<JobKind, CliJob>`: a kind
 * without a CLI entry does not compile): where the command lives, its flags, how they become the job's
 * spec, which flag sets each spec field (for messages), and examples. Every job command, `jobs show`'s
 * resume line and the resume-conflict messages derive from this table.
 */
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import type * as Schema from "effect/Schema"
import { readFileSync } from "node:fs"
import { OrgSpec, Specs, UsersFile } from "../jobs/index.ts"
import * as Cli from "./command.ts"
import { $ } from "./common.ts"
import type { Example } from "./help.ts"
import { definitions, type JobKind } from "./job-definitions.ts"
import { type JobNames, type RunFlags, runJob } from "./job-runner.ts"
import { keyRotation } from "./keys-rotate.ts"
import { json } from "./runtime.ts"

/** Every spec field of a kind (but `kind`), each with the flags that set it. */
export type FlagsOf<K extends JobKind> = {
  readonly [F in Exclude<keyof Schema.Schema.Encoded<(typeof definitions)[K]["spec"]>, "kind">]-?: string
}

export interface CliJob<K extends JobKind, Config extends Command.Command.Config> {
  /** Where the command lives: `["files", "cleanup"]`. */
  readonly path: readonly [string, ...Array<string>]
  readonly summary: string
  readonly examples: ReadonlyArray<Example>
  /** The job's own flags (the common ones are added). */
  readonly config: Config
  /** The spec (encoded) from flags; none when no selection flag is given (a `--job-id` resume). */
  readonly specOf: (args: Cli.ArgsOf<Config>) => Effect.Effect<Option.Option<unknown>, Cli.UsageError | UsersFile.UsersFileError>
  readonly flags: FlagsOf<K>
}

const cliJob = <K extends JobKind>(_kind: K) => <const Config extends Command.Command.Config>(job: CliJob<K, Config>) => job

// --- flags shared by several jobs ---------------------------------------------------------------------

export const common = {
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("print the plan (JSON with --json); change nothing")),
  out: Options.text("out").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription("save the plan to FILE and change nothing; apply it later with `openrouter-admin apply FILE`"),
    Options.optional
  ),
  yes: Options.boolean("yes").pipe(Options.withDescription("apply without asking (required when there is no terminal)")),
  wait: Options.boolean("wait").pipe(
    Options.withDescription("when another runner holds this job, wait for it instead of refusing")
  ),
  concurrency: Options.integer("concurrency").pipe(Options.withDescription("requests in flight at once, ≥ 1"), Options.withDefault(4)),
  rate: Options.float("rate").pipe(Options.withDescription("requests per second, ≥ 1 (plan reads included)"), Options.withDefault(10)),
  journal: Options.text("journal").pipe(
    Options.withPseudoName("PATH|postgres://…"),
    Options.withDescription("journal: a SQLite file or a PostgreSQL URL (default $OPENROUTER_JOURNAL, else .openrouter-effect/journal.sqlite)"),
    Options.optional
  ),
  jobId: Options.text("job-id").pipe(Options.withDescription("resume this job with its saved selection"), Options.optional),
  report: Options.text("report").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription("write the full report (every item) as JSON here; - prints it on stdout instead of the summary"),
    Options.optional
  ),
  json
}

const workspaceList = Options.text("workspace").pipe(
  Options.withDescription("workspace id, slug, or glob over slugs and names such as 'team-*' (repeatable); each must match"),
  Options.repeated
)
const allWorkspaces = Options.boolean("all").pipe(Options.withDescription("every workspace (required when no --workspace is given)"))

const membership = {
  usersFile: Options.text("users-file").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription("CSV with an email and/or user_id column (`,` `;` or tab), or one user per line"),
    Options.optional
  ),
  user: Options.text("user").pipe(Options.withDescription("user id or e-mail (repeatable)"), Options.repeated),
  workspace: workspaceList
}
type MembershipArgs = Cli.ArgsOf<typeof membership>
const usersOf = (args: MembershipArgs) =>
  Effect.map(
    Option.match(args.usersFile, { onNone: () => Effect.succeed([] as Array<string>), onSome: UsersFile.read }),
    (fromFile) => [...args.user, ...fromFile]
  )
const membershipGiven = (args: MembershipArgs) => args.user.length > 0 || Option.isSome(args.usersFile) || args.workspace.length > 0

const budgetFlags = {
  daily: Options.float("daily").pipe(Options.withDescription("daily limit in USD"), Options.optional),
  weekly: Options.float("weekly").pipe(Options.withDescription("weekly limit in USD"), Options.optional),
  monthly: Options.float("monthly").pipe(Options.withDescription("monthly limit in USD"), Options.optional),
  lifetime: Options.float("lifetime").pipe(Options.withDescription("lifetime limit in USD"), Options.optional)
}
const budgetsOf = (args: Cli.ArgsOf<typeof budgetFlags>) => {
  const budgets: Record<string, number> = {}
  for (const interval of Specs.BudgetIntervals) {
    const value = args[interval]
    if (Option.isSome(value)) budgets[interval] = value.value
  }
  return budgets
}
const budgetsFlag = "--daily/--weekly/--monthly/--lifetime"

const field = <A>(o: Option.Option<A>, key: string) => Option.match(o, { onNone: () => ({}), onSome: (v) => ({ [key]: v }) })

/** `--workspace …` or `--all`, exactly one of them. */
const scopeOf = (args: { readonly workspace: ReadonlyArray<string>; readonly all: boolean }, what: string) =>
  args.all && args.workspace.length > 0
    ? Effect.fail(Cli.usage("give either --workspace (names or globs) or --all, not both"))
    : !args.all && args.workspace.length === 0
    ? Effect.fail(Cli.usage(`no workspace given: ${what} name them with --workspace (globs such as 'team-*' work), or pass --all`))
    : Effect.succeed(args.all ? ("all" as const) : args.workspace)

// --- the table ------------------------------------------------------------------------------------------

const keySelection = {
  workspace: workspaceList,
  all: allWorkspaces,
  orphaned: Options.boolean("orphaned").pipe(Options.withDescription("keys whose creator is no longer an organisation member")),
  expired: Options.boolean("expired").pipe(Options.withDescription("keys past their expiry date")),
  overLimit: Options.float("over-limit").pipe(
    Options.withDescription("keys that used at least this share of their limit, e.g. 0.9 (keys without a limit never match)"),
    Options.optional
  ),
  name: Options.text("name").pipe(Options.withDescription("key name glob, e.g. 'tmp-*' (narrows the reasons above)"), Options.optional),
  label: Options.text("label").pipe(Options.withDescription("key label glob, e.g. 'sk-or-v1-abc*'"), Options.optional),
  allKeys: Options.boolean("all-keys").pipe(Options.withDescription("every key in the selected workspaces (required when no criterion is given)")),
  delete: Options.boolean("delete").pipe(Options.withDescription("delete the keys instead of disabling them (irreversible)"))
}

export const cliJobs = {
  "onboarding": cliJob("onboarding")({
    path: ["onboard"],
    summary: "add users (ids or e-mails) to workspaces, creating workspaces and budgets if asked",
    examples: [
      [`${$} onboard --users-file new-hires.csv --workspace engineering --dry-run`, "see the plan first"],
      [`${$} onboard --user ada@example.com --workspace 'team-*'`],
      [`${$} onboard --users-file team.txt --workspace data-science --ensure-workspaces --monthly 500`, "create the workspace, set its budget"],
      [`${$} onboard --job-id onboarding-20260101-ab12`, "resume a job that was cut short"]
    ],
    config: {
      ...membership,
      ensureWorkspaces: Options.boolean("ensure-workspaces").pipe(Options.withDescription("create workspaces that do not exist (by slug)")),
      guardrail: Options.text("guardrail").pipe(
        Options.withDescription("guardrail id to assign to the users of its workspace (one of --workspace) once they are members"),
        Options.optional
      ),
      ...budgetFlags
    },
    specOf: (args) =>
      Effect.gen(function*() {
        const budgets = budgetsOf(args)
        if (!membershipGiven(args) && !args.ensureWorkspaces && Option.isNone(args.guardrail) && Object.keys(budgets).length === 0) {
          return Option.none()
        }
        return Option.some({
          users: yield* usersOf(args),
          workspaces: args.workspace,
          ...(args.ensureWorkspaces ? { ensureWorkspaces: true } : {}),
          ...(Object.keys(budgets).length > 0 ? { budgets } : {}),
          ...field(args.guardrail, "guardrail")
        })
      }),
    flags: {
      users: "--user/--users-file",
      workspaces: "--workspace",
      ensureWorkspaces: "--ensure-workspaces",
      budgets: budgetsFlag,
      guardrail: "--guardrail"
    }
  }),
  "offboarding": cliJob("offboarding")({
    path: ["offboard"],
    summary: "remove users from workspaces, disabling their keys there (asks first)",
    examples: [
      [`${$} offboard --users-file leavers.txt --workspace '*' --dry-run`, "see what would change everywhere"],
      [`${$} offboard --user ada@example.com --workspace engineering --yes`],
      [`${$} offboard --users-file leavers.txt --workspace '*' --delete-keys --yes`, "delete their keys instead of disabling them"]
    ],
    config: {
      ...membership,
      deleteKeys: Options.boolean("delete-keys").pipe(
        Options.withDescription("delete the users' keys in those workspaces instead of disabling them (irreversible)")
      )
    },
    specOf: (args) =>
      Effect.gen(function*() {
        if (!membershipGiven(args) && !args.deleteKeys) return Option.none()
        return Option.some({ users: yield* usersOf(args), workspaces: args.workspace, ...(args.deleteKeys ? { keys: "delete" } : {}) })
      }),
    flags: { users: "--user/--users-file", workspaces: "--workspace", keys: "--delete-keys" }
  }),
  "budget-policy": cliJob("budget-policy")({
    path: ["budgets", "apply"],
    summary: "set budgets across workspaces (lifetime > monthly > weekly > daily); asks first",
    examples: [
      [`${$} budgets apply --monthly 500 --workspace 'team-*' --dry-run`, "see the plan"],
      [`${$} budgets apply --daily 25 --monthly 500 --all --yes`, "every workspace, without asking"]
    ],
    config: { ...budgetFlags, workspace: workspaceList, all: allWorkspaces },
    specOf: (args) =>
      Effect.gen(function*() {
        const budgets = budgetsOf(args)
        if (Object.keys(budgets).length === 0 && args.workspace.length === 0 && !args.all) return Option.none()
        return Option.some({ budgets, workspaces: yield* scopeOf(args, "budgets apply would change every workspace:") })
      }),
    flags: { budgets: budgetsFlag, workspaces: "--workspace/--all" }
  }),
  "file-cleanup": cliJob("file-cleanup")({
    path: ["files", "cleanup"],
    summary: "delete files selected by age, name, type and size (a filter or --all; asks first)",
    examples: [
      [`${$} files cleanup --older-than 90d --dry-run`, "see which files would go"],
      [`${$} files cleanup --older-than 30d --name '*.tmp' --yes`],
      [`${$} files cleanup --workspace research --mime 'image/*' --min-size 10000000 --out cleanup.json`, "save the plan, apply it later"]
    ],
    config: {
      workspace: workspaceList,
      olderThan: Options.text("older-than").pipe(Options.withDescription("positive age: 30d, 12h, 90m, 2w"), Options.optional),
      createdBefore: Options.text("created-before").pipe(Options.withDescription("ISO date, e.g. 2025-01-31"), Options.optional),
      name: Options.text("name").pipe(Options.withDescription("filename glob, e.g. '*.tmp'"), Options.optional),
      mime: Options.text("mime").pipe(Options.withDescription("MIME type or glob, e.g. 'text/*'"), Options.optional),
      minSize: Options.integer("min-size").pipe(Options.withDescription("bytes"), Options.optional),
      maxSize: Options.integer("max-size").pipe(Options.withDescription("bytes"), Options.optional),
      downloadable: Options.choice("downloadable", ["yes", "no"]).pipe(
        Options.withDescription("only files that can (yes) or cannot (no) be downloaded"),
        Options.optional
      ),
      all: Options.boolean("all").pipe(Options.withDescription("every file (required when no filter is given)"))
    },
    specOf: (args) =>
      Effect.sync(() => {
        const spec = {
          ...(args.workspace.length > 0 ? { workspaces: args.workspace } : {}),
          ...field(args.olderThan, "olderThan"),
          ...field(args.createdBefore, "createdBefore"),
          ...field(args.name, "name"),
          ...field(args.mime, "mimeType"),
          ...field(args.minSize, "minSize"),
          ...field(args.maxSize, "maxSize"),
          ...field(Option.map(args.downloadable, (d) => d === "yes"), "downloadable"),
          ...(args.all ? { all: true } : {})
        }
        return Object.keys(spec).length === 0 ? Option.none() : Option.some(spec)
      }),
    flags: {
      workspaces: "--workspace",
      olderThan: "--older-than",
      createdBefore: "--created-before",
      name: "--name",
      mimeType: "--mime",
      minSize: "--min-size",
      maxSize: "--max-size",
      downloadable: "--downloadable",
      all: "--all"
    }
  }),
  "key-hygiene": cliJob("key-hygiene")({
    path: ["keys", "disable"],
    summary: "disable (or --delete) keys that are orphaned, expired, over a share of their limit, or by name/label (asks first; --yes to skip)",
    examples: [
      [`${$} keys disable --all --orphaned --dry-run`, "keys whose creator left, everywhere"],
      [`${$} keys disable --workspace engineering --expired --yes`],
      [`${$} keys disable --workspace 'team-*' --name 'tmp-*' --delete --yes`, "delete temporary keys"]
    ],
    config: keySelection,
    specOf: (args) =>
      Effect.gen(function*() {
        const criteria = {
          ...(args.orphaned ? { orphaned: true } : {}),
          ...(args.expired ? { expired: true } : {}),
          ...field(args.overLimit, "overLimit"),
          ...field(args.name, "name"),
          ...field(args.label, "label"),
          ...(args.allKeys ? { allKeys: true } : {}),
          ...(args.delete ? { action: "delete" } : {})
        }
        if (Object.keys(criteria).length === 0 && args.workspace.length === 0 && !args.all) return Option.none()
        return Option.some({ workspaces: yield* scopeOf(args, ""), ...criteria })
      }),
    flags: {
      workspaces: "--workspace/--all",
      orphaned: "--orphaned",
      expired: "--expired",
      overLimit: "--over-limit",
      name: "--name",
      label: "--label",
      allKeys: "--all-keys",
      action: "--delete"
    }
  }),
  // organisation as code: `org apply` (src/cli/org.ts) has its own command (-f FILE | PLAN.json); this entry
  // names it for resume lines, `jobs show` and messages
  "org": cliJob("org")({
    path: ["org", "apply"],
    summary: "make the organisation match an organisation file",
    examples: [[`${$} org apply -f org.yaml`, "shows the plan and asks first"]],
    config: { file: Options.file("file").pipe(Options.withAlias("f"), Options.optional) },
    specOf: (args) =>
      Option.match(args.file, {
        onNone: () => Effect.succeedNone,
        onSome: (path) =>
          Effect.try({ try: () => readFileSync(path, "utf8"), catch: (e) => Cli.usage(`cannot read ${path}: ${(e as Error).message}`) }).pipe(
            Effect.flatMap((text) => Effect.mapError(OrgSpec.parse(text, path), (e) => Cli.usage(e.message))),
            Effect.map((spec) => Option.some(OrgSpec.encode(spec)))
          )
      }),
    flags: { version: "-f FILE", people: "-f FILE", workspaces: "-f FILE", prune: "-f FILE", protect: "-f FILE" }
  }),
  "key-rotation": keyRotation
} satisfies { readonly [K in JobKind]: CliJob<K, any> }

/** How the CLI names each kind: its command and its flags. */
export const names: JobNames = {
  command: (kind) => cliJobs[kind].path.join(" "),
  flags: (kind) => cliJobs[kind].flags
}

/** A table entry seen without its kind's types (the command is built the same way for every kind). */
interface AnyCliJob extends Omit<CliJob<JobKind, Command.Command.Config>, "specOf"> {
  readonly specOf: (args: unknown) => Effect.Effect<Option.Option<unknown>, Cli.UsageError | UsersFile.UsersFileError>
}

/**
 * The command of a job kind, from its table entry: its flags and the common ones, its help with
 * examples, its handler the one job runner.
 */
export const jobCommand = (kind: JobKind) => {
  const job = cliJobs[kind] as unknown as AnyCliJob
  return Cli.make(job.path.at(-1)!, { config: { ...job.config, ...common }, summary: job.summary, examples: job.examples }, (args, connection) =>
    // the parsed flags are the job's own and the common ones (RunFlags)
    runJob(args as unknown as RunFlags, connection, { kind, names, given: job.specOf(args) }))
}

/**
 * `keys audit`: key hygiene planned and shown, never applied (same flags as `keys disable` but those that
 * only matter when applying).
 */
export const keysAudit = Cli.make("audit", {
  config: { ...keySelection, out: common.out, concurrency: common.concurrency, rate: common.rate, json },
  summary: "which keys would be disabled (or deleted) and why; changes nothing (--json, --out)",
  examples: [
    [`${$} keys audit --all --orphaned --expired`],
    [`${$} keys audit --workspace engineering --over-limit 0.9 --json`]
  ]
}, (args, connection) =>
  runJob(
    { ...args, dryRun: true, yes: false, wait: false, journal: Option.none(), jobId: Option.none(), report: Option.none() },
    connection,
    { kind: "key-hygiene", names, planOnly: true, given: cliJobs["key-hygiene"].specOf(args) }
  ))
