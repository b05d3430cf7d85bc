/**
 * A report's counts as a person reads them: one line per unit (memberships, keys, guardrail
 * assignments, budgets, workspaces, files, users), each split by outcome, so every count names one
 * unit and the lines add up to the report's items. "users" only ever counts people (those that could
 * not be resolved), never user × workspace pairs.
 *
 * @since 0.1.0
 */
import type * as Engine from "./Engine.ts"

type Kind = Engine.ReportItem["kind"]
type Outcome = Engine.ReportItem["outcome"]

/** Each item kind's unit, singular and plural, in the order lines are printed. */
const units: ReadonlyArray<readonly [Kind, string, string]> = [
  ["membership", "membership", "memberships"],
  ["key", "key", "keys"],
  ["guardrail-assignment", "guardrail assignment", "guardrail assignments"],
  ["workspace", "workspace", "workspaces"],
  ["budget", "budget", "budgets"],
  ["file", "file", "files"],
  ["user", "user", "users"]
]

const outcomes: ReadonlyArray<readonly [Outcome, string]> = [
  ["done", "done"],
  ["already-done", "already in place"],
  ["skipped", "skipped"],
  ["failed", "failed"],
  ["unknown", "unknown (check the server)"],
  ["waiting", "waiting (not due yet)"]
]

/**
 * The count of one unit.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnitCount {
  readonly kind: Kind
  /** "memberships" (or "membership" for one). */
  readonly unit: string
  readonly total: number
  readonly outcomes: Readonly<Partial<Record<Outcome, number>>>
}

/**
 * Items counted per unit and outcome (units with no item are left out).
 *
 * @since 0.1.0
 * @category counting
 */
export const countsOf = (items: ReadonlyArray<Pick<Engine.ReportItem, "kind" | "outcome">>): ReadonlyArray<UnitCount> => {
  const byKind = new Map<Kind, Partial<Record<Outcome, number>>>()
  for (const item of items) {
    const counts = byKind.get(item.kind) ?? {}
    counts[item.outcome] = (counts[item.outcome] ?? 0) + 1
    byKind.set(item.kind, counts)
  }
  return units.flatMap(([kind, one, many]) => {
    const counts = byKind.get(kind)
    if (counts === undefined) return []
    const total = Object.values(counts).reduce((n, c) => n + (c ?? 0), 0)
    return [{ kind, unit: total === 1 ? one : many, total, outcomes: counts }]
  })
}

const number = (n: number) => n.toLocaleString("en-US")

/**
 * One line per unit: "206 memberships: 200 done, 4 already in place, 2 failed".
 *
 * @since 0.1.0
 * @category counting
 */
export const lines = (items: ReadonlyArray<Pick<Engine.ReportItem, "kind" | "outcome">>): ReadonlyArray<string> =>
  countsOf(items).map((count) =>
    `${number(count.total)} ${count.unit}: ${
      outcomes.flatMap(([outcome, words]) => (count.outcomes[outcome] ? [`${number(count.outcomes[outcome]!)} ${words}`] : [])).join(", ")
    }`
  )

/**
 * Items counted per unit in one phrase: "1 user", "2 memberships and 1 key" (for "… failed").
 *
 * @since 0.1.0
 * @category counting
 */
export const phrase = (items: ReadonlyArray<Pick<Engine.ReportItem, "kind" | "outcome">>): string => {
  const parts = countsOf(items).map((count) => `${number(count.total)} ${count.unit}`)
  return parts.length <= 1 ? (parts[0] ?? "0 items") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`
}
