/**
 * `keys rotate`: the key rotation job's entry in the CLI's job table (its flags, how they make the
 * spec, which flag sets each field). Each run of one `--job-id` does what is due: phase one makes the
 * replacements and hands their secrets to `--secrets-to FILE` or `--secrets-command CMD`; phase two
 * disables (or `--delete-old` deletes) the old keys whose `--grace` has passed; what is still waiting
 * is reported with when. Plans, asks (or `--yes`), journals and resumes like every job.
 */
import { Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { resolve } from "node:path"
import * as Cli from "./command.ts"
import { $ } from "./common.ts"
import type { CliJob } from "./job-commands.ts"

const text = (name: string, description: string) => Options.text(name).pipe(Options.withDescription(description), Options.optional)

const config = {
  workspace: Options.text("workspace").pipe(
    Options.withDescription("workspace id, slug, or glob over slugs and names such as 'team-*' (repeatable); each must match"),
    Options.repeated
  ),
  all: Options.boolean("all").pipe(Options.withDescription("every workspace (required when no --workspace is given)")),
  name: text("name", "key name glob, e.g. 'ci-*'"),
  label: text("label", "key label glob, e.g. 'sk-or-v1-abc*'"),
  olderThan: text("older-than", "keys created more than this long ago: 90d, 12w"),
  expiringWithin: text("expiring-within", "keys that expire within this time: 14d (expired keys are left alone)"),
  allKeys: Options.boolean("all-keys").pipe(
    Options.withDescription("every enabled key in the selected workspaces (required when no criterion is given)")
  ),
  suffix: text("suffix", "appended to each replacement's name (default -rotated)"),
  secretsTo: text("secrets-to", "append each new secret as a JSON line to FILE (created 0600; an existing file only if only you can read it)"),
  secretsCommand: text(
    "secrets-command",
    "run CMD once per new key with the secret on stdin, OPENROUTER_KEY_NAME/_HASH/_LABEL/_WORKSPACE and OPENROUTER_OLD_KEY_NAME/_HASH " +
      "in its environment; exit 0 = delivered"
  ),
  grace: text("grace", "how long the old key keeps working after its replacement was delivered (default 7d)"),
  deleteOld: Options.boolean("delete-old").pipe(Options.withDescription("delete the old keys after the grace instead of disabling them"))
}

const field = (o: Option.Option<string>, key: string, f: (a: string) => string = (a) => a) =>
  Option.match(o, { onNone: () => ({}), onSome: (v) => ({ [key]: f(v) }) })

export const keyRotation: CliJob<"key-rotation", typeof config> = {
  path: ["keys", "rotate"],
  summary: "rotate keys in two phases: make replacements and deliver their secrets, then after --grace disable (or --delete-old) the old " +
    "keys; re-run the same --job-id (e.g. from cron) to finish what is due",
  examples: [
    [`${$} keys rotate --workspace production --older-than 90d --secrets-to new-keys.jsonl --job-id rotate-q4 --dry-run`, "see the plan"],
    [`${$} keys rotate --workspace production --older-than 90d --secrets-command ./store-key.sh --job-id rotate-q4 --yes`, "run daily"],
    [`${$} keys rotate --job-id rotate-q4 --yes`, "the same rotation, from the journal"]
  ],
  config,
  specOf: (args) =>
    Effect.gen(function*() {
      const rest = {
        ...field(args.name, "name"),
        ...field(args.label, "label"),
        ...field(args.olderThan, "olderThan"),
        ...field(args.expiringWithin, "expiringWithin"),
        ...(args.allKeys ? { allKeys: true } : {}),
        ...field(args.suffix, "suffix"),
        // absolute, so a resume from another directory writes to the same file
        ...field(args.secretsTo, "secretsTo", (path) => resolve(path)),
        ...field(args.secretsCommand, "secretsCommand"),
        ...field(args.grace, "grace"),
        ...(args.deleteOld ? { deleteOld: true } : {})
      }
      if (Object.keys(rest).length === 0 && args.workspace.length === 0 && !args.all) return Option.none()
      if (args.all && args.workspace.length > 0) return yield* Effect.fail(Cli.usage("give either --workspace (names or globs) or --all, not both"))
      if (!args.all && args.workspace.length === 0) {
        return yield* Effect.fail(
          Cli.usage("no workspace given: name them with --workspace (globs such as 'team-*' work), or pass --all for every workspace")
        )
      }
      return Option.some({ workspaces: args.all ? "all" : args.workspace, ...rest })
    }),
  flags: {
    workspaces: "--workspace/--all",
    name: "--name",
    label: "--label",
    olderThan: "--older-than",
    expiringWithin: "--expiring-within",
    allKeys: "--all-keys",
    suffix: "--suffix",
    grace: "--grace",
    deleteOld: "--delete-old",
    secretsTo: "--secrets-to",
    secretsCommand: "--secrets-command"
  }
}
