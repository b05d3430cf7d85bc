/**
 * Budget policy: the same daily/weekly/monthly/lifetime budgets across selected workspaces,
 * changing only what differs, in an order that keeps lifetime > monthly > weekly > daily at every step.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { Workspaces } from "../Workspaces.ts"
import * as Engine from "./Engine.ts"
import { resolveWorkspaces } from "./Selection.ts"
import * as Specs from "./Specs.ts"

const Interval = Schema.Literal(...Specs.BudgetIntervals)

export class BudgetChange extends Schema.Class<BudgetChange>("BudgetChange")({
  interval: Interval,
  /** The limit the server had when planned (absent: no budget for that interval). */
  from: Schema.optionalWith(Schema.Number, { exact: true }),
  to: Schema.Number
}) {}

export class WorkspaceBudgets extends Schema.Class<WorkspaceBudgets>("WorkspaceBudgets")({
  id: Schema.String,
  slug: Schema.String,
  changes: Schema.Array(BudgetChange)
}) {}

export class BudgetPolicyPlan extends Schema.TaggedClass<BudgetPolicyPlan>()("BudgetPolicyPlan", {
  spec: Specs.BudgetPolicySpec,
  /** Workspaces with something to change. */
  workspaces: Schema.Array(WorkspaceBudgets),
  /** Budgets already right. */
  unchanged: Schema.Number
}) {}

const ORDER = Specs.BudgetIntervals

/** Raise the larger intervals first, then lower the smaller ones first: the rule holds at each step. */
const ordered = (changes: ReadonlyArray<BudgetChange>) => [
  ...changes.filter((c) => c.from === undefined || c.to > c.from).sort((a, b) => ORDER.indexOf(b.interval) - ORDER.indexOf(a.interval)),
  ...changes.filter((c) => c.from !== undefined && c.to < c.from).sort((a, b) => ORDER.indexOf(a.interval) - ORDER.indexOf(b.interval))
]

/** What must change in one workspace's budgets, in a safe order, and how many are already right. */
export const changesFor = (workspaceId: string, budgets: Specs.Budgets) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const current = new Map((yield* workspaces.listBudgets({ id: workspaceId })).data.map((b) => [b.interval, b.limitUsd]))
    const changes: Array<BudgetChange> = []
    let same = 0
    for (const interval of ORDER) {
      const to = budgets[interval]
      if (to === undefined) continue
      const from = current.get(interval)
      if (from === to) same++
      else changes.push(new BudgetChange({ interval, to, ...(from !== undefined ? { from } : {}) }))
    }
    return { changes: ordered(changes), same, current }
  })

/** Set one workspace's budgets one after another (the order keeps the rule); never fails: failures are items. */
export const setBudgets = (workspaceId: string, slug: string, changes: ReadonlyArray<BudgetChange>) =>
  Effect.flatMap(Workspaces, (workspaces) =>
    Effect.forEach(changes, (change) => {
      const item = (outcome: "done" | "failed", reason?: string) =>
        new Engine.ReportItem({
          kind: "budget",
          key: `${slug}:${change.interval}`,
          action: `${change.interval} budget ${change.from ?? "none"} → ${change.to} USD`,
          outcome,
          ...(reason !== undefined ? { reason } : {})
        })
      return workspaces.setBudget({ id: workspaceId, interval: change.interval, limitUsd: change.to }).pipe(
        Effect.as(item("done")),
        Effect.catchAll((error) => Effect.succeed(item("failed", error.message)))
      )
    }))

const planSpec = (spec: Specs.BudgetPolicySpec, concurrency: number) =>
  Effect.gen(function*() {
    const selection = yield* resolveWorkspaces("budget-policy", spec.workspaces)
    const read = yield* Effect.forEach(selection.selected, (w) =>
      Effect.map(changesFor(w.id, spec.budgets), ({ changes, same }) => ({ w, changes, same })), { concurrency })
    return new BudgetPolicyPlan({
      spec,
      workspaces: read.filter((r) =>
        r.changes.length > 0
      ).map(({ changes, w }) => new WorkspaceBudgets({ id: w.id, slug: w.slug, changes })),
      unchanged: read.reduce((n, r) => n + r.same, 0)
    })
  })

/** Plan from a spec (an instance or its encoded form); anything else fails with `InvalidRequestError`. */
export const plan = (input: unknown, options: { readonly concurrency?: number; readonly rate?: number } = {}) =>
  Effect.gen(function*() {
    const spec = yield* Specs.decode(Specs.BudgetPolicySpec, "budget-policy")(input)
    const { concurrency } = yield* Engine.checkOptions(options)
    return yield* planSpec(spec, concurrency)
  }).pipe(Engine.gated(options))

/** A fresh plan restricted to a saved one: changes whose `from` still holds; the rest skipped. */
const restrict = (fresh: BudgetPolicyPlan, saved: BudgetPolicyPlan) => {
  const freshById = new Map(fresh.workspaces.map((w) => [w.id, w]))
  const stale: Array<Engine.ReportItem> = []
  const workspaces = saved.workspaces.flatMap((w) => {
    const now = new Map((freshById.get(w.id)?.changes ?? []).map((c) => [c.interval, c]))
    const keep = w.changes.filter((c) => {
      const current = now.get(c.interval)
      const ok = current !== undefined && current.from === c.from && current.to === c.to
      if (!ok) {
        stale.push(
          new Engine.ReportItem({
            kind: "budget",
            key: `${w.slug}:${c.interval}`,
            action: `${c.interval} budget ${c.from ?? "none"} → ${c.to} USD`,
            outcome: "skipped",
            reason: current === undefined
              ? "no longer applies: already set"
              : `no longer applies: the budget changed since the plan (now ${current.from ?? "none"})`
          })
        )
      }
      return ok
    })
    return keep.length > 0 ? [new WorkspaceBudgets({ ...w, changes: ordered(keep) })] : []
  })
  return { plan: new BudgetPolicyPlan({ spec: saved.spec, workspaces, unchanged: fresh.unchanged }), stale }
}

const execute = (current: BudgetPolicyPlan, extra: ReadonlyArray<Engine.ReportItem>, options: Engine.ApplyOptions) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<Workspaces>()
    const operations = current.workspaces.map((w): Engine.PlannedOperation => ({
      key: `budgets:${w.id}:${w.changes.map((c) => `${c.interval}=${c.to}`).join(",")}`,
      payload: { id: w.id, slug: w.slug, changes: w.changes.map((c) => ({ ...c })) },
      items: w.changes.length,
      run: Effect.provide(setBudgets(w.id, w.slug, w.changes), context)
    }))
    return yield* Engine.run({ kind: "budget-policy", spec: current.spec, unit: "budgets", operations, extraItems: extra }, options)
  })

/**
 * Apply a spec (plan, then run) or a saved plan (re-read first: a change whose starting value moved
 * since the plan is skipped and reported). `trusted`: a plan made moments ago in the same run.
 */
export const apply = Engine.applyJob({
  kind: "budget-policy",
  planSchema: BudgetPolicyPlan,
  plan,
  execute,
  recheck: (saved, concurrency) => Effect.map(planSpec(saved.spec, concurrency), (fresh) => restrict(fresh, saved))
})
