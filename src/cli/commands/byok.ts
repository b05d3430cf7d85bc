/**
 * `byok …`: the provider API keys an organisation brings: list, get, create, update (rotate the key in
 * place), delete. The provider key comes from a file or stdin (`--key-file FILE`, `--key-file -`) or is
 * typed hidden on a terminal, never from a flag; it is never printed (the API answers a masked label).
 */
import { Args, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Byok } from "../../Byok.ts"
import type { ByokKey, ByokProvider } from "../../ByokDomain.ts"
import * as Cli from "../command.ts"
import { $, confirmDestructive, deleted, list, optionalText, some, workspaceIdOf, yesOption } from "../common.ts"
import { type Column, column, dateColumn, listOptions, type OutputFlags, outputOptions, printRecord } from "../output.ts"
import { secretFrom } from "../secret-input.ts"

const credentialId = Args.text({ name: "credential-id" }).pipe(Args.withDescription("the credential's id (see `byok list`)"))
const workspaceOption = optionalText("workspace", "workspace id or slug (default: the default workspace)")
const keyFile = optionalText("key-file", "read the provider key from this file's first line (- for stdin); never give it as a flag")
const repeated = (name: string, description: string) => Options.text(name).pipe(Options.withDescription(description), Options.repeated)

const columns: ReadonlyArray<Column<ByokKey>> = [
  column("ID", "id", undefined, { keep: true }),
  column("PROVIDER", "provider"),
  column("NAME", "name"),
  column("LABEL", "label"),
  column("ORDER", "sortOrder", undefined, { align: "right" }),
  { header: "FALLBACK", value: (k) => (k.isFallback ? "yes" : "") },
  { header: "DISABLED", value: (k) => (k.disabled ? "yes" : "") },
  { header: "WORKSPACE", value: (k) => k.workspaceId ?? "(global)", wide: true },
  { header: "MODELS", value: (k) => (k.allowedModels ?? []).join(","), wide: true },
  dateColumn("CREATED", "createdAt")
]
const show = (flags: OutputFlags) => (key: ByokKey) => printRecord(key, { ...flags, fields: columns, id: (k) => k.id })

const restrictions = {
  allowedModel: repeated("allowed-model", "a model it may be used for (repeatable; replaces the list)"),
  allowedKey: repeated("allowed-key", "an API key hash that may use it (repeatable; replaces the list)"),
  allowedUser: repeated("allowed-user", "a user id that may use it (repeatable; replaces the list)"),
  fallback: Options.boolean("fallback").pipe(Options.withDescription("try it only after the provider's other credentials"))
}
const restrictionsOf = (a: {
  readonly allowedModel: ReadonlyArray<string>
  readonly allowedKey: ReadonlyArray<string>
  readonly allowedUser: ReadonlyArray<string>
}) => ({
  ...(a.allowedModel.length > 0 ? { allowedModels: a.allowedModel } : {}),
  ...(a.allowedKey.length > 0 ? { allowedApiKeyHashes: a.allowedKey } : {}),
  ...(a.allowedUser.length > 0 ? { allowedUserIds: a.allowedUser } : {})
})

export const byok = Cli.group("byok", "provider API keys you bring (BYOK): list, show, add, change, rotate, delete", [
  Cli.make("list", {
    config: { workspace: workspaceOption, provider: optionalText("provider", "only this provider, e.g. openai"), ...listOptions },
    summary: "list a workspace's provider keys (masked)",
    examples: [[`${$} byok list --provider openai`]]
  }, (a) =>
    Effect.gen(function*() {
      const where = yield* workspaceIdOf(a.workspace)
      const service = yield* Byok
      yield* list(
        a,
        service.stream({ ...where, ...(Option.isSome(a.provider) ? { provider: a.provider.value as ByokProvider } : {}) }),
        columns,
        (k) => k.id
      )
    })),
  Cli.make("get", {
    config: { id: credentialId, ...outputOptions },
    summary: "show one provider key (masked)",
    examples: [[`${$} byok get CREDENTIAL_ID --json`]]
  }, (a) => Effect.flatMap(Byok, (b) => Effect.flatMap(b.get({ id: a.id }), (r) => show(a)(r.data)))),
  Cli.make("create", {
    config: {
      provider: Options.text("provider").pipe(Options.withDescription("the provider's slug, e.g. openai, anthropic, amazon-bedrock")),
      keyFile,
      name: optionalText("name", "a name for it (up to 255 characters)"),
      workspace: workspaceOption,
      disabled: Options.boolean("disabled").pipe(Options.withDescription("add it disabled")),
      ...restrictions,
      ...outputOptions
    },
    summary: "add a provider key (read from --key-file, stdin, or typed hidden)",
    examples: [
      [`${$} byok create --provider openai --name prod --key-file ~/.secrets/openai`],
      [`pass show openai | ${$} byok create --provider openai --key-file -`, "from a password manager, through stdin"]
    ]
  }, (a) =>
    Effect.gen(function*() {
      const where = yield* workspaceIdOf(a.workspace)
      const key = yield* secretFrom({ flag: "--key-file", file: a.keyFile, what: "provider key", required: true })
      const service = yield* Byok
      const made = yield* service.create({
        provider: a.provider as ByokProvider,
        key: Option.getOrThrow(key),
        ...some(a.name, "name"),
        ...where,
        ...(a.disabled ? { disabled: true } : {}),
        ...(a.fallback ? { isFallback: true } : {}),
        ...restrictionsOf(a)
      })
      yield* show(a)(made.data)
    })),
  Cli.make("update", {
    config: {
      id: credentialId,
      keyFile: optionalText("key-file", "rotate: the new provider key from this file's first line (- for stdin)"),
      name: optionalText("name", "new name"),
      disable: Options.boolean("disable").pipe(Options.withDescription("stop using it")),
      enable: Options.boolean("enable").pipe(Options.withDescription("use it again")),
      noFallback: Options.boolean("no-fallback").pipe(Options.withDescription("no longer only a fallback")),
      ...restrictions,
      ...outputOptions
    },
    summary: "change a provider key, or rotate it in place with --key-file (at least one change)",
    examples: [[`${$} byok update CREDENTIAL_ID --key-file new-key.txt`, "rotate"], [`${$} byok update CREDENTIAL_ID --disable`]]
  }, (a) =>
    Effect.gen(function*() {
      if (a.disable && a.enable) return yield* Effect.fail(Cli.usage("give --disable or --enable, not both"))
      if (a.fallback && a.noFallback) return yield* Effect.fail(Cli.usage("give --fallback or --no-fallback, not both"))
      const key = yield* secretFrom({ flag: "--key-file", file: a.keyFile, what: "provider key", required: false })
      const changes = {
        ...some(a.name, "name"),
        ...(a.disable ? { disabled: true } : a.enable ? { disabled: false } : {}),
        ...(a.fallback ? { isFallback: true } : a.noFallback ? { isFallback: false } : {}),
        ...restrictionsOf(a),
        ...(Option.isSome(key) ? { key: key.value } : {})
      }
      if (Object.keys(changes).length === 0) {
        return yield* Effect.fail(Cli.usage(
          "nothing to change: give --key-file, --name, --disable/--enable, --fallback/--no-fallback, --allowed-model, --allowed-key or --allowed-user (nothing was sent)"
        ))
      }
      const service = yield* Byok
      yield* show(a)((yield* service.update({ id: a.id, ...changes })).data)
    })),
  Cli.make("delete", {
    config: { id: credentialId, yes: yesOption, ...outputOptions },
    summary: "delete a provider key (asks first; --yes to skip)",
    examples: [[`${$} byok delete CREDENTIAL_ID`, "asks you to type its label"], [`${$} byok delete CREDENTIAL_ID --yes`, "in a script"]]
  }, (a) =>
    Effect.gen(function*() {
      const service = yield* Byok
      const key = (yield* service.get({ id: a.id })).data
      yield* confirmDestructive({
        yes: a.yes,
        what: `delete the ${key.provider} key ${
          key.name ? `"${key.name}" ` : ""
        }(${key.label}, ${key.id}); requests relying on it fall back to other credentials or credits`,
        expected: key.label
      })
      yield* service.delete({ id: key.id })
      yield* deleted(a, key.id)()
    }))
])
