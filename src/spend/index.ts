/**
 * Spend: who spends what, budgets and limits against their use, alerts, and a report people look at.
 *
 * ```ts
 * import * as Spend from "openrouter-effect/spend"
 *
 * const { table } = yield* Spend.report({ by: "member", days: 30 })   // Activity | Keys | Workspaces | Organization
 * const found = yield* Spend.check({ threshold: 0.8 })                // budgets and key limits at or over 80%
 * const page = yield* Spend.htmlReport({ days: 30 })                  // one self-contained HTML page
 * ```
 *
 * Figures are USD in UTC days: the last N completed days from `/activity` plus today so far from the keys'
 * live `usage_daily`; OpenRouter credits only unless `includeByok`.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import { report, type ReportOptions } from "./Spend.ts"

export { type ActivityRow, SpendBy, type SpendPoint, type SpendRow, type SpendTable, type Subject } from "./Aggregate.ts"
export * as Alerts from "./Alerts.ts"
export * as Calendar from "./Calendar.ts"
export * as Render from "./Render.ts"
export type { ResolvedScope, WorkspaceRefs } from "./Scope.ts"
export { NO_CREATOR, report, type ReportOptions, type SpendReport, TODAY_ALL_MODELS, UNATTRIBUTED } from "./Spend.ts"
export {
  type BudgetUse,
  check,
  type CheckOptions,
  type CheckResult,
  type KeyUse,
  type TopSpender,
  type Utilisation,
  utilisation,
  type UtilisationOptions
} from "./Utilisation.ts"

export interface HtmlReportOptions extends Omit<ReportOptions, "by"> {
  /** Rows in the top members and top keys charts. Default 15. */
  readonly top?: number
}

/**
 * The HTML report: spend per day stacked by workspace, top members, top keys, as one page that needs no
 * network to open. Vega (the charts) is loaded only now.
 */
export const htmlReport = (options: HtmlReportOptions = {}) =>
  Effect.gen(function*() {
    const byWorkspace = yield* report({ ...options, by: "workspace" })
    const same = { ...options, now: byWorkspace.at }
    const [byMember, byKey] = yield* Effect.all([report({ ...same, by: "member" }), report({ ...same, by: "key" })], { concurrency: 2 })
    const { renderHtml } = yield* Effect.promise(() => import("./Html.ts"))
    return yield* Effect.promise(() =>
      renderHtml({
        byWorkspace: byWorkspace.table,
        byMember: byMember.table,
        byKey: byKey.table,
        scope: byWorkspace.scope,
        at: byWorkspace.at,
        ...(options.top === undefined ? {} : { top: options.top })
      })
    )
  })
