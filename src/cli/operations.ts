/** `workspaces …`, `files …` and `org …`: one command per API operation. Lists stream page by page. */
import { Args, Command, Options } from "@effect/cli"
import { Effect, Option, Stream } from "effect"
import { BudgetInterval } from "../Domain.ts"
import { Files } from "../Files.ts"
import { Organization } from "../Organization.ts"
import { Workspaces } from "../Workspaces.ts"
import { connection, handled, json, printRecord, rowPrinter, servicesLayer, wantsJson } from "./runtime.ts"

const id = Args.text({ name: "workspace" }).pipe(Args.withDescription("workspace id or slug"))
const fileId = Args.text({ name: "file-id" })
const users = Args.text({ name: "user-id" }).pipe(Args.atLeast(1))
const interval = Args.choice(BudgetInterval.literals.map((l) => [l, l] as const), { name: "interval" })
const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)
const some = <A>(option: Option.Option<A>, key: string) => Option.match(option, { onNone: () => ({}), onSome: (v) => ({ [key]: v }) })

/** A command whose handler needs the services (configured from flags or the environment). */
const command = <Name extends string, Config extends Record<string, any>>(
  name: Name,
  config: Config,
  description: string,
  run: (args: any) => Effect.Effect<void, any, Workspaces | Organization | Files>
) =>
  Command.make(name, { ...config, ...connection, json }, (args: any) =>
    handled(Effect.provide(run(args), servicesLayer(args)))).pipe(Command.withDescription(description))

const workspaceColumns = ["slug", "name", "id", "createdAt"]

const workspacesList = command("list", {}, "list every workspace (streamed)", (a) =>
  Effect.flatMap(Workspaces, (w) => Stream.runForEach(w.stream(), rowPrinter(wantsJson(a.json), workspaceColumns) as any)))
const workspacesGet = command("get", { id }, "show one workspace", (a) =>
  Effect.flatMap(Workspaces, (w) => Effect.flatMap(w.get({ id: a.id }), (r) => printRecord(wantsJson(a.json), r.data))))
const workspaceFields = {
  description: optionalText("description", "description (≤ 500 characters)"),
  defaultTextModel: optionalText("default-text-model", "e.g. openai/gpt-4o")
}
const workspacesCreate = command(
  "create",
  { name: Options.text("name"), slug: Options.text("slug"), ...workspaceFields },
  "create a workspace",
  (a) =>
    Effect.flatMap(Workspaces, (w) =>
      Effect.flatMap(
        w.create({ name: a.name, slug: a.slug, ...some(a.description, "description"), ...some(a.defaultTextModel, "defaultTextModel") }),
        (r) => printRecord(wantsJson(a.json), r.data)
      ))
)
const workspacesUpdate = command(
  "update",
  { id, name: optionalText("name", "new name"), slug: optionalText("slug", "new slug"), ...workspaceFields },
  "update a workspace",
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
        (r) => printRecord(wantsJson(a.json), r.data)
      ))
)
const workspacesDelete = command("delete", { id }, "delete a workspace", (a) =>
  Effect.flatMap(Workspaces, (w) => Effect.flatMap(w.delete({ id: a.id }), (r) => printRecord(wantsJson(a.json), r))))

const budgetColumns = ["interval", "limitUsd", "updatedAt"]
const budgetRow = (b: any) => ({ interval: b.interval, limitUsd: b.limitUsd, updatedAt: b.updatedAt, id: b.id })
const budgets = Command.make("budgets").pipe(
  Command.withDescription("a workspace's budgets"),
  Command.withSubcommands([
    command("list", { id }, "list budgets", (a) =>
      Effect.flatMap(Workspaces, (w) =>
        Effect.flatMap(w.listBudgets({ id: a.id }), (r) =>
          Effect.forEach(r.data, (b) => rowPrinter(wantsJson(a.json), budgetColumns)(budgetRow(b)), { discard: true })))),
    command("get", { id, interval }, "show one budget", (a) =>
      Effect.flatMap(Workspaces, (w) =>
        Effect.flatMap(w.getBudget({ id: a.id, interval: a.interval }), (r) => printRecord(wantsJson(a.json), budgetRow(r.data))))),
    command("set", { id, interval, limitUsd: Options.float("limit-usd") }, "create or update a budget", (a) =>
      Effect.flatMap(Workspaces, (w) =>
        Effect.flatMap(w.setBudget({ id: a.id, interval: a.interval, limitUsd: a.limitUsd }), (r) =>
          printRecord(wantsJson(a.json), budgetRow(r.data))))),
    command("delete", { id, interval }, "delete a budget", (a) =>
      Effect.flatMap(Workspaces, (w) =>
        Effect.flatMap(w.deleteBudget({ id: a.id, interval: a.interval }), (r) => printRecord(wantsJson(a.json), r))))
  ])
)

const members = Command.make("members").pipe(
  Command.withDescription("a workspace's members"),
  Command.withSubcommands([
    command("list", { id }, "list members (streamed)", (a) =>
      Effect.flatMap(Workspaces, (w) =>
        Stream.runForEach(
          w.streamMembers({ id: a.id }),
          (m) => rowPrinter(wantsJson(a.json), ["userId", "role", "createdAt"])({ userId: m.userId, role: m.role, createdAt: m.createdAt })
        ))),
    command("add", { id, users }, "add up to 100 organization members", (a) =>
      Effect.flatMap(Workspaces, (w) =>
        Effect.flatMap(w.bulkAddMembers({ id: a.id, userIds: a.users }), (r) =>
          printRecord(wantsJson(a.json), { addedCount: r.addedCount })))),
    command("remove", { id, users }, "remove up to 100 members", (a) =>
      Effect.flatMap(Workspaces, (w) =>
        Effect.flatMap(w.bulkRemoveMembers({ id: a.id, userIds: a.users }), (r) =>
          printRecord(wantsJson(a.json), { removedCount: r.removedCount }))))
  ])
)

export const workspaces = Command.make("workspaces").pipe(
  Command.withDescription("workspaces, their budgets and members"),
  Command.withSubcommands([workspacesList, workspacesGet, workspacesCreate, workspacesUpdate, workspacesDelete, budgets, members])
)

const workspaceOption = optionalText("workspace-id", "workspace (default: the key's default workspace)")
const fileColumns = ["id", "filename", "mimeType", "sizeBytes", "createdAt", "downloadable"]

export const filesOperations = [
  command("list", { workspaceId: workspaceOption }, "list files (streamed)", (a) =>
    Effect.flatMap(Files, (f) =>
      Stream.runForEach(f.stream({ ...some(a.workspaceId, "workspaceId") }), (file) =>
        rowPrinter(wantsJson(a.json), fileColumns)(file as any)))),
  command("get", { fileId, workspaceId: workspaceOption }, "show a file's metadata", (a) =>
    Effect.flatMap(Files, (f) =>
      Effect.flatMap(f.retrieve({ fileId: a.fileId, ...some(a.workspaceId, "workspaceId") }), (r) => printRecord(wantsJson(a.json), r)))),
  command(
    "upload",
    { path: Args.file({ name: "path", exists: "yes" }), workspaceId: workspaceOption },
    "upload a file (streamed, ≤ 100 MB)",
    (a) =>
      Effect.flatMap(Files, (f) =>
        Effect.flatMap(f.upload({ file: { path: a.path }, ...some(a.workspaceId, "workspaceId") }), (r) =>
          printRecord(wantsJson(a.json), r)))
  ),
  command(
    "download",
    { fileId, output: Options.text("output").pipe(Options.withAlias("o")), workspaceId: workspaceOption },
    "download a file's content to a path (atomic)",
    (a) =>
      Effect.flatMap(Files, (f) =>
        Effect.flatMap(f.downloadTo({ fileId: a.fileId, path: a.output, ...some(a.workspaceId, "workspaceId") }), (r) =>
          printRecord(wantsJson(a.json), r)))
  ),
  command("delete", { fileId, workspaceId: workspaceOption }, "delete a file", (a) =>
    Effect.flatMap(Files, (f) =>
      Effect.flatMap(f.delete({ fileId: a.fileId, ...some(a.workspaceId, "workspaceId") }), (r) => printRecord(wantsJson(a.json), r))))
] as const

export const org = Command.make("org").pipe(
  Command.withDescription("the organization"),
  Command.withSubcommands([
    command("members", {}, "list organization members (streamed)", (a) =>
      Effect.flatMap(Organization, (o) =>
        Stream.runForEach(o.streamMembers(), (m) => rowPrinter(wantsJson(a.json), ["id", "email", "role", "firstName", "lastName"])(m as any))))
  ])
)
