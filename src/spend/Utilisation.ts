/**
 * Budget and limit utilisation, and the alert check over it.
 *
 * Per workspace: what it spent this UTC day, week (from Monday) and month against its daily, weekly and
 * monthly budgets (BYOK counted when the workspace counts it). A day is the keys' live `usage_daily`; a
 * week or month adds its completed days from `/activity` (one request), so deleted keys' spend counts.
 * A lifetime budget is compared with the lifetime usage of the keys still listed: a lower bound, said so.
 *
 * Per key with a limit: what it used against it (the server's `limit_remaining`) and when it resets.
 *
 * `check` names every budget and limit at or over a share (`threshold: 0.8` for 80%): the CLI exits 3
 * when there is any.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import { Activity } from "../Activity.ts"
import type { BudgetInterval, Workspace } from "../Domain.ts"
import { InvalidRequestError } from "../Errors.ts"
import type { ApiKey } from "../KeysDomain.ts"
import { Workspaces } from "../Workspaces.ts"
import { rowUsd } from "./Aggregate.ts"
import { MAX_DAYS, nextReset, type ResetInterval, startOf, windowOf } from "./Calendar.ts"
import type { ResolvedScope, WorkspaceRefs } from "./Scope.ts"
import { loadScope, shown, validate } from "./Spend.ts"

export interface BudgetUse {
  readonly kind: "budget"
  readonly workspaceId: string
  readonly slug: string
  readonly interval: BudgetInterval
  readonly limitUsd: number
  readonly spentUsd: number
  /** `spentUsd / limitUsd`; a budget of 0 with nothing spent is 0, with any spend 1 or more. */
  readonly share: number
  /** ISO date-time; `null` for a lifetime budget. */
  readonly resetsAt: string | null
  readonly includeByok: boolean
  /** The spend is a lower bound (lifetime: keys still listed only). */
  readonly atLeast: boolean
}

export interface KeyUse {
  readonly kind: "key"
  readonly hash: string
  readonly name: string
  readonly workspaceId: string
  readonly slug: string
  readonly creatorUserId: string | null
  readonly disabled: boolean
  readonly limitUsd: number
  readonly usedUsd: number
  readonly share: number
  /** `null`: the limit never resets. */
  readonly limitReset: string | null
  readonly resetsAt: string | null
  readonly includeByok: boolean
}

export interface Utilisation {
  readonly at: number
  readonly scope: ResolvedScope
  /** Largest share first. */
  readonly budgets: ReadonlyArray<BudgetUse>
  /** Keys with a limit, largest share first. */
  readonly keys: ReadonlyArray<KeyUse>
  /** Every key of the selected workspaces (for top spenders). */
  readonly allKeys: ReadonlyArray<ApiKey>
  readonly workspaces: ReadonlyArray<Workspace>
}

export interface UtilisationOptions {
  readonly workspaces?: WorkspaceRefs
  readonly concurrency?: number
  readonly now?: number
}

const shareOf = (used: number, limit: number) => (limit > 0 ? used / limit : used > 0 ? 1 : 0)
const byShare = <A extends { readonly share: number }>(items: Array<A>) => items.sort((a, b) => b.share - a.share)
const isReset = (value: string | null): value is ResetInterval => value === "daily" || value === "weekly" || value === "monthly"

/** A key's use of its limit: the server's `limit_remaining` when it gives one, else its usage of the period. */
export const keyUse = (key: ApiKey, slug: string, now: number): KeyUse | undefined => {
  if (key.limit === null) return undefined
  const byok = key.includeByokInLimit
  const period = key.limitReset === "daily"
    ? key.usageDaily + (byok ? key.byokUsageDaily : 0)
    : key.limitReset === "weekly"
    ? key.usageWeekly + (byok ? key.byokUsageWeekly : 0)
    : key.limitReset === "monthly"
    ? key.usageMonthly + (byok ? key.byokUsageMonthly : 0)
    : key.usage + (byok ? key.byokUsage : 0)
  const used = key.limitRemaining === null ? period : Math.max(0, key.limit - key.limitRemaining)
  return {
    kind: "key",
    hash: key.hash,
    name: key.name,
    workspaceId: key.workspaceId,
    slug,
    creatorUserId: key.creatorUserId,
    disabled: key.disabled,
    limitUsd: key.limit,
    usedUsd: used,
    share: shareOf(used, key.limit),
    limitReset: key.limitReset,
    resetsAt: isReset(key.limitReset) ? new Date(nextReset(key.limitReset, now)).toISOString() : null,
    includeByok: byok
  }
}

/** Budgets and limits of the selected workspaces at `now`. */
export const utilisation = (options: UtilisationOptions = {}) =>
  Effect.gen(function*() {
    const operation = "Spend.utilisation"
    const valid = yield* validate(operation, options)
    const { now, concurrency } = valid
    const workspaces = yield* Workspaces
    const activity = yield* Activity
    const { all, keys, scope } = yield* loadScope(operation, valid.workspaces, concurrency)
    const selected = all.filter((w) => scope.ids.has(w.id))
    const budgetsOf = yield* Effect.forEach(selected, (w) => workspaces.listBudgets({ id: w.id }), { concurrency })
    const needsActivity = budgetsOf.some((b) => b.data.some((budget) => budget.interval === "weekly" || budget.interval === "monthly"))
    const rows = needsActivity ? (yield* activity.list({ groupBy: "workspace" })).data : []
    const window = windowOf(now, MAX_DAYS)
    const days = new Set(window.days)

    const budgets: Array<BudgetUse> = []
    selected.forEach((workspace, i) => {
      const listed = budgetsOf[i]!
      const includeByok = listed.includeByokInBudgets ?? workspace.includeByokInBudgets ?? false
      const own = keys.filter((k) => k.workspaceId === workspace.id)
      const today = own.reduce((sum, k) => sum + k.usageDaily + (includeByok ? k.byokUsageDaily : 0), 0)
      const completedSince = (since: number) => {
        const first = new Date(since).toISOString().slice(0, 10)
        return rows.reduce(
          (sum, row) => row.workspaceId === workspace.id && days.has(row.date) && row.date >= first ? sum + rowUsd(row, includeByok) : sum,
          0
        )
      }
      for (const budget of listed.data) {
        const interval = budget.interval
        const spent = interval === "lifetime"
          ? own.reduce((sum, k) => sum + k.usage + (includeByok ? k.byokUsage : 0), 0)
          : interval === "daily"
          ? today
          : today + completedSince(startOf(interval, now))
        budgets.push({
          kind: "budget",
          workspaceId: workspace.id,
          slug: workspace.slug,
          interval,
          limitUsd: budget.limitUsd,
          spentUsd: spent,
          share: shareOf(spent, budget.limitUsd),
          resetsAt: interval === "lifetime" ? null : new Date(nextReset(interval, now)).toISOString(),
          includeByok,
          atLeast: interval === "lifetime"
        })
      }
    })
    const slugOf = new Map(all.map((w) => [w.id, w.slug]))
    const keyUses = keys.flatMap((key) => keyUse(key, slugOf.get(key.workspaceId) ?? key.workspaceId, now) ?? [])
    const result: Utilisation = { at: now, scope, budgets: byShare(budgets), keys: byShare(keyUses), allKeys: keys, workspaces: selected }
    return result
  })

// --- the check ------------------------------------------------------------------------------------------

export interface CheckOptions extends UtilisationOptions {
  /** A share of the budget or limit: 0.8 is 80%. Above 0. */
  readonly threshold: number
  /** Also list the N keys that spent most this UTC month. */
  readonly top?: number
}

export interface TopSpender {
  readonly hash: string
  readonly name: string
  readonly slug: string
  readonly monthUsd: number
  readonly todayUsd: number
}

export interface CheckResult {
  readonly threshold: number
  readonly at: number
  readonly scope: ResolvedScope
  /** Budgets and key limits at or over the threshold, largest share first. */
  readonly crossed: ReadonlyArray<BudgetUse | KeyUse>
  readonly top: ReadonlyArray<TopSpender>
  readonly checked: { readonly budgets: number; readonly keys: number }
}

/** Every budget and key limit of the selected workspaces at or over `threshold`. */
export const check = (options: CheckOptions) =>
  Effect.gen(function*() {
    const fail = (issue: string) => Effect.fail(new InvalidRequestError({ operation: "Spend.check", issue }))
    if (typeof options !== "object" || options === null) return yield* fail(`options must be an object, not ${shown(options)}`)
    if (!(typeof options.threshold === "number" && Number.isFinite(options.threshold) && options.threshold > 0)) {
      return yield* fail(`threshold must be a share above 0 (0.8 for 80%), not ${shown(options.threshold)}`)
    }
    const top = options.top ?? 0
    if (!(Number.isInteger(top) && top >= 0)) return yield* fail(`top must be a whole number ≥ 0, not ${shown(top)}`)
    const used = yield* utilisation(options)
    const crossed = byShare([...used.budgets, ...used.keys].filter((u) => u.share >= options.threshold))
    const slugOf = new Map(used.workspaces.map((w) => [w.id, w.slug]))
    const spenders = [...used.allKeys]
      .filter((k) => k.usageMonthly > 0)
      .sort((a, b) => b.usageMonthly - a.usageMonthly || a.name.localeCompare(b.name))
      .slice(0, top)
      .map((k) => ({
        hash: k.hash,
        name: k.name,
        slug: slugOf.get(k.workspaceId) ?? k.workspaceId,
        monthUsd: k.usageMonthly,
        todayUsd: k.usageDaily
      }))
    const result: CheckResult = {
      threshold: options.threshold,
      at: used.at,
      scope: used.scope,
      crossed,
      top: spenders,
      checked: { budgets: used.budgets.length, keys: used.keys.length }
    }
    return result
  })
