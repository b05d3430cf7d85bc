/**
 * Who spent what: spend per workspace, member, key or model over the last N completed UTC days (from
 * `/activity`, which reports rows per date × model × endpoint and no key or member) plus today so far
 * (from the keys' live `usage_daily`, which `/activity` does not report yet).
 *
 * ```ts
 * const report = yield* Spend.report({ by: "member", days: 30 })
 * for (const row of report.table.rows) console.log(row.name, row.total)
 * ```
 *
 * Requests, fewest first: the workspaces, their keys (the keys API lists one workspace at a time), and one
 * `/activity` request split per workspace give the whole and the workspace and model views. Members and
 * keys: one `/analytics/query` grouped by member (or key) and day, trusted only when it is complete, names
 * every subject by id and adds up to `/activity`'s total on every day. Otherwise (the real API may answer
 * with display labels) a member or a key is only visible through a filtered `/activity` request each: those
 * are made largest expected spender first (the keys' lifetime usage) and stop as soon as the subjects asked
 * account for the whole (spend is never negative, so everyone not asked spent nothing). What no subject
 * accounts for (deleted keys) is a row of its own, so the rows always add up to the total.
 *
 * @since 0.2.0
 */
import { Clock, Effect, Option, Stream } from "effect"
import { Activity } from "../Activity.ts"
import { Analytics } from "../Analytics.ts"
import type { OrganizationMember, Workspace } from "../Domain.ts"
import { InvalidRequestError } from "../Errors.ts"
import { Keys } from "../Keys.ts"
import type { ApiKey } from "../KeysDomain.ts"
import { Organization } from "../Organization.ts"
import { Workspaces } from "../Workspaces.ts"
import {
  type ActivityRow,
  aggregate,
  byDate,
  fullyAttributed,
  pointsOf,
  remainder,
  SpendBy,
  type SpendPoint,
  type SpendTable,
  type Subject
} from "./Aggregate.ts"
import { MAX_DAYS, type SpendWindow, windowOf } from "./Calendar.ts"
import { type ResolvedScope, resolveScope, type WorkspaceRefs } from "./Scope.ts"

export interface ReportOptions {
  readonly by: SpendBy
  /** Completed UTC days, 1–30 (what `/activity` keeps). Default 30. */
  readonly days?: number
  /** Default every workspace. */
  readonly workspaces?: WorkspaceRefs
  /** Add BYOK spend (billed by the organisation's own provider keys). Default false: OpenRouter credits only. */
  readonly includeByok?: boolean
  /** Requests in flight at once. Default 8. */
  readonly concurrency?: number
  /** The instant the report is for (epoch ms). Default the Clock's now. */
  readonly now?: number
  /**
   * How spend is attributed to members and keys. `"auto"` (default): one `/analytics/query` grouped by
   * member or key and day, used only when it is not truncated, names every subject by id (not by a display
   * label) and adds up to `/activity`'s total on every day; otherwise, and with `"activity"`, one filtered
   * `/activity` request per subject.
   */
  readonly attribution?: "auto" | "activity"
}

export interface SpendReport {
  readonly table: SpendTable
  readonly scope: ResolvedScope
  /** When the report was made (epoch ms). */
  readonly at: number
  /** Where members' and keys' figures came from (workspaces and models always come from `/activity`). */
  readonly attribution: "activity" | "analytics"
}

/** Subjects that stand for no single workspace, member or key. */
export const UNATTRIBUTED = "(unattributed)"
export const NO_CREATOR = "(no creator)"
export const TODAY_ALL_MODELS = "(today)"

const isInt = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max

/** A value as an error message shows it (never throws: a bigint or a cycle is shown by String). */
export const shown = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    try {
      return String(value)
    } catch {
      return Object.prototype.toString.call(value) // an object without a prototype
    }
  }
}

/** The options, checked before any request. */
export const validate = (operation: string, given: Partial<ReportOptions>) =>
  Effect.gen(function*() {
    const fail = (issue: string) => Effect.fail(new InvalidRequestError({ operation, issue }))
    // a JavaScript caller may pass anything: every field is checked, nothing is assumed
    if (typeof given !== "object" || given === null) return yield* fail(`options must be an object, not ${shown(given)}`)
    const options = given
    if ("by" in options && !SpendBy.includes(options.by as SpendBy)) {
      return yield* fail(`"by" must be one of ${SpendBy.join(", ")}, not ${shown(options.by)}`)
    }
    const days = options.days ?? MAX_DAYS
    if (!isInt(days, 1, MAX_DAYS)) {
      return yield* fail(
        `days must be a whole number from 1 to ${MAX_DAYS} (/activity keeps the last ${MAX_DAYS} completed UTC days), not ${shown(days)}`
      )
    }
    const concurrency = options.concurrency ?? 8
    if (!isInt(concurrency, 1, 64)) return yield* fail(`concurrency must be a whole number from 1 to 64, not ${shown(concurrency)}`)
    const refs: unknown = options.workspaces ?? "all"
    if (refs !== "all" && (!Array.isArray(refs) || refs.some((ref) => typeof ref !== "string"))) {
      return yield* fail(`workspaces must be "all" or a list of ids, slugs or globs, not ${shown(refs)}`)
    }
    if (refs !== "all" && (refs.length === 0 || refs.some((ref: string) => ref.trim() === ""))) {
      return yield* fail("an empty workspace selection selects nothing: name a workspace (id, slug or glob)")
    }
    if (options.includeByok !== undefined && typeof options.includeByok !== "boolean") {
      return yield* fail(`includeByok must be true or false, not ${shown(options.includeByok)}`)
    }
    if (options.attribution !== undefined && options.attribution !== "auto" && options.attribution !== "activity") {
      return yield* fail(`attribution must be "auto" or "activity", not ${shown(options.attribution)}`)
    }
    const now = options.now ?? (yield* Clock.currentTimeMillis)
    if (typeof now !== "number" || !Number.isFinite(now)) return yield* fail(`now must be an instant (epoch milliseconds), not ${shown(now)}`)
    return { days, concurrency, now, includeByok: options.includeByok ?? false, workspaces: refs as WorkspaceRefs }
  })

// --- what the organisation looks like -------------------------------------------------------------------

/** The selected workspaces and every key in them (disabled ones too: they spent). */
export const loadScope = <A = never, E = never, R = never>(
  operation: string,
  refs: WorkspaceRefs,
  concurrency: number,
  alongside: Effect.Effect<A, E, R> = Effect.void as Effect.Effect<any>
) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const keys = yield* Keys
    const all: Array<Workspace> = [...yield* Stream.runCollect(workspaces.stream())]
    const scope = yield* resolveScope(operation, refs, all)
    // once the selection is known to be good: the keys, and whatever the caller reads alongside them
    const [perWorkspace, other] = yield* Effect.all([
      Effect.forEach(scope.workspaces, (w) => Stream.runCollect(keys.stream({ workspaceId: w.id, includeDisabled: true })), { concurrency }),
      alongside
    ], { concurrency: "unbounded" })
    const scopedKeys: Array<ApiKey> = perWorkspace.flatMap((chunk) => [...chunk])
    return { all, scope, keys: scopedKeys, alongside: other as A }
  })

const keyUsd = (key: ApiKey, field: "daily" | "lifetime", includeByok: boolean) =>
  field === "daily"
    ? key.usageDaily + (includeByok ? key.byokUsageDaily : 0)
    : key.usage + (includeByok ? key.byokUsage : 0)

/** Today so far, per subject, from the keys' live usage. */
const todayPoints = (keys: ReadonlyArray<ApiKey>, window: SpendWindow, includeByok: boolean, subjectOf: (key: ApiKey) => string) =>
  keys.flatMap((key) => {
    const usd = keyUsd(key, "daily", includeByok)
    return usd > 0 ? [{ subject: subjectOf(key), date: window.today, usd }] : []
  })

// --- the report -----------------------------------------------------------------------------------------

/**
 * Ask each candidate in turn (largest expected spend first, `concurrency` at once) until the points
 * gathered account for the whole; what is still missing then is returned as {@link UNATTRIBUTED} points.
 */
const attribute = <C>(
  candidates: ReadonlyArray<C>,
  fetch: (candidate: C) => Effect.Effect<ReadonlyArray<SpendPoint>, any, any>,
  whole: ReadonlyMap<string, number>,
  concurrency: number
) =>
  Effect.suspend(() => {
    const attributed = new Map<string, number>()
    const gathered: Array<SpendPoint> = []
    const done = () => fullyAttributed(whole, attributed)
    const run = done() ? Effect.void : Stream.fromIterable(candidates).pipe(
      Stream.mapEffect(fetch, { concurrency }),
      Stream.tap((points) =>
        Effect.sync(() => {
          for (const point of points) {
            gathered.push(point)
            attributed.set(point.date, (attributed.get(point.date) ?? 0) + point.usd)
          }
        })
      ),
      Stream.takeUntil(done),
      Stream.runDrain
    )
    return Effect.map(run, () => [...gathered, ...remainder(whole, attributed, UNATTRIBUTED)])
  })

/** Sums below this are float noise, not a difference. */
const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-6, Math.abs(a) * 1e-9)

/**
 * Spend per subject and completed day from one `/analytics/query`, when it can be trusted: not truncated,
 * every subject given by id (`subjectOf` answers undefined for anything else, e.g. a display label) and the
 * same total as `/activity` on every day. `None` when any of that fails (the caller asks `/activity` then).
 */
const fromAnalytics = (
  dimension: "user" | "api_key_id",
  window: SpendWindow,
  scope: ResolvedScope,
  includeByok: boolean,
  whole: ReadonlyMap<string, number>,
  subjectOf: (value: unknown) => string | undefined
) =>
  Effect.gen(function*() {
    const analytics = yield* Analytics
    const response = yield* analytics.query({
      metrics: includeByok ? ["usage", "byok_usage_inference", "request_count"] : ["usage", "request_count"],
      dimensions: [dimension],
      granularity: "day",
      ...(scope.all ? {} : { filters: [{ field: "workspace", operator: "in", value: [...scope.ids] }] }),
      timeRange: { start: `${window.days[0]}T00:00:00Z`, end: `${window.today}T00:00:00Z` },
      limit: 200_000
    })
    if (response.data.metadata.truncated) return Option.none<Array<SpendPoint>>()
    const days = new Set(window.days)
    const points: Array<SpendPoint> = []
    for (const row of response.data.data) {
      const date = typeof row.date__day === "string" ? row.date__day.slice(0, 10) : undefined
      const subject = subjectOf(row[dimension])
      const usd = Number(row.usage ?? 0) + (includeByok ? Number(row.byok_usage_inference ?? 0) : 0)
      if (date === undefined || !days.has(date) || subject === undefined || !Number.isFinite(usd) || usd < 0) return Option.none()
      const requests = Number(row.request_count ?? 0)
      if (usd > 0 || requests > 0) points.push({ subject, date, usd, requests: Number.isFinite(requests) ? requests : 0 })
    }
    const sums = byDate(points)
    for (const day of window.days) if (!close(sums.get(day) ?? 0, whole.get(day) ?? 0)) return Option.none()
    return Option.some(points)
  }).pipe(Effect.catchAll(() => Effect.succeed(Option.none<Array<SpendPoint>>())))

const byExpectedSpend = <C extends { readonly expected: number }>(candidates: Array<C>) => candidates.sort((a, b) => b.expected - a.expected)

/**
 * The spend table of the window, by workspace, member, key or model, with what it covers. Fails with
 * `InvalidRequestError` (nothing sent) for bad options or a workspace selection that matches nothing.
 */
export const report = (options: ReportOptions) =>
  Effect.gen(function*() {
    const operation = "Spend.report"
    // `by` is required here (`validate` also serves utilisation, which has none)
    const valid = yield* validate(operation, typeof options === "object" && options !== null ? { ...options, by: options.by } : options)
    const activity = yield* Activity
    const { includeByok, concurrency } = valid
    const window = windowOf(valid.now, valid.days)
    const organization = yield* Organization
    const rowsOf = (filter: { readonly userId?: string; readonly apiKeyHash?: string }) =>
      Effect.map(activity.list({ ...filter, groupBy: "workspace" }), (response) => response.data)
    // at once: the workspaces and their keys, the members (by member), and the whole (one request, split per workspace)
    // the members (by member) and the whole (one request, split per workspace) read with the keys
    const { all, alongside: [members, wholeRows], keys, scope } = yield* loadScope(
      operation,
      valid.workspaces,
      concurrency,
      Effect.all([
        options.by === "member"
          ? Effect.map(Stream.runCollect(organization.streamMembers()), (chunk): Array<OrganizationMember> => [...chunk])
          : Effect.succeed([]),
        rowsOf({})
      ], { concurrency: "unbounded" })
    )
    const inScope = (row: ActivityRow) => row.workspaceId === undefined ? scope.all : scope.ids.has(row.workspaceId)
    const subjects = new Map<string, Subject>()
    const base = { by: options.by, window, includeByok, subjects }

    switch (options.by) {
      case "workspace": {
        for (const w of all) subjects.set(w.id, { id: w.id, name: w.slug })
        const points = pointsOf(wholeRows, window, includeByok, (row) => inScope(row) ? row.workspaceId ?? UNATTRIBUTED : undefined)
        for (const point of points) {
          if (!subjects.has(point.subject)) {
            subjects.set(
              point.subject,
              point.subject === UNATTRIBUTED
                ? { id: UNATTRIBUTED, name: "no workspace", note: "rows without a workspace" }
                : { id: point.subject, name: point.subject, note: "workspace no longer listed" }
            )
          }
        }
        points.push(...todayPoints(keys, window, includeByok, (key) => key.workspaceId))
        return { table: aggregate({ ...base, points, always: scope.ids }), scope, at: valid.now, attribution: "activity" } satisfies SpendReport
      }
      case "model": {
        const points = pointsOf(wholeRows, window, includeByok, (row) => inScope(row) ? row.model : undefined)
        subjects.set(TODAY_ALL_MODELS, { id: TODAY_ALL_MODELS, name: "today so far", note: "all models: the keys' usage is not split by model" })
        points.push(...todayPoints(keys, window, includeByok, () => TODAY_ALL_MODELS))
        return { table: aggregate({ ...base, points }), scope, at: valid.now, attribution: "activity" } satisfies SpendReport
      }
      case "key": {
        const whole = byDate(pointsOf(wholeRows, window, includeByok, (row) => inScope(row) ? "" : undefined))
        for (const key of keys) subjects.set(key.hash, { id: key.hash, name: key.name, ...(key.disabled ? { note: "disabled" } : {}) })
        subjects.set(UNATTRIBUTED, { id: UNATTRIBUTED, name: "deleted keys", note: "spend no listed key accounts for" })
        // a key that never spent anything has no activity: it is not asked
        const candidates = byExpectedSpend(
          keys.map((key) => ({ key, expected: keyUsd(key, "lifetime", includeByok) })).filter((c) => c.expected > 0)
        )
        const listed = new Set(keys.map((key) => key.hash))
        // a hash the listing lacks is a deleted key's; anything else (a numeric id, a label) is not usable
        const keyOf = (value: unknown) =>
          typeof value !== "string" ? undefined : listed.has(value) ? value : /^[0-9a-f]{64}$/.test(value) ? UNATTRIBUTED : undefined
        const viaAnalytics = options.attribution === "activity"
          ? Option.none<Array<SpendPoint>>()
          : yield* fromAnalytics("api_key_id", window, scope, includeByok, whole, keyOf)
        const points = Option.isSome(viaAnalytics) ? viaAnalytics.value : yield* attribute(
          candidates,
          ({ key }) =>
            Effect.map(
              rowsOf({ apiKeyHash: key.hash }),
              (rows) => pointsOf(rows, window, includeByok, (row) => inScope(row) ? key.hash : undefined)
            ),
          whole,
          concurrency
        )
        points.push(...todayPoints(keys, window, includeByok, (key) => key.hash))
        const attribution = Option.isSome(viaAnalytics) ? "analytics" : "activity"
        return { table: aggregate({ ...base, points }), scope, at: valid.now, attribution } satisfies SpendReport
      }
      case "member": {
        const memberIds = new Set(members.map((m) => m.id))
        const whole = byDate(pointsOf(wholeRows, window, includeByok, (row) => inScope(row) ? "" : undefined))
        for (const m of members) subjects.set(m.id, { id: m.id, name: m.email })
        subjects.set(NO_CREATOR, { id: NO_CREATOR, name: "keys without a creator", note: "no member" })
        subjects.set(UNATTRIBUTED, { id: UNATTRIBUTED, name: "deleted keys", note: "of former members or without a creator" })
        const subjectOfKey = (key: ApiKey) => key.creatorUserId ?? NO_CREATOR
        for (const key of keys) {
          const creator = subjectOfKey(key)
          if (creator !== NO_CREATOR && !memberIds.has(creator)) subjects.set(creator, { id: creator, name: creator, note: "no longer a member" })
        }
        // a member's activity is asked by user id (it covers their deleted keys too); a key whose creator is
        // no member (left, or none) is asked by its hash
        const expected = new Map<string, number>()
        for (const key of keys) expected.set(subjectOfKey(key), (expected.get(subjectOfKey(key)) ?? 0) + keyUsd(key, "lifetime", includeByok))
        const candidates = byExpectedSpend([
          ...members.map((m) => ({ subject: m.id, filter: { userId: m.id }, expected: expected.get(m.id) ?? 0 })),
          ...keys.filter((key) => !memberIds.has(subjectOfKey(key)) && keyUsd(key, "lifetime", includeByok) > 0).map((key) => ({
            subject: subjectOfKey(key),
            filter: { apiKeyHash: key.hash },
            expected: keyUsd(key, "lifetime", includeByok)
          }))
        ])
        // a member's id, a former member's (an id, not a display name), or none: a key without a creator
        const userOf = (value: unknown) =>
          value === null || value === ""
            ? NO_CREATOR
            : typeof value === "string" && (memberIds.has(value) || /^user_[A-Za-z0-9]+$/.test(value))
            ? value
            : undefined
        const viaAnalytics = options.attribution === "activity"
          ? Option.none<Array<SpendPoint>>()
          : yield* fromAnalytics("user", window, scope, includeByok, whole, userOf)
        if (Option.isSome(viaAnalytics)) {
          for (const { subject } of viaAnalytics.value) {
            if (!subjects.has(subject)) subjects.set(subject, { id: subject, name: subject, note: "no longer a member" })
          }
        }
        const points = Option.isSome(viaAnalytics) ? viaAnalytics.value : yield* attribute(
          candidates,
          ({ filter, subject }) =>
            Effect.map(
              rowsOf(filter),
              (rows) => pointsOf(rows, window, includeByok, (row) => inScope(row) ? subject : undefined)
            ),
          whole,
          concurrency
        )
        points.push(...todayPoints(keys, window, includeByok, subjectOfKey))
        const attribution = Option.isSome(viaAnalytics) ? "analytics" : "activity"
        return { table: aggregate({ ...base, points }), scope, at: valid.now, attribution } satisfies SpendReport
      }
    }
  })
