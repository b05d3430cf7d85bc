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
import { selectWorkspaces, type WorkspaceScope } from "./Selection.ts"
import * as Engine from "./Engine.ts"

export interface BudgetPolicyParams {
  /** Limits in USD; an interval left out is left alone. */
  readonly budgets: Partial<Record<BudgetInterval, number>>
  /** "all" (default), or ids, slugs and glob patterns such as `team-*`. */
  readonly workspaces?: WorkspaceScope
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

/** What must change in one workspace's budgets, in a safe order, and how many are already right. */
export const changesFor = (workspaceId: string, budgets: BudgetPolicyParams["budgets"]) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const current = new Map((yield* workspaces.listBudgets({ id: workspaceId })).data.map((b) => [b.interval, b.limitUsd]))
    const changes: Array<BudgetChange> = []
    let same = 0
    for (const interval of ORDER) {
      const to = budgets[interval]
      if (to === undefined) continue
      if (current.get(interval) === to) same++
      else changes.push({ interval, from: current.get(interval), to })
    }
    return { changes: ordered(changes), same }
  })

/** Set one workspace's budgets one after another (the order keeps the rule); never fails: failures are items. */
export const setBudgets = (workspaceId: string, label: string, changes: ReadonlyArray<BudgetChange>) =>
  Effect.flatMap(Workspaces, (workspaces) =>
    Effect.forEach(changes, (change) => {
      const item = (outcome: "done" | "failed", reason?: string) =>
        new Engine.ReportItem({
          kind: "budget",
          key: `${label}:${change.interval}`,
          action: `${change.from ?? "none"} → ${change.to} USD`,
          outcome,
          ...(reason !== undefined ? { reason } : {})
        })
      return workspaces.setBudget({ id: workspaceId, interval: change.interval, limitUsd: change.to }).pipe(
        Effect.as(item("done")),
        Effect.catchAll((error) => Effect.succeed(item("failed", error.message)))
      )
    }))

export const plan = (params: BudgetPolicyParams) =>
  Effect.gen(function*() {
    yield* validate(params.budgets)
    const result: Array<BudgetPolicyPlan["workspaces"][number]> = []
    let unchanged = 0
    yield* Stream.runForEach(selectWorkspaces(params.workspaces), (workspace) =>
      Effect.gen(function*() {
        const { changes, same } = yield* changesFor(workspace.id, params.budgets)
        unchanged += same
        if (changes.length > 0) result.push({ id: workspace.id, slug: workspace.slug, changes })
      }))
    const out: BudgetPolicyPlan = { params, workspaces: result, unchanged }
    return out
  })

export const apply = (input: BudgetPolicyPlan | BudgetPolicyParams, options: Engine.ApplyOptions = {}) =>
  Effect.gen(function*() {
    const current = "unchanged" in input && options.jobId === undefined ? input : yield* plan("unchanged" in input ? input.params : input)
    const context = yield* Effect.context<Workspaces>()
    const operations = current.workspaces.map((w): Engine.PlannedOperation => ({
      key: `budgets:${w.id}:${w.changes.map((c) => `${c.interval}=${c.to}`).join(",")}`,
      payload: w,
      run: Effect.provide(setBudgets(w.id, w.slug, w.changes), context)
    }))
    return yield* Engine.apply("budget-policy", current.params, operations, [], options)
  })
