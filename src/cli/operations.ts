/**
 * `workspaces …`, `files …` and `org …`: one command per API operation. Lists stream page by page into
 * a table (or JSON lines when piped); `--limit`, `-q` (ids only) and `--verbose` (each HTTP attempt on
 * stderr) work everywhere.
 */
import { Args, Command, Options } from "@effect/cli"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { existsSync, statSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { BudgetInterval } from "../Domain.ts"
import { Files } from "../Files.ts"
import type { Guardrails } from "../Guardrails.ts"
import type { Keys } from "../Keys.ts"
import * as OpenRouterClient from "../OpenRouterClient.ts"
import { Organization } from "../Organization.ts"
import { Workspaces } from "../Workspaces.ts"
import { describe, type Example } from "./help.ts"
import {
  type Column,
  column,
  dateColumn,
  formatBytes,
  formatDate,
  formatDuration,
  formatOf,
  listOptions,
  outputOptions,
  printRecord,
  printRows
} from "./output.ts"
import { connection, handled, servicesLayer, UsageError } from "./runtime.ts"

export const $ = "openrouter-admin"
const id = Args.text({ name: "workspace" }).pipe(Args.withDescription("workspace id or slug"))
const fileId = Args.text({ name: "file-id" }).pipe(Args.withDescription("the file's id (see `files list`)"))
const users = Args.text({ name: "user-id" }).pipe(Args.atLeast(1), Args.withDescription("user ids (up to 100)"))
const interval = Args.choice(BudgetInterval.literals.map((l) => [l, l] as const), { name: "interval" })
export const optionalText = (name: string, description: string) => Options.text(name).pipe(Options.withDescription(description), Options.optional)
export const some = <A>(option: Option.Option<A>, key: string) => Option.match(option, { onNone: () => ({}), onSome: (v) => ({ [key]: v }) })

const verbose = Options.boolean("verbose").pipe(
  Options.withAlias("v"),
  Options.withDescription("trace each HTTP attempt and retry on stderr")
)

/**
 * `--verbose`: each HTTP attempt on stderr when it is sent and when it is answered (status, time), so a
 * retry shows as the next attempt after a retryable answer, and a hang shows as a line with no answer.
 */
const traced = (on: boolean) => <A, E, R>(self: Effect.Effect<A, E, R>) => {
  if (!on) return self
  let sent = 0
  // attempts of one operation are answered in the order they were sent, near enough for a trace
  const inFlight = new Map<string, Array<{ readonly n: number; readonly at: number }>>()
  const line = (text: string) => Effect.sync(() => process.stderr.write(`http[${text}\n`))
  return self.pipe(OpenRouterClient.withObserver({
    beforeAttempt: (operation) =>
      Effect.suspend(() => {
        const n = ++sent
        inFlight.set(operation, [...(inFlight.get(operation) ?? []), { n, at: Date.now() }])
        return line(`${n}] ${operation} sent`)
      }),
    afterAttempt: (operation, { retryAfter, status }) =>
      Effect.suspend(() => {
        const attempt = inFlight.get(operation)?.shift() ?? { n: sent, at: Date.now() }
        const retryable = status === undefined || status === 429 || status >= 500
        const wait = retryAfter ? `, Retry-After ${formatDuration(Duration.toMillis(retryAfter))}` : ""
        return line(
          `${attempt.n}] ${operation}: ${status ?? "no response"} in ${formatDuration(Date.now() - attempt.at)}${
            retryable ? ` (retryable${wait})` : ""
          }`
        )
      })
  }))
}

type Services = Workspaces | Organization | Files | Keys | Guardrails

/** A command whose handler needs the services (configured from flags or the environment). */
export const command = <Name extends string, Config extends Record<string, any>>(
  name: Name,
  config: Config,
  summary: string,
  examples: ReadonlyArray<Example>,
  run: (args: any) => Effect.Effect<void, any, Services>
) =>
  Command.make(
    name,
    { ...config, ...connection, verbose },
    (args: any) => handled(Effect.provide(run(args).pipe(traced(args.verbose)), servicesLayer(args)))
  ).pipe(
    Command.withDescription(describe(summary, examples))
  )

/** `--limit` must be a positive number: 0 is not "everything". */
const checkedLimit = (limit: Option.Option<number>) =>
  Option.isSome(limit) && limit.value < 1
    ? Effect.fail(new UsageError(`--limit ${limit.value}: give a number of rows, 1 or more`))
    : Effect.succeed(limit)

/** Print a list command's rows with its flags. */
export const list = <A, E, R>(args: any, rows: Stream.Stream<A, E, R>, columns: ReadonlyArray<Column<A>>, idOf: (row: A) => string) =>
  Effect.flatMap(checkedLimit(args.limit), (limit) => printRows(rows, { ...args, limit, columns, id: idOf }))

// --- workspaces -------------------------------------------------------------------------------------

const workspaceColumns: ReadonlyArray<Column<any>> = [
  column("SLUG", "slug", undefined, { keep: true }),
  column("NAME", "name"),
  column("ID", "id", undefined, { keep: true }),
  dateColumn("CREATED", "createdAt"),
  column("TEXT MODEL", "defaultTextModel", undefined, { wide: true }),
  column("DESCRIPTION", "description", undefined, { wide: true })
]
const workspaceFields: ReadonlyArray<Column<any>> = [
  column("Name", "name"),
  column("Slug", "slug"),
  column("ID", "id", undefined, { keep: true }),
  column("Description", "description"),
  column("Text model", "defaultTextModel"),
  column("Image model", "defaultImageModel"),
  column("Created", "createdAt", formatDate),
  column("Updated", "updatedAt", formatDate),
  column("Created by", "createdBy", undefined, { wide: true }),
  column("Guardrail", "defaultGuardrailId", undefined, { wide: true }),
  column("Provider sort", "defaultProviderSort", undefined, { wide: true }),
  column("I/O logging", "isObservabilityIoLoggingEnabled", undefined, { wide: true }),
  column("Broadcast", "isObservabilityBroadcastEnabled", undefined, { wide: true })
]
const showWorkspace = (args: any) => (workspace: any) => printRecord(workspace, { ...args, fields: workspaceFields, id: (w: any) => w.id })

const workspacesList = command(
  "list",
  listOptions,
  "list every workspace",
  [[`${$} workspaces list`], [`${$} workspaces list -q`, "ids only, e.g. for xargs"], [`${$} workspaces list --jsonl | jq .slug`]],
  (a) => Effect.flatMap(Workspaces, (w) => list(a, w.stream(), workspaceColumns, (row: any) => row.id))
)
const workspacesGet = command(
  "get",
  { id, ...outputOptions },
  "show one workspace",
  [[`${$} workspaces get engineering`], [`${$} workspaces get engineering --json`]],
  (a) => Effect.flatMap(Workspaces, (w) => Effect.flatMap(w.get({ id: a.id }), (r) => showWorkspace(a)(r.data)))
)
const workspaceSettings = {
  description: optionalText("description", "up to 500 characters"),
  defaultTextModel: optionalText("default-text-model", "e.g. openai/gpt-4o")
}
const workspacesCreate = command(
  "create",
  {
    name: Options.text("name").pipe(Options.withDescription("display name")),
    slug: Options.text("slug").pipe(Options.withDescription("lowercase letters, digits and dashes")),
    ...workspaceSettings,
    ...outputOptions
  },
  "create a workspace",
  [[`${$} workspaces create --name "Data Science" --slug data-science`], [
    `${$} workspaces create --name Support --slug support --default-text-model openai/gpt-4o`
  ]],
  (a) =>
    Effect.flatMap(Workspaces, (w) =>
      Effect.flatMap(
        w.create({ name: a.name, slug: a.slug, ...some(a.description, "description"), ...some(a.defaultTextModel, "defaultTextModel") }),
        (r) => showWorkspace(a)(r.data)
      ))
)
const workspacesUpdate = command(
  "update",
  { id, name: optionalText("name", "new name"), slug: optionalText("slug", "new slug"), ...workspaceSettings, ...outputOptions },
  "change a workspace's name, slug or settings",
  [[`${$} workspaces update data-science --name "Data & ML"`], [`${$} workspaces update support --description "tier 1 and 2"`]],
  (a) =>
    Effect.flatMap(Workspaces, (w) =>
      Effect.flatMap(
        w.update({
          id: a.id,
          ...some(a.name, "name"),
          ...some(a.slug, "slug"),
          ...some(a.description, "description"),
          ...some(a.defaultTextModel, "defaultTextModel")
        }),
        (r) => showWorkspace(a)(r.data)
      ))
)
export const deleted = (args: any, what: string) => () => printRecord({ deleted: what }, { ...args, id: () => what })
const workspacesDelete = command(
  "delete",
  { id, ...outputOptions },
  "delete a workspace",
  [[`${$} workspaces delete data-science`]],
  (a) => Effect.flatMap(Workspaces, (w) => Effect.flatMap(w.delete({ id: a.id }), deleted(a, a.id)))
)

// --- budgets ----------------------------------------------------------------------------------------

const budgetColumns: ReadonlyArray<Column<any>> = [
  column("INTERVAL", "interval"),
  column("LIMIT USD", "limitUsd", (n: number) => n.toFixed(2), { align: "right" }),
  dateColumn("UPDATED", "updatedAt"),
  column("ID", "id", undefined, { wide: true })
]
const budgetRow = (b: any) => ({ interval: b.interval, limitUsd: b.limitUsd, updatedAt: b.updatedAt, id: b.id, workspaceId: b.workspaceId })
const showBudget = (args: any) => (b: any) => printRecord(budgetRow(b), { ...args, fields: budgetColumns, id: (r: any) => r.id })

const budgets = Command.make("budgets").pipe(
  Command.withDescription("a workspace's budgets"),
  Command.withSubcommands([
    command(
      "list",
      { id, ...listOptions },
      "list a workspace's budgets",
      [[`${$} workspaces budgets list engineering`]],
      (a) =>
        Effect.flatMap(
          Workspaces,
          (w) => Effect.flatMap(w.listBudgets({ id: a.id }), (r) => list(a, Stream.fromIterable(r.data.map(budgetRow)), budgetColumns, (b) => b.id))
        )
    ),
    command(
      "get",
      { id, interval, ...outputOptions },
      "show one budget",
      [[`${$} workspaces budgets get engineering monthly`]],
      (a) => Effect.flatMap(Workspaces, (w) => Effect.flatMap(w.getBudget({ id: a.id, interval: a.interval }), (r) => showBudget(a)(r.data)))
    ),
    command(
      "set",
      { id, interval, limitUsd: Options.float("limit-usd").pipe(Options.withDescription("the limit in US dollars")), ...outputOptions },
      "create or change a budget",
      [[`${$} workspaces budgets set engineering monthly --limit-usd 500`], [`${$} workspaces budgets set research daily --limit-usd 25`]],
      (a) =>
        Effect.flatMap(
          Workspaces,
          (w) => Effect.flatMap(w.setBudget({ id: a.id, interval: a.interval, limitUsd: a.limitUsd }), (r) => showBudget(a)(r.data))
        )
    ),
    command(
      "delete",
      { id, interval, ...outputOptions },
      "delete a budget",
      [[`${$} workspaces budgets delete engineering daily`]],
      (a) =>
        Effect.flatMap(Workspaces, (w) => Effect.flatMap(w.deleteBudget({ id: a.id, interval: a.interval }), deleted(a, `${a.id} ${a.interval}`)))
    )
  ])
)

// --- members ----------------------------------------------------------------------------------------

const memberColumns: ReadonlyArray<Column<any>> = [
  column("USER", "userId", undefined, { keep: true }),
  column("E-MAIL", "email"),
  column("ROLE", "role"),
  dateColumn("ADDED", "createdAt")
]

/** E-mails by user id, from the organization's members (for tables; JSON stays what the API says). */
const emailsByUserId = Effect.flatMap(
  Organization,
  (o) => Stream.runFold(o.streamMembers(), new Map<string, string>(), (map, m) => map.set(m.id, m.email))
).pipe(
  // names are a courtesy: without them the list is still right
  Effect.orElseSucceed(() => new Map<string, string>())
)

const members = Command.make("members").pipe(
  Command.withDescription("a workspace's members"),
  Command.withSubcommands([
    command(
      "list",
      { id, ...listOptions },
      "list a workspace's members, with their e-mails",
      [[`${$} workspaces members list engineering`], [`${$} workspaces members list engineering -q > members.txt`]],
      (a) =>
        Effect.gen(function*() {
          const w = yield* Workspaces
          const byId = formatOf(a) === "table" ? yield* emailsByUserId : new Map<string, string>()
          const rows = w.streamMembers({ id: a.id }).pipe(
            Stream.map((m) => ({ userId: m.userId, email: byId.get(m.userId), role: m.role, createdAt: m.createdAt }))
          )
          yield* list(a, rows, memberColumns, (m) => m.userId)
        })
    ),
    command(
      "add",
      { id, users, ...outputOptions },
      "add up to 100 organization members (for more, use `onboard`)",
      [[`${$} workspaces members add engineering user_2abc user_2def`]],
      (a) =>
        Effect.flatMap(
          Workspaces,
          (w) =>
            Effect.flatMap(w.bulkAddMembers({ id: a.id, userIds: a.users }), (r) =>
              printRecord({ workspace: a.id, addedCount: r.addedCount }, { ...a, id: () => String(r.addedCount) }))
        )
    ),
    command(
      "remove",
      { id, users, ...outputOptions },
      "remove up to 100 members (for more, use `offboard`)",
      [[`${$} workspaces members remove engineering user_2abc`]],
      (a) =>
        Effect.flatMap(
          Workspaces,
          (w) =>
            Effect.flatMap(w.bulkRemoveMembers({ id: a.id, userIds: a.users }), (r) =>
              printRecord({ workspace: a.id, removedCount: r.removedCount }, { ...a, id: () => String(r.removedCount) }))
        )
    )
  ])
)

export const workspaces = Command.make("workspaces").pipe(
  Command.withDescription("workspaces, their budgets and members"),
  Command.withSubcommands([workspacesList, workspacesGet, workspacesCreate, workspacesUpdate, workspacesDelete, budgets, members])
)

// --- files ------------------------------------------------------------------------------------------

const workspaceOption = optionalText("workspace-id", "the workspace (default: the key's default workspace)")
const fileColumns: ReadonlyArray<Column<any>> = [
  column("ID", "id", undefined, { keep: true }),
  column("NAME", "filename"),
  column("TYPE", "mimeType"),
  column("SIZE", "sizeBytes", formatBytes, { align: "right", keep: true }),
  dateColumn("CREATED", "createdAt"),
  column("DOWNLOADABLE", "downloadable", undefined, { wide: true })
]
const fileFields: ReadonlyArray<Column<any>> = [
  column("ID", "id", undefined, { keep: true }),
  column("Name", "filename"),
  column("Type", "mimeType"),
  column("Size", "sizeBytes", formatBytes),
  column("Created", "createdAt", formatDate),
  column("Downloadable", "downloadable")
]
const showFile = (args: any) => (file: any) => printRecord(file, { ...args, fields: fileFields, id: (f: any) => f.id })

/** Write a stream to stdout, waiting when the pipe is full. */
const toStdout = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>) =>
  Stream.runForEach(bytes, (chunk) =>
    Effect.async<void>((resume) => {
      if (process.stdout.write(chunk)) resume(Effect.void)
      else process.stdout.once("drain", () => resume(Effect.void))
    }))

/** Where a download may go: not over a file without --force, not into a directory that does not exist. */
const checkTarget = (path: string, force: boolean) =>
  Effect.suspend(() => {
    if (path.trim() === "") return Effect.fail(new UsageError("-o needs a path (or - for stdout)"))
    const target = resolve(path)
    if (existsSync(target) && statSync(target).isDirectory()) {
      return Effect.fail(new UsageError(`${path} is a directory: give the file's full path`))
    }
    if (existsSync(target) && !force) return Effect.fail(new UsageError(`${path} exists: pass --force to overwrite it`))
    if (!existsSync(dirname(target))) return Effect.fail(new UsageError(`${dirname(target)} does not exist: create it first`))
    return Effect.void
  })

export const filesOperations = [
  command(
    "list",
    { workspaceId: workspaceOption, ...listOptions },
    "list files, newest first",
    [[`${$} files list`], [`${$} files list --workspace-id research --limit 20`], [`${$} files list -q | head`]],
    (a) => Effect.flatMap(Files, (f) => list(a, f.stream({ ...some(a.workspaceId, "workspaceId") }), fileColumns, (file: any) => file.id))
  ),
  command(
    "get",
    { fileId, workspaceId: workspaceOption, ...outputOptions },
    "show a file's metadata",
    [[`${$} files get file_abc123`]],
    (a) => Effect.flatMap(Files, (f) => Effect.flatMap(f.retrieve({ fileId: a.fileId, ...some(a.workspaceId, "workspaceId") }), showFile(a)))
  ),
  command(
    "upload",
    {
      path: Args.file({ name: "path", exists: "yes" }).pipe(Args.withDescription("the file to upload")),
      workspaceId: workspaceOption,
      ...outputOptions
    },
    "upload a file (streamed, up to 100 MB)",
    [[`${$} files upload ./report.pdf`], [`${$} files upload ./data.csv --workspace-id research -q`, "print only the new file's id"]],
    (a) => Effect.flatMap(Files, (f) => Effect.flatMap(f.upload({ file: { path: a.path }, ...some(a.workspaceId, "workspaceId") }), showFile(a)))
  ),
  command(
    "download",
    {
      fileId,
      output: Options.text("output").pipe(
        Options.withAlias("o"),
        Options.withPseudoName("PATH"),
        Options.withDescription("where to write it; - writes to stdout")
      ),
      force: Options.boolean("force").pipe(Options.withDescription("overwrite the file at PATH if there is one")),
      workspaceId: workspaceOption,
      ...outputOptions
    },
    "download a file's content (written to a temporary file, then renamed: never half a file)",
    [
      [`${$} files download file_abc123 -o report.pdf`],
      [`${$} files download file_abc123 -o - | head -c 100`, "to stdout"],
      [`${$} files download file_abc123 -o report.pdf --force`, "replace an existing report.pdf"]
    ],
    (a) =>
      Effect.flatMap(Files, (f) => {
        const scope = { fileId: a.fileId, ...some(a.workspaceId, "workspaceId") }
        if (a.output === "-") return toStdout(f.download(scope))
        return checkTarget(a.output, a.force).pipe(
          Effect.zipRight(f.downloadTo({ ...scope, path: a.output })),
          Effect.flatMap((r) =>
            printRecord(r, {
              ...a,
              fields: [column("Path", "path"), column("Size", "bytes", formatBytes)],
              id: (d: any) => d.path
            })
          )
        )
      })
  ),
  command(
    "delete",
    { fileId, workspaceId: workspaceOption, ...outputOptions },
    "delete a file",
    [[`${$} files delete file_abc123`]],
    (a) => Effect.flatMap(Files, (f) => Effect.flatMap(f.delete({ fileId: a.fileId, ...some(a.workspaceId, "workspaceId") }), deleted(a, a.fileId)))
  )
] as const

// --- organization -----------------------------------------------------------------------------------

const orgMemberColumns: ReadonlyArray<Column<any>> = [
  column("ID", "id", undefined, { keep: true }),
  column("E-MAIL", "email"),
  { header: "NAME", value: (m: any) => [m.firstName, m.lastName].filter(Boolean).join(" ") },
  column("ROLE", "role")
]

export const org = Command.make("org").pipe(
  Command.withDescription("the organization"),
  Command.withSubcommands([
    command(
      "members",
      listOptions,
      "list the organization's members",
      [[`${$} org members`], [`${$} org members --limit 10`], [`${$} org members --jsonl | jq -r .email`]],
      (a) => Effect.flatMap(Organization, (o) => list(a, o.streamMembers(), orgMemberColumns, (m: any) => m.id))
    )
  ])
)
