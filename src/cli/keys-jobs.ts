/**
 * `keys audit` and `keys disable`: the key hygiene job. `audit` shows the plan (each key and why) and
 * never changes anything; `disable` plans, asks (or `--yes`), then disables the keys (or deletes them
 * with `--delete`), journaled and resumable like every job.
 */
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { common, type CommonArgs, runJob, workspaceList } from "./jobs.ts"
import { UsageError } from "./runtime.ts"
import { connection } from "./runtime.ts"

const selection = {
  workspace: workspaceList,
  all: Options.boolean("all").pipe(Options.withDescription("every workspace (required when no --workspace is given)")),
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

type SelectionArgs = {
  readonly workspace: ReadonlyArray<string>
  readonly all: boolean
  readonly orphaned: boolean
  readonly expired: boolean
  readonly overLimit: Option.Option<number>
  readonly name: Option.Option<string>
  readonly label: Option.Option<string>
  readonly allKeys: boolean
  readonly delete: boolean
  readonly jobId: Option.Option<string>
}

/** The spec from flags; none when no flag is given (a `--job-id` resume takes the saved one). */
const specOf = (args: SelectionArgs) =>
  Effect.gen(function*() {
    const field = <A>(o: Option.Option<A>, key: string) => Option.match(o, { onNone: () => ({}), onSome: (v) => ({ [key]: v }) })
    const criteria = {
      ...(args.orphaned ? { orphaned: true } : {}),
      ...(args.expired ? { expired: true } : {}),
      ...field(args.overLimit, "overLimit"),
      ...field(args.name, "name"),
      ...field(args.label, "label"),
      ...(args.allKeys ? { allKeys: true } : {}),
      ...(args.delete ? { action: "delete" } : {})
    }
    const given = Object.keys(criteria).length > 0 || args.workspace.length > 0 || args.all
    if (!given && Option.isSome(args.jobId)) return Option.none()
    if (args.all && args.workspace.length > 0) {
      return yield* Effect.fail(new UsageError("give either --workspace (names or globs) or --all, not both"))
    }
    if (!args.all && args.workspace.length === 0) {
      return yield* Effect.fail(
        new UsageError(
          "no workspace given: name them with --workspace (globs such as 'team-*' work), or pass --all for every workspace"
        )
      )
    }
    return Option.some({ workspaces: args.all ? "all" : args.workspace, ...criteria })
  })

export const keysAudit = Command.make(
  "audit",
  { ...selection, out: common.out, concurrency: common.concurrency, rate: common.rate, json: common.json, ...connection },
  (args) => {
    const planOnly: CommonArgs = {
      ...args,
      dryRun: true,
      yes: false,
      journal: Option.none(),
      jobId: Option.none(),
      report: Option.none()
    }
    return runJob(planOnly, "key-hygiene", specOf({ ...args, jobId: Option.none() }))
  }
).pipe(Command.withDescription("which keys would be disabled (or deleted) and why; changes nothing (--json, --out)"))

export const keysDisable = Command.make("disable", { ...selection, ...common, ...connection }, (args) => runJob(args, "key-hygiene", specOf(args)))
  .pipe(
    Command.withDescription(
      "disable (or --delete) keys that are orphaned, expired, over a share of their limit, or by name/label (asks first; --yes to skip)"
    )
  )
