/**
 * `observability destinations …`: where a workspace's traces are broadcast (Langfuse, Datadog, S3, a
 * webhook…): list, get, create, update, delete. A destination's `config` (with its credentials) comes
 * from a JSON file or stdin (`--config-file FILE`, `--config-file -`), never from flags; credentials are
 * never printed (the API answers them masked, and they print as `<redacted>`).
 */
import { Args, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Observability } from "../../Observability.ts"
import { type Destination, type DestinationConfig, DestinationConfigSchema, type DestinationType } from "../../ObservabilityDomain.ts"
import * as Cli from "../command.ts"
import { $, confirmDestructive, deleted, list, optionalText, some, workspaceIdOf, yesOption } from "../common.ts"
import { type Column, column, dateColumn, listOptions, type OutputFlags, outputOptions, printRecord } from "../output.ts"
import { readSource } from "../secret-input.ts"

const destinationId = Args.text({ name: "destination-id" }).pipe(Args.withDescription("the destination's id (see `observability destinations list`)"))
const workspaceOption = optionalText("workspace", "workspace id or slug (default: the default workspace)")

const columns: ReadonlyArray<Column<Destination>> = [
  column("ID", "id", undefined, { keep: true }),
  column("TYPE", "type"),
  column("NAME", "name"),
  { header: "ENABLED", value: (d) => (d.enabled ? "yes" : "no") },
  column("SAMPLING", "samplingRate", undefined, { align: "right" }),
  { header: "PRIVACY", value: (d) => (d.privacyMode ? "metadata only" : "") },
  { header: "KEYS", value: (d) => (d.apiKeyHashes === null ? "all" : String(d.apiKeyHashes.length)), align: "right" },
  { header: "CONFIG", value: (d) => JSON.stringify(d.config), wide: true },
  column("WORKSPACE", "workspaceId", undefined, { wide: true }),
  dateColumn("UPDATED", "updatedAt")
]
const show = (flags: OutputFlags) => (destination: Destination) => printRecord(destination, { ...flags, fields: columns, id: (d) => d.id })

/** `--config-file`: a JSON object; its credentials (and header values) are wrapped `Redacted` at once. */
const configFrom = (path: string) =>
  Effect.gen(function*() {
    const text = yield* readSource("--config-file", path)
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      // the parser's message may quote the text, and the text holds credentials
      catch: () => Cli.usage(`--config-file ${path}: not JSON (a JSON object, e.g. {"url": "https://…"})`)
    })
    return yield* Schema.decodeUnknown(DestinationConfigSchema)(json).pipe(
      Effect.mapError(() => Cli.usage(`--config-file ${path}: expected a JSON object of the destination's settings`))
    )
  })

const settings = {
  samplingRate: Options.float("sampling-rate").pipe(Options.withDescription("share of events sent, 0.0001–1"), Options.optional),
  privacyMode: Options.choice("privacy-mode", ["on", "off"]).pipe(
    Options.withDescription("on: only metadata is sent, never request or response bodies"),
    Options.optional
  ),
  apiKeyHash: Options.text("api-key-hash").pipe(
    Options.withDescription("only this key's traffic (repeatable; replaces the list)"),
    Options.repeated
  ),
  allKeys: Options.boolean("all-keys").pipe(Options.withDescription("every key's traffic (clears --api-key-hash)"))
}
const settingsOf = (a: {
  readonly samplingRate: Option.Option<number>
  readonly privacyMode: Option.Option<"on" | "off">
  readonly apiKeyHash: ReadonlyArray<string>
  readonly allKeys: boolean
}) =>
  Effect.gen(function*() {
    if (a.allKeys && a.apiKeyHash.length > 0) return yield* Effect.fail(Cli.usage("give --api-key-hash or --all-keys, not both"))
    return {
      ...some(a.samplingRate, "samplingRate"),
      ...Option.match(a.privacyMode, { onNone: () => ({}), onSome: (mode) => ({ privacyMode: mode === "on" }) }),
      ...(a.apiKeyHash.length > 0 ? { apiKeyHashes: a.apiKeyHash } : a.allKeys ? { apiKeyHashes: null } : {})
    }
  })

const destinations = Cli.group("destinations", "where a workspace's traces are broadcast", [
  Cli.make("list", {
    config: { workspace: workspaceOption, ...listOptions },
    summary: "list a workspace's destinations",
    examples: [[`${$} observability destinations list --workspace engineering`]]
  }, (a) =>
    Effect.gen(function*() {
      const where = yield* workspaceIdOf(a.workspace)
      yield* list(a, (yield* Observability).stream(where), columns, (d) => d.id)
    })),
  Cli.make("get", {
    config: { id: destinationId, ...outputOptions },
    summary: "show one destination (credentials masked)",
    examples: [[`${$} observability destinations get DESTINATION_ID --json`]]
  }, (a) => Effect.flatMap(Observability, (o) => Effect.flatMap(o.get({ id: a.id }), (r) => show(a)(r.data)))),
  Cli.make("create", {
    config: {
      type: Options.text("type").pipe(
        Options.withDescription("langfuse, datadog, s3, webhook, otel-collector, … (at most 5 of a type per workspace)")
      ),
      name: Options.text("name").pipe(Options.withDescription("a name, unique in the workspace")),
      configFile: Options.text("config-file").pipe(Options.withDescription("the destination's settings and credentials as JSON (- for stdin)")),
      workspace: workspaceOption,
      disabled: Options.boolean("disabled").pipe(Options.withDescription("add it disabled")),
      ...settings,
      ...outputOptions
    },
    summary: "add a destination (its config and credentials read from --config-file or stdin)",
    examples: [
      [`${$} observability destinations create --type langfuse --name prod --config-file langfuse.json`],
      [`echo '{"url":"https://hooks.example.com/or"}' | ${$} observability destinations create --type webhook --name hook --config-file -`]
    ]
  }, (a) =>
    Effect.gen(function*() {
      const where = yield* workspaceIdOf(a.workspace)
      const config: DestinationConfig = yield* configFrom(a.configFile)
      const chosen = yield* settingsOf(a)
      const made = yield* (yield* Observability).create({
        type: a.type as DestinationType,
        name: a.name,
        config,
        ...where,
        ...(a.disabled ? { enabled: false } : {}),
        ...chosen
      })
      yield* show(a)(made.data)
    })),
  Cli.make("update", {
    config: {
      id: destinationId,
      name: optionalText("name", "new name"),
      configFile: optionalText("config-file", "settings to change, as JSON (- for stdin); fields left out keep their value"),
      enable: Options.boolean("enable").pipe(Options.withDescription("start sending")),
      disable: Options.boolean("disable").pipe(Options.withDescription("stop sending")),
      ...settings,
      ...outputOptions
    },
    summary: "change a destination (at least one change; config fields left out keep their value)",
    examples: [[`${$} observability destinations update DESTINATION_ID --sampling-rate 0.1`], [
      `${$} observability destinations update DESTINATION_ID --disable`
    ]]
  }, (a) =>
    Effect.gen(function*() {
      if (a.enable && a.disable) return yield* Effect.fail(Cli.usage("give --enable or --disable, not both"))
      const config = Option.isSome(a.configFile) ? { config: yield* configFrom(a.configFile.value) } : {}
      const changes = {
        ...some(a.name, "name"),
        ...config,
        ...(a.enable ? { enabled: true } : a.disable ? { enabled: false } : {}),
        ...(yield* settingsOf(a))
      }
      if (Object.keys(changes).length === 0) {
        return yield* Effect.fail(Cli.usage(
          "nothing to change: give --name, --config-file, --enable/--disable, --sampling-rate, --privacy-mode, --api-key-hash or --all-keys (nothing was sent)"
        ))
      }
      yield* show(a)((yield* (yield* Observability).update({ id: a.id, ...changes })).data)
    })),
  Cli.make("delete", {
    config: { id: destinationId, yes: yesOption, ...outputOptions },
    summary: "delete a destination (asks first; --yes to skip)",
    examples: [[`${$} observability destinations delete DESTINATION_ID`, "asks you to type its name"]]
  }, (a) =>
    Effect.gen(function*() {
      const o = yield* Observability
      const destination = (yield* o.get({ id: a.id })).data
      yield* confirmDestructive({
        yes: a.yes,
        what: `delete the ${destination.type} destination "${destination.name ?? destination.id}" (${destination.id}); its traces stop`,
        expected: destination.name ?? destination.id
      })
      yield* o.delete({ id: destination.id })
      yield* deleted(a, destination.id)()
    }))
])

export const observability = Cli.group("observability", "where traces are broadcast: destinations (Langfuse, Datadog, S3, webhooks…)", [destinations])
