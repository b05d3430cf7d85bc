/** `org members`: the organization's members (the `org` group is made in main.ts, so others can add to it). */
import * as Effect from "effect/Effect"
import type { OrganizationMember } from "../../Domain.ts"
import { Organization } from "../../Organization.ts"
import * as Cli from "../command.ts"
import { $, list } from "../common.ts"
import { type Column, column, listOptions } from "../output.ts"

const memberColumns: ReadonlyArray<Column<OrganizationMember>> = [
  column("ID", "id", undefined, { keep: true }),
  column("E-MAIL", "email", undefined, { whole: true }),
  { header: "NAME", value: (m) => [m.firstName, m.lastName].filter(Boolean).join(" ") },
  column("ROLE", "role")
]

export const orgCommands = [
  Cli.make("members", {
    config: listOptions,
    summary: "list the organization's members",
    examples: [[`${$} org members`], [`${$} org members --limit 10`], [`${$} org members --jsonl | jq -r .email`]]
  }, (a) => Effect.flatMap(Organization, (o) => list(a, o.streamMembers(), memberColumns, (m) => m.id)))
]
