/**
 * `guardrails …`: list, get, create, update and delete guardrails, and assign them to members (by user
 * id or e-mail) and keys. Deleting asks first (typing the guardrail's name) or needs `--yes`; an update
 * with no field sends nothing.
 */
import { Args, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { Guardrails } from "../../Guardrails.ts"
import type { Guardrail, KeyAssignment, MemberAssignment } from "../../GuardrailsDomain.ts"
import * as Cli from "../command.ts"
import { $, confirmDestructive, deleted, list, optionalText, some, usd, userIdsOf, workspaceIdOf, yesOption } from "../common.ts"
import { type Column, column, dateColumn, listOptions, type OutputFlags, outputOptions, printRecord } from "../output.ts"

const workspaceOption = optionalText("workspace", "workspace id or slug (default: the default workspace)")
const guardrailId = Args.text({ name: "guardrail-id" }).pipe(Args.withDescription("the guardrail's id (see `guardrails list`)"))

const guardrailColumns: ReadonlyArray<Column<Guardrail>> = [
  column("ID", "id", undefined, { keep: true }),
  column("NAME", "name"),
  {
    header: "LIMIT",
    value: (g) => (g.limitUsd == null ? "" : `${usd(g.limitUsd)}${g.resetInterval ? `/${g.resetInterval}` : ""}`),
    align: "right",
    keep: true
  },
  { header: "PROVIDERS", value: (g) => (g.allowedProviders ?? []).join(",") },
  { header: "MODELS", value: (g) => (g.allowedModels ?? []).join(","), wide: true },
  { header: "REGIONS", value: (g) => (g.allowedDataRegions ?? []).join(","), wide: true },
  dateColumn("CREATED", "createdAt")
]
const showGuardrail = (flags: OutputFlags) => (g: Guardrail) => printRecord(g, { ...flags, fields: guardrailColumns, id: (x) => x.id })
const repeated = (name: string, description: string) => Options.text(name).pipe(Options.withDescription(description), Options.repeated)
const guardrailSettings = {
  description: optionalText("description", "up to 1000 characters"),
  limitUsd: Options.float("limit-usd").pipe(Options.withDescription("spending limit in USD"), Options.optional),
  resetInterval: Options.choice("reset-interval", ["daily", "weekly", "monthly"]).pipe(Options.optional),
  allowedProvider: repeated("allowed-provider", "a provider its members may use (repeatable; replaces the list)"),
  allowedModel: repeated("allowed-model", "a model its members may use (repeatable; replaces the list)"),
  allowedDataRegion: Options.choice("allowed-data-region", ["global", "europe", "us"]).pipe(
    Options.withDescription("a data region requests may be served from (repeatable; replaces the list)"),
    Options.repeated
  )
}
const settingsOf = (a: {
  readonly description: Option.Option<string>
  readonly limitUsd: Option.Option<number>
  readonly resetInterval: Option.Option<"daily" | "weekly" | "monthly">
  readonly allowedProvider: ReadonlyArray<string>
  readonly allowedModel: ReadonlyArray<string>
  readonly allowedDataRegion: ReadonlyArray<"global" | "europe" | "us">
}) => ({
  ...some(a.description, "description"),
  ...some(a.limitUsd, "limitUsd"),
  ...some(a.resetInterval, "resetInterval"),
  ...(a.allowedProvider.length > 0 ? { allowedProviders: a.allowedProvider } : {}),
  ...(a.allowedModel.length > 0 ? { allowedModels: a.allowedModel } : {}),
  ...(a.allowedDataRegion.length > 0 ? { allowedDataRegions: a.allowedDataRegion } : {})
})

const memberAssignmentColumns: ReadonlyArray<Column<MemberAssignment>> = [
  column("USER", "userId", undefined, { keep: true }),
  column("GUARDRAIL", "guardrailId", undefined, { keep: true }),
  column("ASSIGNED BY", "assignedBy"),
  dateColumn("ASSIGNED", "createdAt")
]
const keyAssignmentColumns: ReadonlyArray<Column<KeyAssignment>> = [
  column("HASH", "keyHash", undefined, { keep: true }),
  column("KEY", "keyName"),
  column("LABEL", "keyLabel"),
  column("GUARDRAIL", "guardrailId", undefined, { keep: true }),
  dateColumn("ASSIGNED", "createdAt")
]
const counted = (flags: OutputFlags, what: "assigned" | "unassigned", count: number) =>
  printRecord({ [what]: count }, { ...flags, fields: [column(what, what)], id: () => String(count) })

const members = Cli.group("members", "a guardrail's member assignments", [
  Cli.make("list", {
    config: { id: guardrailId, ...listOptions },
    summary: "list the members a guardrail applies to",
    examples: [[`${$} guardrails members list GUARDRAIL_ID`]]
  }, (a) => Effect.flatMap(Guardrails, (g) => list(a, g.streamMemberAssignments({ id: a.id }), memberAssignmentColumns, (x) => x.userId))),
  Cli.make("assign", {
    config: {
      id: guardrailId,
      users: Args.text({ name: "user" }).pipe(Args.atLeast(1), Args.withDescription("organization members' user ids or e-mails (up to 100)")),
      ...outputOptions
    },
    summary: "assign the guardrail to members, by user id or e-mail",
    examples: [[`${$} guardrails members assign GUARDRAIL_ID user_2abc ada@example.com`]]
  }, (a) =>
    Effect.gen(function*() {
      const memberUserIds = yield* userIdsOf(a.users)
      const g = yield* Guardrails
      yield* counted(a, "assigned", (yield* g.assignMembers({ id: a.id, memberUserIds })).assignedCount)
    })),
  Cli.make("unassign", {
    config: {
      id: guardrailId,
      users: Args.text({ name: "user" }).pipe(Args.atLeast(1), Args.withDescription("organization members' user ids or e-mails (up to 100)")),
      ...outputOptions
    },
    summary: "take the guardrail off members, by user id or e-mail",
    examples: [[`${$} guardrails members unassign GUARDRAIL_ID ada@example.com`]]
  }, (a) =>
    Effect.gen(function*() {
      const memberUserIds = yield* userIdsOf(a.users)
      const g = yield* Guardrails
      yield* counted(a, "unassigned", (yield* g.unassignMembers({ id: a.id, memberUserIds })).unassignedCount)
    }))
])

const keyHashes = Args.text({ name: "key-hash" }).pipe(Args.atLeast(1), Args.withDescription("keys' hashes (up to 100)"))
const keys = Cli.group("keys", "a guardrail's key assignments", [
  Cli.make("list", {
    config: { id: guardrailId, ...listOptions },
    summary: "list the keys a guardrail applies to",
    examples: [[`${$} guardrails keys list GUARDRAIL_ID`]]
  }, (a) => Effect.flatMap(Guardrails, (g) => list(a, g.streamKeyAssignments({ id: a.id }), keyAssignmentColumns, (x) => x.keyHash))),
  Cli.make(
    "assign",
    {
      config: { id: guardrailId, keyHashes, ...outputOptions },
      summary: "assign the guardrail to keys",
      examples: [[`${$} guardrails keys assign GUARDRAIL_ID f01d5260…`]]
    },
    (a) =>
      Effect.flatMap(
        Guardrails,
        (g) => Effect.flatMap(g.assignKeys({ id: a.id, keyHashes: a.keyHashes }), (r) => counted(a, "assigned", r.assignedCount))
      )
  ),
  Cli.make(
    "unassign",
    {
      config: { id: guardrailId, keyHashes, ...outputOptions },
      summary: "take the guardrail off keys",
      examples: [[`${$} guardrails keys unassign GUARDRAIL_ID f01d5260…`]]
    },
    (a) =>
      Effect.flatMap(
        Guardrails,
        (g) => Effect.flatMap(g.unassignKeys({ id: a.id, keyHashes: a.keyHashes }), (r) => counted(a, "unassigned", r.unassignedCount))
      )
  )
])

export const guardrails = Cli.group("guardrails", "guardrails (spending limits and model/provider policies) and their assignments", [
  Cli.make("list", {
    config: { workspace: workspaceOption, ...listOptions },
    summary: "list a workspace's guardrails",
    examples: [[`${$} guardrails list --workspace engineering`]]
  }, (a) =>
    Effect.gen(function*() {
      const g = yield* Guardrails
      const where = yield* workspaceIdOf(a.workspace)
      yield* list(a, g.stream(where), guardrailColumns, (x) => x.id)
    })),
  Cli.make("get", {
    config: { id: guardrailId, ...outputOptions },
    summary: "show one guardrail",
    examples: [[`${$} guardrails get GUARDRAIL_ID --json`]]
  }, (a) => Effect.flatMap(Guardrails, (g) => Effect.flatMap(g.get({ id: a.id }), (r) => showGuardrail(a)(r.data)))),
  Cli.make("create", {
    config: {
      name: Options.text("name").pipe(Options.withDescription("1–200 characters")),
      workspace: workspaceOption,
      ...guardrailSettings,
      ...outputOptions
    },
    summary: "create a guardrail (it applies to no one until assigned)",
    examples: [[
      `${$} guardrails create --name "EU only" --workspace engineering --allowed-provider mistral --limit-usd 100 --reset-interval monthly`
    ]]
  }, (a) =>
    Effect.gen(function*() {
      const g = yield* Guardrails
      const where = yield* workspaceIdOf(a.workspace)
      yield* showGuardrail(a)((yield* g.create({ name: a.name, ...where, ...settingsOf(a) })).data)
    })),
  Cli.make("update", {
    config: { id: guardrailId, name: optionalText("name", "new name"), ...guardrailSettings, ...outputOptions },
    summary: "change a guardrail (at least one field; lists replace the whole list)",
    examples: [[`${$} guardrails update GUARDRAIL_ID --limit-usd 250`]]
  }, (a) =>
    Effect.gen(function*() {
      const changes = { ...some(a.name, "name"), ...settingsOf(a) }
      if (Object.keys(changes).length === 0) {
        return yield* Effect.fail(Cli.usage(
          "nothing to change: give --name, --description, --limit-usd, --reset-interval, --allowed-provider, --allowed-model or --allowed-data-region (nothing was sent)"
        ))
      }
      const g = yield* Guardrails
      yield* showGuardrail(a)((yield* g.update({ id: a.id, ...changes })).data)
    })),
  Cli.make("delete", {
    config: { id: guardrailId, yes: yesOption, ...outputOptions },
    summary: "delete a guardrail (asks first; --yes to skip)",
    examples: [[`${$} guardrails delete GUARDRAIL_ID`, "asks you to type its name"], [`${$} guardrails delete GUARDRAIL_ID --yes`, "in a script"]]
  }, (a) =>
    Effect.gen(function*() {
      const g = yield* Guardrails
      const guardrail = (yield* g.get({ id: a.id })).data
      yield* confirmDestructive({
        yes: a.yes,
        what: `delete guardrail "${guardrail.name}" (${guardrail.id}) and take it off every member and key`,
        expected: guardrail.name
      })
      yield* g.delete({ id: guardrail.id })
      yield* deleted(a, guardrail.id)()
    })),
  members,
  keys,
  Cli.group("assignments", "every assignment in the organization", [
    Cli.make("members", {
      config: listOptions,
      summary: "every member assignment of every guardrail",
      examples: [[`${$} guardrails assignments members --jsonl`]]
    }, (a) => Effect.flatMap(Guardrails, (g) => list(a, g.streamAllMemberAssignments(), memberAssignmentColumns, (x) => x.userId))),
    Cli.make("keys", {
      config: listOptions,
      summary: "every key assignment of every guardrail",
      examples: [[`${$} guardrails assignments keys`]]
    }, (a) => Effect.flatMap(Guardrails, (g) => list(a, g.streamAllKeyAssignments(), keyAssignmentColumns, (x) => x.keyHash)))
  ])
])
