/**
 * `workspaces …`: list, get, create, update and delete workspaces; their budgets and members. A user is
 * named by id or e-mail. Deleting asks first (typing the slug) or needs `--yes`; deleting the default
 * workspace also needs `--confirm-default-workspace-deletion`. An update with no field sends nothing.
 */
import { Args, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BudgetInterval, type Workspace, type WorkspaceBudget } from "../../Domain.ts"
import type { ForbiddenResponseError } from "../../Errors.ts"
import { Organization } from "../../Organization.ts"
import { Workspaces } from "../../Workspaces.ts"
import * as Cli from "../command.ts"
import { $, confirmDestructive, deleted, list, optionalText, some, userIdsOf, yesOption } from "../common.ts"
import { type Column, column, dateColumn, formatDate, formatOf, listOptions, type OutputFlags, outputOptions, printRecord } from "../output.ts"

const id = Args.text({ name: "workspace" }).pipe(Args.withDescription("workspace id or slug"))
const users = Args.text({ name: "user" }).pipe(Args.atLeast(1), Args.withDescription("user ids or e-mails (up to 100)"))
const interval = Args.choice(BudgetInterval.literals.map((l) => [l, l] as const), { name: "interval" })

const workspaceColumns: ReadonlyArray<Column<Workspace>> = [
  column("SLUG", "slug", undefined, { keep: true }),
  column("NAME", "name"),
  column("ID", "id", undefined, { keep: true }),
  dateColumn("CREATED", "createdAt"),
  column("TEXT MODEL", "defaultTextModel", undefined, { wide: true }),
  column("DESCRIPTION", "description", undefined, { wide: true })
]
const workspaceFields: ReadonlyArray<Column<Workspace>> = [
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
const showWorkspace = (flags: OutputFlags) => (workspace: Workspace) => printRecord(workspace, { ...flags, fields: workspaceFields, id: (w) => w.id })

const workspacesList = Cli.make("list", {
  config: listOptions,
  summary: "list every workspace",
  examples: [[`${$} workspaces list`], [`${$} workspaces list -q`, "ids only, e.g. for xargs"], [`${$} workspaces list --jsonl | jq .slug`]]
}, (a) => Effect.flatMap(Workspaces, (w) => list(a, w.stream(), workspaceColumns, (row) => row.id)))

const workspacesGet = Cli.make("get", {
  config: { id, ...outputOptions },
  summary: "show one workspace",
  examples: [[`${$} workspaces get engineering`], [`${$} workspaces get engineering --json`]]
}, (a) => Effect.flatMap(Workspaces, (w) => Effect.flatMap(w.get({ id: a.id }), (r) => showWorkspace(a)(r.data))))

const workspaceSettings = {
  description: optionalText("description", "up to 500 characters"),
  defaultTextModel: optionalText("default-text-model", "e.g. openai/gpt-4o")
}

const workspacesCreate = Cli.make("create", {
  config: {
    name: Options.text("name").pipe(Options.withDescription("display name")),
    slug: Options.text("slug").pipe(Options.withDescription("lowercase letters, digits and dashes")),
    ...workspaceSettings,
    ...outputOptions
  },
  summary: "create a workspace",
  examples: [
    [`${$} workspaces create --name "Data Science" --slug data-science`],
    [`${$} workspaces create --name Support --slug support --default-text-model openai/gpt-4o`]
  ]
}, (a) =>
  Effect.flatMap(Workspaces, (w) =>
    Effect.flatMap(
      w.create({ name: a.name, slug: a.slug, ...some(a.description, "description"), ...some(a.defaultTextModel, "defaultTextModel") }),
      (r) => showWorkspace(a)(r.data)
    )))

const workspacesUpdate = Cli.make("update", {
  config: { id, name: optionalText("name", "new name"), slug: optionalText("slug", "new slug"), ...workspaceSettings, ...outputOptions },
  summary: "change a workspace's name, slug or settings (at least one)",
  examples: [[`${$} workspaces update data-science --name "Data & ML"`], [`${$} workspaces update support --description "tier 1 and 2"`]]
}, (a) =>
  Effect.gen(function*() {
    const changes = {
      ...some(a.name, "name"),
      ...some(a.slug, "slug"),
      ...some(a.description, "description"),
      ...some(a.defaultTextModel, "defaultTextModel")
    }
    if (Object.keys(changes).length === 0) {
      return yield* Effect.fail(Cli.usage("nothing to change: give --name, --slug, --description or --default-text-model (nothing was sent)"))
    }
    const w = yield* Workspaces
    yield* showWorkspace(a)((yield* w.update({ id: a.id, ...changes })).data)
  }))

/** What deleting the default workspace destroys (the API's own words, in the contract). */
const defaultWorkspaceLoss = [
  "The default workspace holds every member implicitly. Deleting it permanently:",
  "  - disables the account's unscoped inference keys (management keys are kept),",
  "  - deletes its budgets and guardrails, and disables its classifiers and broadcast destinations."
]

const workspacesDelete = Cli.make("delete", {
  config: {
    id,
    yes: yesOption,
    confirmDefault: Options.boolean("confirm-default-workspace-deletion").pipe(
      Options.withDescription("required to delete the default workspace: it disables the account's unscoped inference keys")
    ),
    ...outputOptions
  },
  summary: "delete a workspace and its budgets and guardrails (asks first; --yes to skip)",
  examples: [
    [`${$} workspaces delete data-science`, "asks you to type the slug"],
    [`${$} workspaces delete data-science --yes`, "in a script"]
  ]
}, (a) =>
  Effect.gen(function*() {
    const w = yield* Workspaces
    const workspace = (yield* w.get({ id: a.id })).data
    const isDefault = workspace.slug === "default"
    if (isDefault && !a.confirmDefault) {
      return yield* Effect.fail(Cli.usage(
        `${workspace.slug} is the default workspace: deleting it permanently disables the account's unscoped inference keys ` +
          `and deletes its budgets and guardrails. If that is what you want, pass --confirm-default-workspace-deletion (nothing was sent)`
      ))
    }
    yield* confirmDestructive({
      yes: a.yes,
      what: `delete workspace "${workspace.name}" (${workspace.slug}) with its budgets and guardrails`,
      expected: workspace.slug,
      ...(isDefault ? { details: defaultWorkspaceLoss } : {})
    })
    yield* w.delete({ id: workspace.id, ...(a.confirmDefault ? { confirmDefaultWorkspaceDeletion: true } : {}) }).pipe(
      Effect.catchTag("ForbiddenResponseError", (error: ForbiddenResponseError): Effect.Effect<never, Cli.UsageError | ForbiddenResponseError> =>
        // the API refuses the default workspace without the confirmation; that is not the key's fault
        /confirm_default_workspace_deletion/.test(error.serverMessage)
          ? Effect.fail(
            Cli.usage(`${workspace.slug} is the default workspace: pass --confirm-default-workspace-deletion to delete it (${error.serverMessage})`)
          )
          : Effect.fail(error))
    )
    yield* deleted(a, workspace.slug)()
  }))

// --- budgets ----------------------------------------------------------------------------------------

interface BudgetRow {
  readonly interval: string
  readonly limitUsd: number
  readonly updatedAt: string | undefined
  readonly id: string
  readonly workspaceId: string
}
const budgetColumns: ReadonlyArray<Column<BudgetRow>> = [
  column("INTERVAL", "interval"),
  column("LIMIT USD", "limitUsd", (n: number) => n.toFixed(2), { align: "right", keep: true }),
  dateColumn("UPDATED", "updatedAt"),
  column("ID", "id", undefined, { wide: true })
]
const budgetRow = (b: WorkspaceBudget): BudgetRow => ({
  interval: b.interval,
  limitUsd: b.limitUsd,
  updatedAt: (b as { readonly updatedAt?: string }).updatedAt,
  id: b.id,
  workspaceId: b.workspaceId
})
const showBudget = (flags: OutputFlags) => (b: WorkspaceBudget) => printRecord(budgetRow(b), { ...flags, fields: budgetColumns, id: (r) => r.id })

const budgets = Cli.group("budgets", "a workspace's budgets", [
  Cli.make(
    "list",
    { config: { id, ...listOptions }, summary: "list a workspace's budgets", examples: [[`${$} workspaces budgets list engineering`]] },
    (a) =>
      Effect.flatMap(
        Workspaces,
        (w) => Effect.flatMap(w.listBudgets({ id: a.id }), (r) => list(a, Stream.fromIterable(r.data.map(budgetRow)), budgetColumns, (b) => b.id))
      )
  ),
  Cli.make("get", {
    config: { id, interval, ...outputOptions },
    summary: "show one budget",
    examples: [[`${$} workspaces budgets get engineering monthly`]]
  }, (a) => Effect.flatMap(Workspaces, (w) => Effect.flatMap(w.getBudget({ id: a.id, interval: a.interval }), (r) => showBudget(a)(r.data)))),
  Cli.make(
    "set",
    {
      config: { id, interval, limitUsd: Options.float("limit-usd").pipe(Options.withDescription("the limit in US dollars")), ...outputOptions },
      summary: "create or change a budget",
      examples: [[`${$} workspaces budgets set engineering monthly --limit-usd 500`], [`${$} workspaces budgets set research daily --limit-usd 25`]]
    },
    (a) =>
      Effect.flatMap(
        Workspaces,
        (w) => Effect.flatMap(w.setBudget({ id: a.id, interval: a.interval, limitUsd: a.limitUsd }), (r) => showBudget(a)(r.data))
      )
  ),
  Cli.make(
    "delete",
    {
      config: { id, interval, ...outputOptions },
      summary: "delete a budget",
      examples: [[`${$} workspaces budgets delete engineering daily`]]
    },
    (a) => Effect.flatMap(Workspaces, (w) => Effect.flatMap(w.deleteBudget({ id: a.id, interval: a.interval }), deleted(a, `${a.id} ${a.interval}`)))
  )
])

// --- members ----------------------------------------------------------------------------------------

interface MemberRow {
  readonly userId: string
  readonly email: string | undefined
  readonly role: string
  readonly createdAt: string
}
const memberColumns: ReadonlyArray<Column<MemberRow>> = [
  column("USER", "userId", undefined, { keep: true }),
  column("E-MAIL", "email", undefined, { whole: true }),
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

const members = Cli.group("members", "a workspace's members", [
  Cli.make("list", {
    config: { id, ...listOptions },
    summary: "list a workspace's members, with their e-mails",
    examples: [[`${$} workspaces members list engineering`], [`${$} workspaces members list engineering -q > members.txt`]]
  }, (a) =>
    Effect.gen(function*() {
      const w = yield* Workspaces
      const byId = formatOf(a) === "table" ? yield* emailsByUserId : new Map<string, string>()
      const rows = w.streamMembers({ id: a.id }).pipe(
        Stream.map((m): MemberRow => ({ userId: m.userId, email: byId.get(m.userId), role: m.role, createdAt: m.createdAt }))
      )
      yield* list(a, rows, memberColumns, (m) => m.userId)
    })),
  Cli.make("add", {
    config: { id, users, ...outputOptions },
    summary: "add up to 100 organization members, by id or e-mail (for more, use `onboard`)",
    examples: [[`${$} workspaces members add engineering user_2abc ada@example.com`]]
  }, (a) =>
    Effect.gen(function*() {
      const userIds = yield* userIdsOf(a.users)
      const w = yield* Workspaces
      const r = yield* w.bulkAddMembers({ id: a.id, userIds })
      yield* printRecord({ workspace: a.id, addedCount: r.addedCount }, { ...a, id: () => String(r.addedCount) })
    })),
  Cli.make("remove", {
    config: { id, users, ...outputOptions },
    summary: "remove up to 100 members, by id or e-mail (for more, use `offboard`)",
    examples: [[`${$} workspaces members remove engineering user_2abc ada@example.com`]]
  }, (a) =>
    Effect.gen(function*() {
      const userIds = yield* userIdsOf(a.users)
      const w = yield* Workspaces
      const r = yield* w.bulkRemoveMembers({ id: a.id, userIds })
      yield* printRecord({ workspace: a.id, removedCount: r.removedCount }, { ...a, id: () => String(r.removedCount) })
    }))
])

export const workspaces = Cli.group("workspaces", "workspaces, their budgets and members", [
  workspacesList,
  workspacesGet,
  workspacesCreate,
  workspacesUpdate,
  workspacesDelete,
  budgets,
  members
])
