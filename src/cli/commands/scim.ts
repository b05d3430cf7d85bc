/**
 * `scim …`: the groups your identity provider provisions (`scim groups`) and their mappings to
 * workspaces with a role (`scim mappings list|get|create|update|delete`). A group is named by its id or
 * its display name. Deleting a mapping says what happens to its members: `--keep-members` or
 * `--remove-members` (there is no default, as in the API), and asks first or needs `--yes`.
 */
import { Args, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Scim } from "../../Scim.ts"
import type { ScimGroup, ScimGroupMapping } from "../../ScimDomain.ts"
import * as Cli from "../command.ts"
import { $, confirmDestructive, deleted, list, workspaceIdOf, yesOption } from "../common.ts"
import { type Column, column, dateColumn, listOptions, type OutputFlags, outputOptions, printRecord } from "../output.ts"

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const mappingId = Args.text({ name: "mapping-id" }).pipe(Args.withDescription("the mapping's id (see `scim mappings list`)"))
const role = Options.choice("role", ["admin", "member"]).pipe(Options.withDescription("the role the group's members get in the workspace"))

const groupColumns: ReadonlyArray<Column<ScimGroup>> = [
  column("ID", "id", undefined, { keep: true }),
  column("NAME", "displayName"),
  column("EXTERNAL ID", "externalId"),
  dateColumn("UPDATED", "updatedAt")
]
const mappingColumns: ReadonlyArray<Column<ScimGroupMapping>> = [
  column("ID", "id", undefined, { keep: true }),
  column("GROUP", "scimGroupId", undefined, { keep: true }),
  column("WORKSPACE", "workspaceId", undefined, { keep: true }),
  column("ROLE", "role"),
  dateColumn("UPDATED", "updatedAt")
]
const show = (flags: OutputFlags) => (mapping: ScimGroupMapping) => printRecord(mapping, { ...flags, fields: mappingColumns, id: (m) => m.id })

/** A group by id or display name; a name nobody has, or two groups share, is an input error. */
const groupOf = (ref: string) =>
  Effect.gen(function*() {
    const scim = yield* Scim
    const groups = yield* Stream.runCollect(scim.streamGroups())
    const matches = [...groups].filter((g) => (uuid.test(ref) ? g.id === ref : g.displayName === ref))
    if (matches.length === 1) return matches[0]!
    return yield* Effect.fail(Cli.usage(
      matches.length === 0
        ? `--group ${ref}: no SCIM group has this id or name (see \`${$} scim groups\`)`
        : `--group ${ref}: ${matches.length} groups have this name; give the id (${matches.map((g) => g.id).join(", ")})`
    ))
  })

export const scim = Cli.group("scim", "SCIM groups from your identity provider and their workspace mappings", [
  Cli.make("groups", {
    config: listOptions,
    summary: "list the SCIM groups your identity provider pushed",
    examples: [[`${$} scim groups`]]
  }, (a) => Effect.flatMap(Scim, (s) => list(a, s.streamGroups(), groupColumns, (g) => g.id))),
  Cli.group("mappings", "which group gets which role in which workspace", [
    Cli.make("list", {
      config: listOptions,
      summary: "list every group → workspace mapping",
      examples: [[`${$} scim mappings list`]]
    }, (a) => Effect.flatMap(Scim, (s) => list(a, s.streamMappings(), mappingColumns, (m) => m.id))),
    Cli.make("get", {
      config: { id: mappingId, ...outputOptions },
      summary: "show one mapping",
      examples: [[`${$} scim mappings get MAPPING_ID --json`]]
    }, (a) => Effect.flatMap(Scim, (s) => Effect.flatMap(s.getMapping({ id: a.id }), (r) => show(a)(r.data)))),
    Cli.make("create", {
      config: {
        group: Options.text("group").pipe(Options.withDescription("the SCIM group: its id or display name")),
        workspace: Options.text("workspace").pipe(Options.withDescription("the workspace: its id or slug")),
        role,
        ...outputOptions
      },
      summary: "give a group's members a role in a workspace (a group maps to a workspace once)",
      examples: [[`${$} scim mappings create --group "Data Science" --workspace research --role member`]]
    }, (a) =>
      Effect.gen(function*() {
        const group = yield* groupOf(a.group)
        const { workspaceId } = (yield* workspaceIdOf(Option.some(a.workspace))) as { readonly workspaceId: string }
        const s = yield* Scim
        const made = yield* s.createMapping({ scimGroupId: group.id, workspaceId, role: a.role }).pipe(
          Effect.catchTag("ConflictResponseError", (error) =>
            Effect.fail(Cli.usage(
              `group "${group.displayName}" is already mapped to this workspace (${error.serverMessage}): change its role with \`${$} scim mappings update MAPPING_ID --role ${a.role}\``
            )))
        )
        yield* show(a)(made.data)
      })),
    Cli.make("update", {
      config: { id: mappingId, role, ...outputOptions },
      summary: "change the role a mapping gives (its members' roles follow)",
      examples: [[`${$} scim mappings update MAPPING_ID --role admin`]]
    }, (a) => Effect.flatMap(Scim, (s) => Effect.flatMap(s.updateMapping({ id: a.id, role: a.role }), (r) => show(a)(r.data)))),
    Cli.make("delete", {
      config: {
        id: mappingId,
        keepMembers: Options.boolean("keep-members").pipe(Options.withDescription("leave the members it granted, as manually managed")),
        removeMembers: Options.boolean("remove-members").pipe(Options.withDescription("remove the members it granted from the workspace")),
        yes: yesOption,
        ...outputOptions
      },
      summary: "delete a mapping: --keep-members or --remove-members (asks first; --yes to skip)",
      examples: [
        [`${$} scim mappings delete MAPPING_ID --keep-members`],
        [`${$} scim mappings delete MAPPING_ID --remove-members --yes`, "in a script; removes the members it granted"]
      ]
    }, (a) =>
      Effect.gen(function*() {
        if (a.keepMembers === a.removeMembers) {
          return yield* Effect.fail(Cli.usage(
            "say what happens to the members this mapping granted: --keep-members (they stay, managed by hand) or --remove-members (they lose the workspace); nothing was sent"
          ))
        }
        const s = yield* Scim
        const mapping = (yield* s.getMapping({ id: a.id })).data
        yield* confirmDestructive({
          yes: a.yes,
          what: `delete mapping ${mapping.id} (group ${mapping.scimGroupId} → workspace ${mapping.workspaceId} as ${mapping.role}) and ${
            a.removeMembers ? "REMOVE the members it granted from the workspace" : "keep its members"
          }`,
          expected: mapping.id.slice(0, 8)
        })
        yield* s.deleteMapping({ id: mapping.id, keepMembers: a.keepMembers })
        yield* deleted(a, mapping.id)()
      }))
  ])
])
