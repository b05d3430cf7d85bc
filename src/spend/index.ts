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
 * @since 0.1.0
 */
import { Effect } from "effect"
import { report, type ReportOptions } from "./Spend.ts"

export {
  /**
   * One `/activity` row as spend reads it: structurally the contract's `ActivityItem`.
   *
   * @since 0.1.0
   * @category models
   */
  type ActivityRow,
  /**
   * What a spend table is by: `"workspace"`, `"member"`, `"key"` or `"model"` (the value lists them).
   *
   * @since 0.1.0
   * @category models
   */
  SpendBy,
  /**
   * USD spent by one subject on one date (a completed day, or today so far).
   *
   * @since 0.1.0
   * @category models
   */
  type SpendPoint,
  /**
   * One subject's spend over the window: total, share of the table, requests and USD per date.
   *
   * @since 0.1.0
   * @category models
   */
  type SpendRow,
  /**
   * A spend table: rows largest first, their dates (the completed days, then today) and totals.
   *
   * @since 0.1.0
   * @category models
   */
  type SpendTable,
  /**
   * Who or what a row is: its id, the name a person knows it by and, for the rows that need one, why.
   *
   * @since 0.1.0
   * @category models
   */
  type Subject
} from "./Aggregate.ts"
/**
 * @since 0.1.0
 */
/**
 * @since 0.1.0
 */
export * as Alerts from "./Alerts.ts"
/**
 * @since 0.1.0
 */
/**
 * @since 0.1.0
 */
export * as Calendar from "./Calendar.ts"
/**
 * @since 0.1.0
 */
/**
 * @since 0.1.0
 */
export * as Render from "./Render.ts"
export type {
  /**
   * The workspaces a report or check covers, as selected from the server's list.
   *
   * @since 0.1.0
   * @category models
   */
  ResolvedScope,
  /**
   * `"all"`, or ids, slugs and globs (`team-*`).
   *
   * @since 0.1.0
   * @category models
   */
  WorkspaceRefs
} from "./Scope.ts"
export {
  /**
   * The subject of keys nobody created (a management key's), in a table by member.
   *
   * @since 0.1.0
   * @category constants
   */
  NO_CREATOR,
  /**
   * The spend table of the window, by workspace, member, key or model, with what it covers. Fails with
   * `InvalidRequestError` (nothing sent) for bad options or a workspace selection that matches nothing.
   *
   * @since 0.1.0
   * @category reports
   */
  report,
  /**
   * What `report` takes: `by`, `days` (1–30), `workspaces`, `includeByok`, `concurrency`, `now`, `attribution`.
   *
   * @since 0.1.0
   * @category models
   */
  type ReportOptions,
  /**
   * What `report` returns: the table, its scope, when it was made and where members' and keys' figures came from.
   *
   * @since 0.1.0
   * @category models
   */
  type SpendReport,
  /**
   * Today's spend in a table by model: the keys' live `usage_daily` names no model.
   *
   * @since 0.1.0
   * @category constants
   */
  TODAY_ALL_MODELS,
  /**
   * Subjects that stand for no single workspace, member or key.
   *
   * @since 0.1.0
   * @category constants
   */
  UNATTRIBUTED
} from "./Spend.ts"
export {
  /**
   * A workspace budget against its spend: limit, spent, share and when it resets.
   *
   * @since 0.1.0
   * @category models
   */
  type BudgetUse,
  /**
   * Every budget and key limit of the selected workspaces at or over `threshold`.
   *
   * @since 0.1.0
   * @category reports
   */
  check,
  /**
   * What `check` takes: `threshold` (0.8 is 80%), `top`, and `utilisation`'s options.
   *
   * @since 0.1.0
   * @category models
   */
  type CheckOptions,
  /**
   * What `check` returns: the budgets and key limits at or over the threshold, and the top spenders.
   *
   * @since 0.1.0
   * @category models
   */
  type CheckResult,
  /**
   * A key's limit against its use: limit, used, share and when it resets.
   *
   * @since 0.1.0
   * @category models
   */
  type KeyUse,
  /**
   * A key among the most spent this UTC month.
   *
   * @since 0.1.0
   * @category models
   */
  type TopSpender,
  /**
   * What `utilisation` returns: budgets and keys with a limit, largest share first.
   *
   * @since 0.1.0
   * @category models
   */
  type Utilisation,
  /**
   * Budgets and limits of the selected workspaces at `now`.
   *
   * @since 0.1.0
   * @category reports
   */
  utilisation,
  /**
   * What `utilisation` takes: `workspaces`, `concurrency`, `now`.
   *
   * @since 0.1.0
   * @category models
   */
  type UtilisationOptions
} from "./Utilisation.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface HtmlReportOptions extends Omit<ReportOptions, "by"> {
  /** Rows in the top members and top keys charts. Default 15. */
  readonly top?: number
}

/**
 * The HTML report: spend per day stacked by workspace, top members, top keys, as one page that needs no
 * network to open. Vega (the charts) is loaded only now.
 *
 * @since 0.1.0
 * @category reports
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
