/**
 * `keys …`: list, get, create, update and delete API keys, one command per API operation; `keys audit`
 * and `keys disable`, the key-hygiene job. A new key's secret is printed once, by `keys create`, whole
 * and on a line of its own at any terminal width. Deleting asks first (typing the key's name) or needs
 * `--yes`; an update with no field sends nothing.
 */
import { Args, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { Keys } from "../../Keys.ts"
import type { ApiKey } from "../../KeysDomain.ts"
import * as Cli from "../command.ts"
import { $, confirmDestructive, deleted, list, optionalText, some, usd, workspaceIdOf, yesOption } from "../common.ts"
import { jobCommand, keysAudit } from "../job-commands.ts"
import { type Column, column, dateColumn, formatOf, listOptions, type OutputFlags, outputOptions, printRecord } from "../output.ts"

const workspaceOption = optionalText("workspace", "workspace id or slug (default: the default workspace)")
const hash = Args.text({ name: "hash" }).pipe(Args.withDescription("the key's hash (see `keys list`)"))

const stateOf = (k: ApiKey) => (k.disabled ? "disabled" : k.expiresAt && Date.parse(k.expiresAt) < Date.now() ? "expired" : "active")
export const keyColumns: ReadonlyArray<Column<ApiKey>> = [
  column("HASH", "hash", undefined, { keep: true }),
  column("NAME", "name"),
  { header: "STATE", value: stateOf },
  { header: "USAGE", value: (k) => usd(k.usage), align: "right", keep: true },
  {
    header: "LIMIT",
    value: (k) => (k.limit === null ? "" : `${usd(k.limit)}${k.limitReset ? `/${k.limitReset}` : ""}`),
    align: "right",
    keep: true
  },
  dateColumn("EXPIRES", "expiresAt"),
  column("LABEL", "label", undefined, { wide: true }),
  column("CREATOR", "creatorUserId", undefined, { wide: true }),
  dateColumn("CREATED", "createdAt", { wide: true })
]
const showKey = (flags: OutputFlags) => (key: ApiKey) => printRecord(key, { ...flags, fields: keyColumns, id: (k) => k.hash })
const keyLimit = {
  limit: Options.float("limit").pipe(Options.withDescription("spending limit in USD"), Options.optional),
  limitReset: Options.choice("limit-reset", ["daily", "weekly", "monthly"]).pipe(
    Options.withDescription("when the limit resets (default: never)"),
    Options.optional
  )
}

const keysList = Cli.make("list", {
  config: {
    workspace: workspaceOption,
    includeDisabled: Options.boolean("include-disabled").pipe(Options.withDescription("list disabled keys too")),
    ...listOptions
  },
  summary: "list a workspace's API keys",
  examples: [[`${$} keys list --workspace engineering`], [`${$} keys list --workspace engineering --include-disabled --jsonl`]]
}, (a) =>
  Effect.gen(function*() {
    const keys = yield* Keys
    const where = yield* workspaceIdOf(a.workspace)
    yield* list(a, keys.stream({ ...where, includeDisabled: a.includeDisabled }), keyColumns, (k) => k.hash)
  }))

const keysGet = Cli.make("get", {
  config: { hash, ...outputOptions },
  summary: "show one key (never its secret)",
  examples: [[`${$} keys get f01d5260…`]]
}, (a) => Effect.flatMap(Keys, (k) => Effect.flatMap(k.get({ hash: a.hash }), (r) => showKey(a)(r.data))))

const keysCreate = Cli.make("create", {
  config: {
    name: Options.text("name").pipe(Options.withDescription("the key's name")),
    workspace: workspaceOption,
    creator: optionalText("creator", "the organization member the key belongs to (user id)"),
    ...keyLimit,
    expiresAt: optionalText("expires-at", "ISO date-time in UTC, e.g. 2027-01-01T00:00:00Z"),
    ...outputOptions
  },
  summary: "create a key; its secret is printed this once, whole, on a line of its own (with -q: only the secret)",
  examples: [
    [`${$} keys create --name ci --workspace engineering --limit 50 --limit-reset monthly`],
    [`${$} keys create --name ci -q > ci.key`, "keep only the secret"]
  ]
}, (a) =>
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
    const format = formatOf(a)
    if (format === "ids") return yield* Effect.sync(() => process.stdout.write(`${secret}\n`))
    if (format !== "table") return yield* printRecord({ ...created.data, key: secret }, { ...a, id: (k) => k.hash })
    // the secret alone on its line, never cut or padded, so it can be copied whole at any width
    yield* Effect.sync(() => process.stdout.write(`Key (shown once, store it now):\n${secret}\n\n`))
    yield* showKey(a)(created.data)
    process.stderr.write("Store the key now: it cannot be shown again.\n")
  }))

const keysUpdate = Cli.make("update", {
  config: {
    hash,
    name: optionalText("name", "new name"),
    disable: Options.boolean("disable").pipe(Options.withDescription("disable the key (reversible)")),
    enable: Options.boolean("enable").pipe(Options.withDescription("enable a disabled key")),
    ...keyLimit,
    ...outputOptions
  },
  summary: "rename, disable, enable or change a key's limit (at least one)",
  examples: [[`${$} keys update f01d5260… --disable`], [`${$} keys update f01d5260… --limit 100 --limit-reset weekly`]]
}, (a) =>
  Effect.gen(function*() {
    if (a.disable && a.enable) return yield* Effect.fail(Cli.usage("give --disable or --enable, not both (nothing was sent)"))
    const changes = {
      ...some(a.name, "name"),
      ...(a.disable ? { disabled: true } : a.enable ? { disabled: false } : {}),
      ...some(a.limit, "limit"),
      ...some(a.limitReset, "limitReset")
    }
    if (Object.keys(changes).length === 0) {
      return yield* Effect.fail(Cli.usage("nothing to change: give --name, --disable, --enable, --limit or --limit-reset (nothing was sent)"))
    }
    const k = yield* Keys
    yield* showKey(a)((yield* k.update({ hash: a.hash, ...changes })).data)
  }))

const keysDelete = Cli.make("delete", {
  config: { hash, yes: yesOption, ...outputOptions },
  summary: "delete a key (asks first; --yes to skip; to keep it recoverable, `keys update --disable`)",
  examples: [[`${$} keys delete f01d5260…`, "asks you to type the key's name"], [`${$} keys delete f01d5260… --yes`, "in a script"]]
}, (a) =>
  Effect.gen(function*() {
    const k = yield* Keys
    const key = (yield* k.get({ hash: a.hash })).data
    yield* confirmDestructive({ yes: a.yes, what: `delete key "${key.name}" (${key.hash}); it stops working at once`, expected: key.name })
    yield* k.delete({ hash: key.hash })
    yield* deleted(a, key.hash)()
  }))

/** The `keys` commands (main.ts makes the group, so other files can add theirs, e.g. `keys rotate`). */
export const keysCommands = [
  keysList,
  keysGet,
  keysCreate,
  keysUpdate,
  keysDelete,
  keysAudit,
  jobCommand("key-hygiene"),
  jobCommand("key-rotation")
]
