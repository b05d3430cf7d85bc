/**
 * `keys …` and `guardrails …`: one command per API operation. A workspace is named by id or slug (the
 * API takes its UUID: the slug is looked up first). A new key's secret is printed once, by `keys create`,
 * and nowhere else.
 */
import { Args, Command, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { Guardrails } from "../Guardrails.ts"
import { Keys } from "../Keys.ts"
import { Workspaces } from "../Workspaces.ts"
import { $, command, deleted, list, optionalText, some } from "./operations.ts"
import { type Column, column, dateColumn, formatOf, listOptions, outputOptions, printRecord } from "./output.ts"
import { UsageError } from "./runtime.ts"

const workspaceOption = optionalText("workspace", "workspace id or slug (default: the default workspace)")

/** The workspace's UUID for `--workspace` (an id or a slug), when one is given. */
const workspaceIdOf = (workspace: Option.Option<string>) =>
  Option.match(workspace, {
    onNone: () => Effect.succeed({}),
    onSome: (ref) =>
      Effect.flatMap(Workspaces, (w) => Effect.map(w.get({ id: ref }), (r) => ({ workspaceId: r.data.id }))).pipe(
        Effect.catchTag(
          "NotFoundResponseError",
          () => Effect.fail(new UsageError(`--workspace ${ref}: no workspace has this id or slug (see \`${$} workspaces list\`)`))
        )
      )
  })

const usd = (n: number | null | undefined) => (n === null || n === undefined ? "" : `$${n.toFixed(2)}`)

// --- keys ---------------------------------------------------------------------------------------------

const hash = Args.text({ name: "hash" }).pipe(Args.withDescription("the key's hash (see `keys list`)"))
const keyColumns: ReadonlyArray<Column<any>> = [
  column("NAME", "name"),
  { header: "STATE", value: (k: any) => (k.disabled ? "disabled" : k.expiresAt && Date.parse(k.expiresAt) < Date.now() ? "expired" : "active") },
  { header: "USAGE", value: (k: any) => usd(k.usage), align: "right", keep: true },
  {
    header: "LIMIT",
    value: (k: any) => (k.limit === null ? "" : `${usd(k.limit)}${k.limitReset ? `/${k.limitReset}` : ""}`),
    align: "right",
    keep: true
  },
  dateColumn("EXPIRES", "expiresAt"),
  column("HASH", "hash", undefined, { keep: true }),
  column("LABEL", "label", undefined, { wide: true }),
  column("CREATOR", "creatorUserId", undefined, { wide: true }),
  dateColumn("CREATED", "createdAt", { wide: true })
]
const showKey = (args: any) => (key: any) => printRecord(key, { ...args, fields: keyColumns, id: (k: any) => k.hash })
const keyLimit = {
  limit: Options.float("limit").pipe(Options.withDescription("spending limit in USD"), Options.optional),
  limitReset: Options.choice("limit-reset", ["daily", "weekly", "monthly"]).pipe(
    Options.withDescription("when the limit resets (default: never)"),
    Options.optional
  )
}

export const keysOperations = [
  command(
    "list",
    {
      workspace: workspaceOption,
      includeDisabled: Options.boolean("include-disabled").pipe(Options.withDescription("list disabled keys too")),
      ...listOptions
    },
    "list a workspace's API keys",
    [[`${$} keys list --workspace engineering`], [`${$} keys list --workspace engineering --include-disabled --jsonl`]],
    (a) =>
      Effect.gen(function*() {
        const keys = yield* Keys
        const where = yield* workspaceIdOf(a.workspace)
        yield* list(a, keys.stream({ ...where, includeDisabled: a.includeDisabled }), keyColumns, (k) => k.hash)
      })
  ),
  command(
    "get",
    { hash, ...outputOptions },
    "show one key (never its secret)",
    [[`${$} keys get f01d5260…`]],
    (a) => Effect.flatMap(Keys, (k) => Effect.flatMap(k.get({ hash: a.hash }), (r) => showKey(a)(r.data)))
  ),
  command(
    "create",
    {
      name: Options.text("name").pipe(Options.withDescription("the key's name")),
      workspace: workspaceOption,
      creator: optionalText("creator", "the organization member the key belongs to (user id)"),
      ...keyLimit,
      expiresAt: optionalText("expires-at", "ISO date-time in UTC, e.g. 2027-01-01T00:00:00Z"),
      ...outputOptions
    },
    "create a key; its secret is printed this once (with -q: only the secret)",
    [
      [`${$} keys create --name ci --workspace engineering --limit 50 --limit-reset monthly`],
      [`${$} keys create --name ci -q > ci.key`, "keep only the secret"]
    ],
    (a) =>
      Effect.gen(function*() {
        const keys = yield* Keys
        const where = yield* workspaceIdOf(a.workspace)
        const created = yield* keys.create({
          name: a.name,
          ...where,
          ...some(a.creator, "creatorUserId"),
          ...some(a.limit, "limit"),
          ...some(a.limitReset, "limitReset"),
          ...some(a.expiresAt, "expiresAt")
        })
        const secret = Redacted.value(created.key)
        if (formatOf(a) === "ids") return yield* Effect.sync(() => process.stdout.write(`${secret}\n`))
        yield* printRecord({ ...created.data, key: secret }, {
          ...a,
          fields: [column("Key (shown once)", "key", undefined, { keep: true }), ...keyColumns],
          id: (k: any) => k.hash
        })
        if (formatOf(a) === "table") process.stderr.write("Store the key now: it cannot be shown again.\n")
      })
  ),
  command(
    "update",
    {
      hash,
      name: optionalText("name", "new name"),
      disable: Options.boolean("disable").pipe(Options.withDescription("disable the key (reversible)")),
      enable: Options.boolean("enable").pipe(Options.withDescription("enable a disabled key")),
      ...keyLimit,
      ...outputOptions
    },
    "rename, disable, enable or change a key's limit",
    [[`${$} keys update f01d5260… --disable`], [`${$} keys update f01d5260… --limit 100 --limit-reset weekly`]],
    (a) =>
      Effect.flatMap(Keys, (k) =>
        Effect.flatMap(
          k.update({
            hash: a.hash,
            ...some(a.name, "name"),
            ...(a.disable ? { disabled: true } : a.enable ? { disabled: false } : {}),
            ...some(a.limit, "limit"),
            ...some(a.limitReset, "limitReset")
          }),
          (r) => showKey(a)(r.data)
        ))
  ),
  command(
    "delete",
    { hash, ...outputOptions },
    "delete a key (to keep it recoverable, `keys update --disable`)",
    [[`${$} keys delete f01d5260…`]],
    (a) => Effect.flatMap(Keys, (k) => Effect.flatMap(k.delete({ hash: a.hash }), deleted(a, a.hash)))
  )
] as const

// --- guardrails ---------------------------------------------------------------------------------------

const guardrailId = Args.text({ name: "guardrail-id" }).pipe(Args.withDescription("the guardrail's id (see `guardrails list`)"))
const guardrailColumns: ReadonlyArray<Column<any>> = [
  column("NAME", "name"),
  {
    header: "LIMIT",
    value: (g: any) => (g.limitUsd == null ? "" : `${usd(g.limitUsd)}${g.resetInterval ? `/${g.resetInterval}` : ""}`),
    align: "right"
  },
  { header: "PROVIDERS", value: (g: any) => (g.allowedProviders ?? []).join(",") },
  { header: "MODELS", value: (g: any) => (g.allowedModels ?? []).join(","), wide: true },
  column("ID", "id", undefined, { keep: true }),
  dateColumn("CREATED", "createdAt")
]
const showGuardrail = (args: any) => (g: any) => printRecord(g, { ...args, fields: guardrailColumns, id: (x: any) => x.id })
const repeated = (name: string, description: string) => Options.text(name).pipe(Options.withDescription(description), Options.repeated)
const guardrailSettings = {
  description: optionalText("description", "up to 1000 characters"),
  limitUsd: Options.float("limit-usd").pipe(Options.withDescription("spending limit in USD"), Options.optional),
  resetInterval: Options.choice("reset-interval", ["daily", "weekly", "monthly"]).pipe(Options.optional),
  allowedProvider: repeated("allowed-provider", "a provider its members may use (repeatable; replaces the list)"),
  allowedModel: repeated("allowed-model", "a model its members may use (repeatable; replaces the list)")
}
const settingsOf = (a: any) => ({
  ...some(a.description, "description"),
  ...some(a.limitUsd, "limitUsd"),
  ...some(a.resetInterval, "resetInterval"),
  ...(a.allowedProvider.length > 0 ? { allowedProviders: a.allowedProvider } : {}),
  ...(a.allowedModel.length > 0 ? { allowedModels: a.allowedModel } : {})
})

const memberAssignmentColumns: ReadonlyArray<Column<any>> = [
  column("USER", "userId", undefined, { keep: true }),
  column("GUARDRAIL", "guardrailId", undefined, { keep: true }),
  column("ASSIGNED BY", "assignedBy"),
  dateColumn("ASSIGNED", "createdAt")
]
const keyAssignmentColumns: ReadonlyArray<Column<any>> = [
  column("KEY", "keyName"),
  column("LABEL", "keyLabel"),
  column("HASH", "keyHash", undefined, { keep: true }),
  column("GUARDRAIL", "guardrailId", undefined, { keep: true }),
  dateColumn("ASSIGNED", "createdAt")
]
const counted = (args: any, what: string) => (r: any) => {
  const count = r.assignedCount ?? r.unassignedCount ?? 0
  return printRecord({ [what]: count }, { ...args, fields: [column(what, what)], id: () => String(count) })
}

/** `members|keys list/assign/unassign` of one guardrail. */
const assignments = (
  kind: "members" | "keys",
  item: { readonly name: string; readonly description: string; readonly field: "memberUserIds" | "keyHashes" }
) => {
  const items = Args.text({ name: item.name }).pipe(Args.atLeast(1), Args.withDescription(item.description))
  const ops = kind === "members"
    ? { stream: "streamMemberAssignments", assign: "assignMembers", unassign: "unassignMembers" } as const
    : { stream: "streamKeyAssignments", assign: "assignKeys", unassign: "unassignKeys" } as const
  const columns = kind === "members" ? memberAssignmentColumns : keyAssignmentColumns
  return Command.make(kind).pipe(
    Command.withDescription(`a guardrail's ${kind === "members" ? "member" : "key"} assignments`),
    Command.withSubcommands([
      command(
        "list",
        { id: guardrailId, ...listOptions },
        `list the ${kind} a guardrail applies to`,
        [[`${$} guardrails ${kind} list GUARDRAIL_ID`]],
        (a) => Effect.flatMap(Guardrails, (g) => list(a, (g[ops.stream] as any)({ id: a.id }) as Stream.Stream<any, any>, columns, (x: any) => x.id))
      ),
      command(
        "assign",
        { id: guardrailId, items, ...outputOptions },
        `assign the guardrail to ${kind}`,
        [[`${$} guardrails ${kind} assign GUARDRAIL_ID ${kind === "members" ? "user_2abc" : "f01d5260…"}`]],
        (a) =>
          Effect.flatMap(
            Guardrails,
            (g) => Effect.flatMap((g[ops.assign] as any)({ id: a.id, [item.field]: a.items }) as Effect.Effect<any, any>, counted(a, "assigned"))
          )
      ),
      command(
        "unassign",
        { id: guardrailId, items, ...outputOptions },
        `take the guardrail off ${kind}`,
        [[`${$} guardrails ${kind} unassign GUARDRAIL_ID ${kind === "members" ? "user_2abc" : "f01d5260…"}`]],
        (a) =>
          Effect.flatMap(
            Guardrails,
            (g) => Effect.flatMap((g[ops.unassign] as any)({ id: a.id, [item.field]: a.items }) as Effect.Effect<any, any>, counted(a, "unassigned"))
          )
      )
    ])
  )
}

export const guardrails = Command.make("guardrails").pipe(
  Command.withDescription("guardrails (spending limits and model/provider policies) and their assignments"),
  Command.withSubcommands([
    command("list", { workspace: workspaceOption, ...listOptions }, "list a workspace's guardrails", [[
      `${$} guardrails list --workspace engineering`
    ]], (a) =>
      Effect.gen(function*() {
        const g = yield* Guardrails
        const where = yield* workspaceIdOf(a.workspace)
        yield* list(a, g.stream(where), guardrailColumns, (x) => x.id)
      })),
    command(
      "get",
      { id: guardrailId, ...outputOptions },
      "show one guardrail",
      [[`${$} guardrails get GUARDRAIL_ID --json`]],
      (a) => Effect.flatMap(Guardrails, (g) => Effect.flatMap(g.get({ id: a.id }), (r) => showGuardrail(a)(r.data)))
    ),
    command(
      "create",
      {
        name: Options.text("name").pipe(Options.withDescription("1–200 characters")),
        workspace: workspaceOption,
        ...guardrailSettings,
        ...outputOptions
      },
      "create a guardrail (it applies to no one until assigned)",
      [[`${$} guardrails create --name "EU only" --workspace engineering --allowed-provider mistral --limit-usd 100 --reset-interval monthly`]],
      (a) =>
        Effect.gen(function*() {
          const g = yield* Guardrails
          const where = yield* workspaceIdOf(a.workspace)
          yield* showGuardrail(a)((yield* g.create({ name: a.name, ...where, ...settingsOf(a) })).data)
        })
    ),
    command(
      "update",
      { id: guardrailId, name: optionalText("name", "new name"), ...guardrailSettings, ...outputOptions },
      "change a guardrail (lists replace the whole list)",
      [[`${$} guardrails update GUARDRAIL_ID --limit-usd 250`]],
      (a) =>
        Effect.flatMap(
          Guardrails,
          (g) => Effect.flatMap(g.update({ id: a.id, ...some(a.name, "name"), ...settingsOf(a) }), (r) => showGuardrail(a)(r.data))
        )
    ),
    command(
      "delete",
      { id: guardrailId, ...outputOptions },
      "delete a guardrail",
      [[`${$} guardrails delete GUARDRAIL_ID`]],
      (a) => Effect.flatMap(Guardrails, (g) => Effect.flatMap(g.delete({ id: a.id }), deleted(a, a.id)))
    ),
    assignments("members", { name: "user-id", description: "organization members' user ids (up to 100)", field: "memberUserIds" }),
    assignments("keys", { name: "key-hash", description: "keys' hashes (up to 100)", field: "keyHashes" }),
    Command.make("assignments").pipe(
      Command.withDescription("every assignment in the organization"),
      Command.withSubcommands([
        command(
          "members",
          listOptions,
          "every member assignment of every guardrail",
          [[`${$} guardrails assignments members --jsonl`]],
          (a) => Effect.flatMap(Guardrails, (g) => list(a, g.streamAllMemberAssignments(), memberAssignmentColumns, (x) => x.id))
        ),
        command(
          "keys",
          listOptions,
          "every key assignment of every guardrail",
          [[`${$} guardrails assignments keys`]],
          (a) => Effect.flatMap(Guardrails, (g) => list(a, g.streamAllKeyAssignments(), keyAssignmentColumns, (x) => x.id))
        )
      ])
    )
  ])
)
