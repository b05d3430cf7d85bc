/**
 * Budget policy: the same daily/weekly/monthly/lifetime budgets across selected workspaces,
 * changing only what differs, in an order that keeps lifetime > monthly > weekly > daily at every step.
 *
 * @since 0.1.0
 */
import { Effect, Stream } from "effect"
import type { BudgetInterval } from "../Domain.ts"
import { InvalidRequestError } from "../Errors.ts"
import { Workspaces } from "../Workspaces.ts"
import * as Engine from "./Engine.ts"

export interface BudgetPolicyParams {
  /** Limits in USD; an interval left out is left alone. */
  readonly budgets: Partial<Record<BudgetInterval, number>>
  /** "all" (default), or ids, slugs and glob patterns such as `team-*`. */
  readonly workspaces?: "all" | ReadonlyArray<string>
}

export interface BudgetChange {
  readonly interval: BudgetInterval
  readonly from: number | undefined
  readonly to: number
}

export interface BudgetPolicyPlan {
  readonly params: BudgetPolicyParams
  readonly workspaces: ReadonlyArray<{ readonly id: string; readonly slug: string; readonly changes: ReadonlyArray<BudgetChange> }>
  readonly unchanged: number
}

const ORDER: ReadonlyArray<BudgetInterval> = ["daily", "weekly", "monthly", "lifetime"]

/** A glob (`*`, `?`) as a RegExp. */
export const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`)

/** lifetime > monthly > weekly > daily among the given limits, checked before any call. */
export const validate = (budgets: BudgetPolicyParams["budgets"]) => {
  const given = ORDER.filter((interval) => budgets[interval] !== undefined)
  for (const interval of given) {
    const value = budgets[interval]!
    if (!(value > 0) || !Number.isFinite(value)) {
      return Effect.fail(new InvalidRequestError({ operation: "BudgetPolicy", issue: `${interval}: limitUsd must be > 0` }))
    }
  }
  for (let i = 1; i < given.length; i++) {
    if (!(budgets[given[i]!]! > budgets[given[i - 1]!]!)) {
      return Effect.fail(
        new InvalidRequestError({
          operation: "BudgetPolicy",
          issue: `budgets must satisfy lifetime > monthly > weekly > daily, but ${given[i]} (${budgets[given[i]!]}) ≤ ${
            given[i - 1]
          } (${budgets[given[i - 1]!]})`
        })
      )
    }
  }
  return Effect.void
}

/** Raise the larger intervals first, then lower the smaller ones first: the rule holds at each step. */
const ordered = (changes: ReadonlyArray<BudgetChange>) => [
  ...changes.filter((c) => c.from === undefined || c.to > c.from).sort((a, b) => ORDER.indexOf(b.interval) - ORDER.indexOf(a.interval)),
  ...changes.filter((c) => c.from !== undefined && c.to < c.from).sort((a, b) => ORDER.indexOf(a.interval) - ORDER.indexOf(b.interval))
]

export const plan = (params: BudgetPolicyParams) =>
  Effect.gen(function*() {
    yield* validate(params.budgets)
    const workspaces = yield* Workspaces
    const selection = params.workspaces ?? "all"
    const patterns = selection === "all" ? [] : selection.map(globToRegExp)
    const selected = Stream.filter(
      workspaces.stream(),
      (w) => selection === "all" || patterns.some((p) => p.test(w.slug) || p.test(w.id))
    )
    const result: Array<BudgetPolicyPlan["workspaces"][number]> = []
    let unchanged = 0
    yield* Stream.runForEach(selected, (workspace) =>
      Effect.gen(function*() {
        const current = new Map((yield* workspaces.listBudgets({ id: workspace.id })).data.map((b) => [b.interval, b.limitUsd]))
        const changes: Array<BudgetChange> = []
        for (const interval of ORDER) {
          const to = params.budgets[interval]
          if (to === undefined) continue
          if (current.get(interval) === to) unchanged++
          else changes.push({ interval, from: current.get(interval), to })
        }
        if (changes.length > 0) result.push({ id: workspace.id, slug: workspace.slug, changes: ordered(changes) })
      }))
    const out: BudgetPolicyPlan = { params, workspaces: result, unchanged }
    return out
  })

export const apply = (input: BudgetPolicyPlan | BudgetPolicyParams, options: Engine.ApplyOptions = {}) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const current = "unchanged" in input && options.jobId === undefined ? input : yield* plan("unchanged" in input ? input.params : input)
    const operations = current.workspaces.map((w): Engine.PlannedOperation => ({
      key: `budgets:${w.id}:${w.changes.map((c) => `${c.interval}=${c.to}`).join(",")}`,
      payload: w,
      alreadyDone: Engine.itemsFromResult,
      // one workspace's changes in order, so the rule holds between them
      run: Effect.forEach(w.changes, (change) =>
        workspaces.setBudget({ id: w.id, interval: change.interval, limitUsd: change.to }).pipe(
          Effect.as(new Engine.ReportItem({
            kind: "budget",
            key: `${w.slug}:${change.interval}`,
            action: `${change.from ?? "none"} → ${change.to} USD`,
            outcome: "done"
          })),
          Effect.catchAll((error) =>
            Effect.succeed(new Engine.ReportItem({
              kind: "budget",
              key: `${w.slug}:${change.interval}`,
              action: `${change.from ?? "none"} → ${change.to} USD`,
              outcome: "failed",
              reason: error.message
            }))
          )
        ))
    }))
    return yield* Engine.apply("budget-policy", current.params, operations, [], options)
  })
