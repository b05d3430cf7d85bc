/**
 * Spend tables from attributed figures: per subject (a workspace, member, key or model) a total over the
 * window, its share of the whole and a day-by-day series. Pure: the figures come from `Spend.ts`, which
 * reads `/activity` and the keys; rendering is in `Render.ts` and `Html.ts`.
 *
 * Every figure is attributed to exactly one subject (what cannot be attributed gets a subject of its own,
 * e.g. deleted keys), so the rows always add up to the total.
 *
 * @since 0.2.0
 */
import type { SpendWindow } from "./Calendar.ts"

export const SpendBy = ["workspace", "member", "key", "model"] as const
export type SpendBy = (typeof SpendBy)[number]

/** One `/activity` row as spend reads it: structurally the contract's `ActivityItem`. */
export interface ActivityRow {
  readonly date: string
  readonly model: string
  readonly usage: number
  readonly byokUsageInference: number
  readonly requests: number
  /** Present when the rows were asked for `groupBy: "workspace"`. */
  readonly workspaceId?: string | undefined
}

/** USD spent by one subject on one date (a completed day, or today so far). */
export interface SpendPoint {
  readonly subject: string
  readonly date: string
  readonly usd: number
  /** Requests, when the source counts them (`/activity` does, the keys' usage does not). */
  readonly requests?: number
}

/** Who or what a row is: its id, the name a person knows it by and, for the rows that need one, why. */
export interface Subject {
  readonly id: string
  readonly name: string
  readonly note?: string
}

export interface SpendRow extends Subject {
  /** USD over the completed days and today. */
  readonly total: number
  /** Of the table's total, 0…1 (0 when the table's total is 0). */
  readonly share: number
  /** Requests over the completed days (today's are not reported by the API). */
  readonly requests: number
  /** USD per date of {@link SpendTable.dates}, oldest first, today last. */
  readonly series: ReadonlyArray<number>
}

export interface SpendTable {
  readonly by: SpendBy
  readonly window: SpendWindow
  /** The completed days, then today. */
  readonly dates: ReadonlyArray<string>
  /** BYOK spend (the provider's bill, not OpenRouter credits) added in. */
  readonly includeByok: boolean
  /** Largest first; ties by name. */
  readonly rows: ReadonlyArray<SpendRow>
  readonly total: number
  /** USD per date, all rows together. */
  readonly series: ReadonlyArray<number>
}

/** What a row costs: OpenRouter credits, plus BYOK when asked. */
export const rowUsd = (row: ActivityRow, includeByok: boolean) => row.usage + (includeByok ? row.byokUsageInference : 0)

/** The activity rows of the window's completed days as points of the subject `subjectOf` names (skipped when it gives undefined). */
export const pointsOf = (
  rows: ReadonlyArray<ActivityRow>,
  window: SpendWindow,
  includeByok: boolean,
  subjectOf: (row: ActivityRow) => string | undefined
): Array<SpendPoint> => {
  const days = new Set(window.days)
  const points: Array<SpendPoint> = []
  for (const row of rows) {
    if (!days.has(row.date)) continue
    const subject = subjectOf(row)
    if (subject !== undefined) points.push({ subject, date: row.date, usd: rowUsd(row, includeByok), requests: row.requests })
  }
  return points
}

/** Sums below this are float noise, not spend. */
const noise = (total: number) => Math.max(1e-9, Math.abs(total) * 1e-12)

/** USD per date. */
export const byDate = (points: Iterable<SpendPoint>): Map<string, number> => {
  const sums = new Map<string, number>()
  for (const point of points) sums.set(point.date, (sums.get(point.date) ?? 0) + point.usd)
  return sums
}

/**
 * What the whole has that the attributed points do not, per date, as points of `subject` (none where
 * nothing is missing). Spend is never negative, so a negative difference is float noise and dropped.
 */
export const remainder = (
  whole: ReadonlyMap<string, number>,
  attributed: ReadonlyMap<string, number>,
  subject: string
): Array<SpendPoint> => {
  const points: Array<SpendPoint> = []
  for (const [date, usd] of whole) {
    const missing = usd - (attributed.get(date) ?? 0)
    if (missing > noise(usd)) points.push({ subject, date, usd: missing })
  }
  return points
}

/** Is nothing left to attribute? (Every date's attributed sum reaches the whole.) */
export const fullyAttributed = (whole: ReadonlyMap<string, number>, attributed: ReadonlyMap<string, number>) =>
  remainder(whole, attributed, "").length === 0

/**
 * The table: one row per subject that has a point (subjects not in `subjects` are named by their id),
 * plus a row for each subject in `always` even without spend (so a selected workspace with nothing spent
 * still shows, at 0).
 */
export const aggregate = (options: {
  readonly by: SpendBy
  readonly window: SpendWindow
  readonly includeByok: boolean
  readonly points: Iterable<SpendPoint>
  readonly subjects: ReadonlyMap<string, Subject>
  readonly always?: Iterable<string>
}): SpendTable => {
  const dates = [...options.window.days, options.window.today]
  const index = new Map(dates.map((date, i) => [date, i]))
  const series = new Map<string, { values: Array<number>; requests: number }>()
  const entry = (subject: string) => {
    let found = series.get(subject)
    if (!found) {
      found = { values: dates.map(() => 0), requests: 0 }
      series.set(subject, found)
    }
    return found
  }
  for (const subject of options.always ?? []) entry(subject)
  for (const point of options.points) {
    const at = index.get(point.date)
    if (at === undefined) continue
    const found = entry(point.subject)
    found.values[at]! += point.usd
    found.requests += point.requests ?? 0
  }
  const totals = dates.map(() => 0)
  const rows: Array<SpendRow> = []
  let total = 0
  for (const [id, { requests, values }] of series) {
    const rowTotal = values.reduce((a, b) => a + b, 0)
    values.forEach((v, i) => (totals[i]! += v))
    total += rowTotal
    const subject = options.subjects.get(id) ?? { id, name: id }
    rows.push({ ...subject, id, total: rowTotal, share: 0, requests, series: values })
  }
  const withShares = rows
    .map((row) => ({ ...row, share: total > 0 ? row.total / total : 0 }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
  return {
    by: options.by,
    window: options.window,
    dates,
    includeByok: options.includeByok,
    rows: withShares,
    total,
    series: totals
  }
}
