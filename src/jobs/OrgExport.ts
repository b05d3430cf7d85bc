/**
 * `Org.export`: the organisation as it is, as a valid organisation file, so a team adopts the file in
 * one step (`export` then `plan` shows no change). Members by e-mail, everything sorted, so two
 * exports of the same organisation are the same text. Read once with the fewest list requests.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { Document } from "yaml"
import { InvalidRequestError } from "../Errors.ts"
import * as Engine from "./Engine.ts"
import * as OrgSpec from "./OrgSpec.ts"
import * as OrgState from "./OrgState.ts"
import { resolveWorkspaces } from "./Selection.ts"
import * as Specs from "./Specs.ts"

export interface ExportOptions {
  /** Workspace slugs, ids or globs; each must match (default: every workspace). */
  readonly workspaces?: ReadonlyArray<string>
  readonly concurrency?: number
  readonly rate?: number
}

const byPerson = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Read the organisation and describe it as an `OrgSpec`. Changes nothing. */
export const exportSpec = (options: ExportOptions = {}) =>
  Effect.gen(function*() {
    const { concurrency } = yield* Engine.checkOptions(options)
    yield* Engine.requireManagementKey
    let selected: ReadonlySet<string> | undefined
    if (options.workspaces !== undefined) {
      const scope = yield* Specs.decode(Specs.Workspaces, "org export")(options.workspaces)
      selected = new Set((yield* resolveWorkspaces("org export", scope)).selected.map((w) => w.id))
    }
    const state = yield* OrgState.read({
      select: (w) => selected === undefined || selected.has(w.id),
      needs: () => ({ members: true, budgets: true, guardrails: true }),
      concurrency
    })
    const person = (id: string) => OrgState.personOf(state, id)
    const workspaces: Record<string, unknown> = {}
    for (const ws of [...state.workspaces].sort((a, b) => byPerson(a.workspace.slug, b.workspace.slug))) {
      const w = ws.workspace as unknown as Record<string, unknown>
      const entry: Record<string, unknown> = {}
      for (const field of OrgSpec.workspaceSettings) if (w[field] !== undefined) entry[field] = w[field]
      if (ws.budgets && ws.budgets.size > 0) {
        entry.budgets = Object.fromEntries(Specs.BudgetIntervals.flatMap((i) => (ws.budgets!.has(i) ? [[i, ws.budgets!.get(i)]] : [])))
      }
      if (ws.members !== undefined) entry.members = [...ws.members].map(person).sort(byPerson)
      const guardrails: Record<string, unknown> = {}
      for (const { guardrail, members } of [...(ws.guardrails ?? [])].sort((a, b) => byPerson(a.guardrail.name, b.guardrail.name))) {
        if (guardrails[guardrail.name] !== undefined) {
          return yield* new InvalidRequestError({
            operation: "org export",
            issue: `workspace ${ws.workspace.slug} has two guardrails named ${guardrail.name}: rename one in OpenRouter so the file can name each`
          })
        }
        const g = guardrail as unknown as Record<string, unknown>
        const settings: Record<string, unknown> = {}
        for (const field of OrgSpec.guardrailSettings) if (g[field] !== undefined) settings[field] = g[field]
        settings.members = members.map(person).sort(byPerson)
        guardrails[guardrail.name] = settings
      }
      if (ws.guardrails !== undefined) entry.guardrails = guardrails
      workspaces[ws.workspace.slug] = entry
    }
    return yield* OrgSpec.decode({ version: 1, workspaces }, "export")
  }).pipe(Engine.gated(options))

/** A spec as the text of an organisation file (YAML), with a header saying where it came from. */
export const toYaml = (spec: OrgSpec.OrgSpec, header?: string) => {
  const document = new Document(OrgSpec.encode(spec))
  if (header !== undefined) document.commentBefore = header
  return document.toString({ lineWidth: 0 })
}
