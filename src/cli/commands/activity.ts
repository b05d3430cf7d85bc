/**
 * `activity`: what was spent per UTC day × model × endpoint over the last 30 completed UTC days,
 * optionally for one day, key, member or workspace, or split per workspace.
 */
import { Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Activity } from "../../Activity.ts"
import type { ActivityItem } from "../../ActivityDomain.ts"
import * as Cli from "../command.ts"
import { $, list, optionalText, some, userIdsOf, workspaceIdOf } from "../common.ts"
import { type Column, column, listOptions } from "../output.ts"
import { note } from "../runtime.ts"

const money = (n: number) => `$${n.toFixed(4)}`
const columns = (byWorkspace: boolean): ReadonlyArray<Column<ActivityItem>> => [
  column("DATE", "date", undefined, { keep: true }),
  ...(byWorkspace ? [column<ActivityItem>("WORKSPACE", "workspaceId", undefined, { keep: true })] : []),
  column("MODEL", "model"),
  column("PROVIDER", "providerName"),
  column("REQUESTS", "requests", undefined, { align: "right" }),
  column("USAGE", "usage", money, { align: "right", keep: true }),
  column("BYOK", "byokUsageInference", money, { align: "right", keep: true }),
  column("PROMPT", "promptTokens", undefined, { align: "right", wide: true }),
  column("COMPLETION", "completionTokens", undefined, { align: "right", wide: true }),
  column("REASONING", "reasoningTokens", undefined, { align: "right", wide: true }),
  column("ENDPOINT", "endpointId", undefined, { wide: true })
]

export const activity = Cli.make("activity", {
  config: {
    date: optionalText("date", "one UTC day of the last 30, YYYY-MM-DD"),
    key: optionalText("key", "one API key, by its hash"),
    user: optionalText("user", "one member (user id or e-mail): the keys they created"),
    workspace: optionalText("workspace", "one workspace (id or slug)"),
    byWorkspace: Options.boolean("by-workspace").pipe(Options.withDescription("a row per workspace too (adds WORKSPACE)")),
    ...listOptions
  },
  summary: "spend per UTC day, model and endpoint over the last 30 completed UTC days (today is not included)",
  examples: [
    [`${$} activity --by-workspace`],
    [`${$} activity --user ada@example.com --date 2025-08-24`, "one member's spend on one day"],
    [`${$} activity --workspace engineering --jsonl`, "for a script"]
  ]
}, (a) =>
  Effect.gen(function*() {
    const userId = Option.isSome(a.user) ? (yield* userIdsOf([a.user.value]))[0] : undefined
    const where = yield* workspaceIdOf(a.workspace)
    const service = yield* Activity
    const { data } = yield* service.list({
      ...some(a.date, "date"),
      ...some(a.key, "apiKeyHash"),
      ...(userId !== undefined ? { userId } : {}),
      ...where,
      ...(a.byWorkspace ? { groupBy: "workspace" as const } : {})
    })
    yield* note(`(${data.length} rows: the last 30 completed UTC days; USAGE is credits, BYOK is spend through your own provider keys)`)
    yield* list(a, Stream.fromIterable(data), columns(a.byWorkspace), (row) => `${row.date} ${row.model} ${row.endpointId}`)
  }))
