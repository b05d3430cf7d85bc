/**
 * Budget policy: the same daily/weekly/monthly/lifetime budgets across selected workspaces,
 * changing only what differs, in an order that keeps lifetime > monthly > weekly > daily at every step.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { Workspaces } from "../Workspaces.ts"
import type { JobDefinition, PlanOptions } from "./Definitions.ts"
import * as Engine from "./Engine.ts"
import * as Reading from "./Reading.ts"
import { resolveWorkspaces } from "./Selection.ts"
import * as Specs from "./Specs.ts"

const KIND = "budget-policy"

const Interval = Schema.Literal(...Specs.BudgetIntervals)

/**
 * @since 0.1.0
 * @category models
 */
export class BudgetChange extends Schema.Class<BudgetChange>("BudgetChange")({
  interval: Interval,
  /** The limit the server had when planned (absent: no budget for that interval). */
  from: Schema.optionalWith(Schema.Number, { exact: true }),
  to: Schema.Number
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class WorkspaceBudgets extends Schema.Class<WorkspaceBudgets>("WorkspaceBudgets")({
  id: Schema.String,
  slug: Schema.String,
  changes: Schema.Array(BudgetChange)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class BudgetPolicyPlan extends Schema.TaggedClass<BudgetPolicyPlan>()("BudgetPolicyPlan", {
  spec: Specs.BudgetPolicySpec,
  /** Workspaces with something to change. */
  workspaces: Schema.Array(WorkspaceBudgets),
  /** Budgets already right. */
  unchanged: Schema.Number,
  /** The selected workspaces whose budgets are all right already (slugs): the plan names every workspace selected. */
  alreadyRight: Schema.optionalWith(Schema.Array(Schema.String), { exact: true, default: () => [] })
}) {}

const ORDER = Specs.BudgetIntervals

/**
 * Raise the larger intervals first, then lower the smaller ones first: the rule holds at each step.
 *
 * @since 0.1.0
 * @category planning
 */
export const ordered = (changes: ReadonlyArray<BudgetChange>) => [
  ...changes.filter((c) => c.from === undefined || c.to > c.from).sort((a, b) => ORDER.indexOf(b.interval) - ORDER.indexOf(a.interval)),
  ...changes.filter((c) => c.from !== undefined && c.to < c.from).sort((a, b) => ORDER.indexOf(a.interval) - ORDER.indexOf(b.interval))
]

/**
 * What must change in one workspace's budgets, in a safe order, and how many are already right.
 *
 * @since 0.1.0
 * @category planning
 */
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

/**
 * "daily budget none → 7 USD"
 *
 * @since 0.1.0
 * @category describing
 */
export const budgetAction = (change: BudgetChange) => `${change.interval} budget ${change.from ?? "none"} → ${change.to} USD`

/**
 * One budget's report item (`key`: `slug:interval`).
 *
 * @since 0.1.0
 * @category describing
 */
export const budgetItem = (slug: string, change: BudgetChange, outcome: Engine.ReportItem["outcome"], reason?: string) =>
  new Engine.ReportItem({
    kind: "budget",
    key: `${slug}:${change.interval}`,
    action: `${slug} ${budgetAction(change)}`,
    outcome,
    ...(reason !== undefined ? { reason } : {})
  })

/**
 * The journal key of one workspace's budget writes.
 *
 * @since 0.1.0
 * @category utils
 */
export const operationKey = (workspace: string, changes: ReadonlyArray<BudgetChange>) =>
  `budgets:${workspace}:${changes.map((c) => `${c.interval}=${c.to}`).join(",")}`

/**
 * Set one workspace's budgets one after another (the order keeps the rule); never fails: failures are items.
 *
 * @since 0.1.0
 * @category applying
 */
export const setBudgets = (workspaceId: string, slug: string, changes: ReadonlyArray<BudgetChange>) =>
  Effect.flatMap(
    Workspaces,
    (workspaces) =>
      Effect.forEach(changes, (change) =>
        workspaces.setBudget({ id: workspaceId, interval: change.interval, limitUsd: change.to }).pipe(
          Effect.as(budgetItem(slug, change, "done")),
          Effect.catchAll((error) => Effect.succeed(budgetItem(slug, change, "failed", error.message)))
        ))
  )

const planSpec = (spec: Specs.BudgetPolicySpec, concurrency: number, reading: Reading.Reporter) =>
  Effect.gen(function*() {
    const selection = yield* resolveWorkspaces(KIND, spec.workspaces)
    const counter = reading("workspace", selection.selected.length)
    const read = yield* Effect.forEach(
      selection.selected,
      (w) => Effect.map(changesFor(w.id, spec.budgets), ({ changes, same }) => ({ w, changes, same })).pipe(Effect.tap(() => counter.one)),
      { concurrency }
    )
    return new BudgetPolicyPlan({
      spec,
      workspaces: read.filter((r) => r.changes.length > 0).map(({ changes, w }) => new WorkspaceBudgets({ id: w.id, slug: w.slug, changes })),
      unchanged: read.reduce((n, r) => n + r.same, 0),
      alreadyRight: read.filter((r) => r.changes.length === 0).map((r) => r.w.slug)
    })
  })

/**
 * Plan from a spec (an instance or its encoded form); anything else fails with `InvalidRequestError`.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (input: unknown, options: PlanOptions = {}) =>
  Effect.gen(function*() {
    const spec = yield* Specs.decode(Specs.BudgetPolicySpec, KIND)(input)
    const { concurrency } = yield* Engine.checkOptions(options)
    return yield* planSpec(spec, concurrency, Reading.reporter(options.events))
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
          current === undefined
            ? budgetItem(w.slug, c, "already-done", "already in place: the server shows it set since the plan was made")
            : budgetItem(w.slug, c, "skipped", `not changed: the budget changed since the plan (now ${current.from ?? "none"}): plan again`)
        )
      }
      return ok
    })
    return keep.length > 0 ? [new WorkspaceBudgets({ ...w, changes: ordered(keep) })] : []
  })
  return {
    plan: new BudgetPolicyPlan({ spec: saved.spec, workspaces, unchanged: fresh.unchanged, alreadyRight: fresh.alreadyRight }),
    stale
  }
}

const execute = (current: BudgetPolicyPlan, extra: ReadonlyArray<Engine.ReportItem>, options: Engine.ApplyOptions) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<Workspaces>()
    const operations = current.workspaces.map((w): Engine.PlannedOperation => ({
      key: operationKey(w.id, w.changes),
      payload: { id: w.id, slug: w.slug, changes: w.changes.map((c) => ({ ...c })) },
      items: w.changes.length,
      run: Effect.provide(setBudgets(w.id, w.slug, w.changes), context)
    }))
    return yield* Engine.run({ kind: KIND, spec: current.spec, unit: "budgets", operations, extraItems: extra }, options)
  })

/**
 * Apply a spec (plan, then run) or a saved plan (re-read first: a change whose starting value moved
 * since the plan is skipped and reported). `trusted`: a plan made moments ago in the same run.
 *
 * @since 0.1.0
 * @category applying
 */
export const apply = (input: unknown, options: Engine.ApplyJobOptions = {}) =>
  Engine.applyJob({
    kind: KIND,
    planSchema: BudgetPolicyPlan,
    plan,
    execute,
    recheck: (saved, concurrency) =>
      Effect.map(planSpec(saved.spec, concurrency, Reading.reporter(options.events)), (fresh) => restrict(fresh, saved))
  })(input, options)

// --- what a person reads ---------------------------------------------------------------------------

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`

/**
 * The plan's lines: "~ change 4 budgets in 2 workspaces", each change, and the workspaces already right.
 *
 * @since 0.1.0
 * @category describing
 */
export const describe = (plan: BudgetPolicyPlan): ReadonlyArray<string> => {
  const changes = plan.workspaces.reduce((n, w) => n + w.changes.length, 0)
  const lines = [`~ change ${plural(changes, "budget")} in ${plural(plan.workspaces.length, "workspace")}`]
  for (const w of plan.workspaces.slice(0, 50)) {
    for (const c of w.changes) lines.push(`  ~ ${w.slug} ${budgetAction(c)}`)
  }
  if (plan.workspaces.length > 50) lines.push(`  … and ${plan.workspaces.length - 50} more workspaces (all in the plan document)`)
  if (plan.alreadyRight.length > 0) {
    lines.push(
      `  = already right in ${plural(plan.alreadyRight.length, "workspace")}: ${plan.alreadyRight.slice(0, 50).join(", ")}${
        plan.alreadyRight.length > 50 ? ", …" : ""
      }`
    )
  }
  if (plan.unchanged > 0) lines.push(`  = ${plural(plan.unchanged, "budget")} already right (left alone)`)
  return lines
}

/**
 * @since 0.1.0
 * @category describing
 */
export const isEmpty = (plan: BudgetPolicyPlan) => plan.workspaces.length === 0

/**
 * The budget-policy job.
 *
 * @since 0.1.0
 * @category definitions
 */
export const definition: JobDefinition<"budget-policy", Specs.BudgetPolicySpec, BudgetPolicyPlan> = {
  kind: KIND,
  spec: Specs.BudgetPolicySpec,
  planSchema: BudgetPolicyPlan,
  unit: "budgets",
  destructive: true,
  plan,
  apply,
  describe,
  isEmpty
}
