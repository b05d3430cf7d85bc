/**
 * Spend tables as a person reads them on a terminal (name beside id, total, share, a bar, optionally a
 * sparkline of the days), and as CSV and JSON for piping. Every table starts by saying what it covers:
 * which UTC days, where the figures come from, BYOK included or not, which workspaces.
 *
 * @since 0.1.0
 */
import { stringify } from "csv-stringify/sync"
import stringWidth from "string-width"
import type { SpendRow, SpendTable } from "./Aggregate.ts"

/**
 * The workspaces a report covers, as said in its header: every one, or the ones selected.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReportScope {
  readonly all: boolean
  readonly workspaces: ReadonlyArray<{ readonly id: string; readonly slug: string }>
}

/**
 * `$1,234.56`; amounts under a cent keep two significant digits (`$0.0042`): a spend is never shown as `$0.00`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const formatUsd = (usd: number): string => {
  if (usd !== 0 && Math.abs(usd) < 0.01) return `$${usd.toPrecision(2)}`
  return `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
}

/**
 * `42.0%`; a share above 0 that rounds to 0 shows as `<0.1%`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const formatShare = (share: number): string => share > 0 && share < 0.0005 ? "<0.1%" : `${(share * 100).toFixed(1)}%`

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

/**
 * A horizontal bar `width` cells long at `fraction` 1, in eighths of a cell.
 *
 * @since 0.1.0
 * @category rendering
 */
export const bar = (fraction: number, width: number): string => {
  const eighths = Math.round(Math.max(0, Math.min(1, fraction)) * width * 8)
  return "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!
}

const LEVELS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

/**
 * One character per value, scaled to the largest; a day with no spend is the lowest block, any spend above it.
 *
 * @since 0.1.0
 * @category rendering
 */
export const sparkline = (values: ReadonlyArray<number>): string => {
  const max = Math.max(0, ...values)
  return values.map((v) => (v <= 0 || max === 0 ? LEVELS[0] : LEVELS[1 + Math.min(6, Math.round((v / max) * 6))])).join("")
}

const subjectLabel = { workspace: "workspace", member: "member", key: "key", model: "model" } as const

/**
 * The lines that say what the figures cover.
 *
 * @since 0.1.0
 * @category rendering
 */
export const coverage = (table: SpendTable, scope: ReportScope): ReadonlyArray<string> => {
  const { days, today } = table.window
  const span = days.length === 0 ? "no completed days" : `${days.length} completed UTC day${days.length === 1 ? "" : "s"} ${days[0]} … ${days.at(-1)}`
  const where = scope.all
    ? "all workspaces"
    : `workspace${scope.workspaces.length === 1 ? "" : "s"} ${scope.workspaces.map((w) => w.slug).join(", ")}`
  return [
    `Spend by ${subjectLabel[table.by]}, ${where}: ${span} (from /activity) and today ${today} so far (the keys' live usage_daily).`,
    table.includeByok
      ? "USD: OpenRouter credits plus BYOK (spend billed by your own provider keys)."
      : "USD: OpenRouter credits only; BYOK (spend billed by your own provider keys) not included."
  ]
}

const pad = (text: string, width: number, right = false) => {
  const gap = " ".repeat(Math.max(0, width - stringWidth(text)))
  return right ? gap + text : text + gap
}

/** The id column: blank for the rows that stand for no single subject (deleted keys, today across models). */
const idOf = (row: SpendRow) => (row.note !== undefined && row.id.startsWith("(") ? "" : row.id)

/**
 * The table for a terminal `columns` wide: NAME, ID (not for models: a model's slug is its id), SPEND,
 * SHARE, a bar scaled to the largest row, and with `daily` a sparkline of the days (today last). Names
 * and ids are never cut; the bar takes what width is left (at least 10 cells).
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderTable = (
  table: SpendTable,
  scope: ReportScope,
  options: { readonly columns?: number; readonly daily?: boolean } = {}
): string => {
  const withId = table.by !== "model"
  const headers = ["NAME", ...(withId ? ["ID"] : []), "SPEND", "SHARE"]
  const cells = table.rows.map((row) => [
    row.note ? `${row.name} (${row.note})` : row.name,
    ...(withId ? [idOf(row)] : []),
    formatUsd(row.total),
    formatShare(row.share)
  ])
  const totalCells = ["TOTAL", ...(withId ? [""] : []), formatUsd(table.total), table.total > 0 ? "100.0%" : formatShare(0)]
  const widths = headers.map((h, i) => Math.max(stringWidth(h), ...[...cells, totalCells].map((c) => stringWidth(c[i]!))))
  const spark = options.daily ? table.dates.length : 0
  const used = widths.reduce((a, b) => a + b + 2, 0) + (spark > 0 ? spark + 2 : 0)
  const barWidth = Math.max(10, Math.min(40, (options.columns ?? 100) - used))
  const numeric = (i: number) => i >= headers.length - 2
  const line = (row: ReadonlyArray<string>, barText: string, sparkText: string) =>
    [
      ...row.map((c, i) => pad(c, widths[i]!, numeric(i))),
      pad(barText, barWidth),
      ...(spark > 0 ? [sparkText] : [])
    ].join("  ").trimEnd()
  const max = Math.max(0, ...table.rows.map((r) => r.total))
  const out = [...coverage(table, scope), ""]
  out.push(line(headers, "", spark > 0 ? pad(`DAILY ${table.dates[0]} → ${table.dates.at(-1)}`, spark) : ""))
  table.rows.forEach((row, i) => out.push(line(cells[i]!, bar(max > 0 ? row.total / max : 0, barWidth), sparkline(row.series))))
  out.push(line(totalCells, "", spark > 0 ? sparkline(table.series) : ""))
  if (table.rows.length === 0) out.push("(no spend in this window)")
  return out.join("\n")
}

/**
 * Plain data: the window, what it covers, every row with its series.
 *
 * @since 0.1.0
 * @category rendering
 */
export const toJson = (table: SpendTable, scope: ReportScope) => ({
  by: table.by,
  window: {
    completedDays: table.window.days.length,
    from: table.window.days[0] ?? table.window.today,
    to: table.window.today,
    today: table.window.today,
    timeZone: "UTC"
  },
  covers: coverage(table, scope).join(" "),
  includeByok: table.includeByok,
  workspaces: scope.all ? "all" : scope.workspaces.map((w) => ({ id: w.id, slug: w.slug })),
  currency: "USD",
  total: table.total,
  dates: table.dates,
  series: table.series,
  rows: table.rows.map((row) => ({
    id: idOf(row) === "" ? null : row.id,
    name: row.name,
    ...(row.note ? { note: row.note } : {}),
    total: row.total,
    share: row.share,
    requests: row.requests,
    series: row.series
  }))
})

/**
 * CSV with a header row: one row per subject; with `daily`, one column per date (today last).
 *
 * @since 0.1.0
 * @category rendering
 */
export const toCsv = (table: SpendTable, options: { readonly daily?: boolean } = {}): string => {
  const header = ["by", "id", "name", "note", "spend_usd", "share", "requests", ...(options.daily ? table.dates : [])]
  const rows = table.rows.map((row) => [
    table.by,
    idOf(row),
    row.name,
    row.note ?? "",
    row.total,
    row.share,
    row.requests,
    ...(options.daily ? row.series : [])
  ])
  return stringify([header, ...rows])
}
