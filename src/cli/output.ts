/**
 * What the CLI prints on stdout: tables sized to their content and the terminal (one header, `…` where
 * a cell is cut, `--wide` for every column uncut), one JSON document (`--json`), JSON lines (`--jsonl`,
 * the default when stdout is not a TTY), or ids only (`-q`). Plus the human formats everyone shares.
 */
import { Options } from "@effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import stringWidth from "string-width"

// --- human formats ----------------------------------------------------------------------------------

/** `512 B`, `1.5 KB`, `12 MB`, `3.2 GB` (powers of 1024, as `ls -h` and `du -h` count). */
export const formatBytes = (bytes: number): string => {
  if (!Number.isFinite(bytes)) return String(bytes)
  const units = ["B", "KB", "MB", "GB", "TB"]
  let value = Math.abs(bytes)
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1
  return `${bytes < 0 ? "-" : ""}${value.toFixed(digits)} ${units[unit]}`
}

/** `850ms`, `12s`, `4m 12s`, `2h 5m`, `3d 4h`: the two largest units, rounded down. */
export const formatDuration = (millis: number): string => {
  if (!Number.isFinite(millis)) return "?"
  if (millis < 0) return `-${formatDuration(-millis)}`
  if (millis < 1000) return `${Math.round(millis)}ms`
  const seconds = Math.floor(millis / 1000)
  const parts: Array<[number, string]> = [
    [Math.floor(seconds / 86400), "d"],
    [Math.floor(seconds / 3600) % 24, "h"],
    [Math.floor(seconds / 60) % 60, "m"],
    [seconds % 60, "s"]
  ]
  const first = parts.findIndex(([n]) => n > 0)
  return parts.slice(first, first + 2).filter(([n], i) => i === 0 || n > 0).map(([n, u]) => `${n}${u}`).join(" ")
}

/**
 * `2024-05-01 14:03 UTC` from an ISO string, epoch milliseconds or a Date; anything else as it is.
 * Tables leave out the ` UTC` (their header says it once).
 */
export const formatDate = (value: string | number | Date | null | undefined, zone = true): string => {
  if (value === null || value === undefined || value === "") return ""
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) return String(value)
  return `${date.toISOString().slice(0, 16).replace("T", " ")}${zone ? " UTC" : ""}`
}

/** A date column: whole dates (a cut date reads as another), in UTC as its header says; left out before an id is cut. */
export const dateColumn = <A>(header: string, key: keyof A & string, options: { readonly wide?: boolean } = {}): Column<A> =>
  column(`${header} (UTC)`, key, (v) => formatDate(v, false), { whole: true, ...options })

// --- terminal ---------------------------------------------------------------------------------------

/** Columns of the terminal behind `stream` (`$COLUMNS` when it is not one; 80 when neither says). */
export const terminalWidth = (stream: { readonly columns?: number | undefined } = process.stdout): number =>
  stream.columns && stream.columns > 0 ? stream.columns : Number(process.env.COLUMNS) > 0 ? Number(process.env.COLUMNS) : 80

/** Columns `text` takes on screen (wide CJK characters and emoji count 2; escape codes 0). */
export const displayWidth = (text: string): number => stringWidth(text)

/** `text` cut to at most `width` columns, ending in `…` when cut. */
export const truncate = (text: string, width: number): string => {
  if (displayWidth(text) <= width) return text
  if (width <= 0) return ""
  let out = ""
  let used = 0
  for (const char of text) {
    const w = displayWidth(char)
    if (used + w > width - 1) break
    out += char
    used += w
  }
  return `${out}…`
}

const padEnd = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)))
const padStart = (text: string, width: number) => " ".repeat(Math.max(0, width - displayWidth(text))) + text

// --- tables -----------------------------------------------------------------------------------------

export interface Column<A> {
  readonly header: string
  readonly value: (row: A) => unknown
  /** Numbers read better right-aligned. */
  readonly align?: "left" | "right"
  /** Only shown with `--wide`. */
  readonly wide?: boolean
  /** Ids and money are only useful whole: never cut, never left out (other columns give way first). */
  readonly keep?: boolean
  /** Never cut (a cut e-mail or date is useless), but left out when the table is too narrow for it. */
  readonly whole?: boolean
}

/** A column from a field, optionally formatted (`column("Size", "sizeBytes", formatBytes)`). */
export const column = <A>(
  header: string,
  key: keyof A & string,
  format?: (value: any) => string,
  options: { readonly align?: "left" | "right"; readonly wide?: boolean; readonly keep?: boolean; readonly whole?: boolean } = {}
): Column<A> => ({
  header,
  value: (row) => (format ? format((row as any)[key]) : (row as any)[key]),
  ...options
})

const cell = (value: unknown): string =>
  value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value)

export interface TableOptions {
  /** The terminal's width; lines never exceed it unless `wide`, and then only to keep an id or money whole. */
  readonly width: number
  /** Every column, nothing cut. */
  readonly wide?: boolean
}

/**
 * The narrowest width at which a column's distinct values stay distinct once cut with `…` (so two rows
 * never read the same while their values differ), and never below its header or 6 columns.
 */
const distinctWidth = (header: string, values: ReadonlyArray<string>) => {
  const floor = Math.max(Math.min(displayWidth(header), 12), 6)
  const distinct = [...new Set(values)].sort()
  let needed = floor
  for (let i = 1; i < distinct.length; i++) {
    const [a, b] = [[...distinct[i - 1]!], [...distinct[i]!]]
    let common = 0
    while (common < a.length && common < b.length && a[common] === b[common]) common++
    // the first differing character and the `…`, unless the shorter one is whole at that width
    const need = Math.min(common + 2, Math.max(displayWidth(distinct[i - 1]!), displayWidth(distinct[i]!)))
    needed = Math.max(needed, need)
  }
  return needed
}

export interface TableLayout {
  /** The columns shown, and their widths. */
  readonly shown: ReadonlyArray<Column<any>>
  readonly widths: ReadonlyArray<number>
  /** Columns left out to fit (said on stderr). */
  readonly dropped: ReadonlyArray<Column<any>>
  /** Even the ids and money alone do not fit: one record per block instead. */
  readonly blocks: boolean
}

/**
 * Fit `columns` to `options.width`: each column as wide as its content; when too wide, columns that may
 * be cut give up space first, never below the width that keeps their values distinct; then such columns
 * are left out, the last first; ids and money (`keep`) are never cut nor left out, e-mails and dates
 * (`whole`) are never cut but may be left out. When the `keep` columns alone do not fit, the table
 * becomes one record per block.
 */
export const layoutTable = (
  columns: ReadonlyArray<Column<any>>,
  cells: ReadonlyArray<ReadonlyArray<string>>,
  options: TableOptions
): TableLayout => {
  const natural = columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map((row) => displayWidth(row[i]!))))
  if (options.wide) return { shown: columns, widths: natural, dropped: [], blocks: false }
  const floors = columns.map((c, i) => c.keep || c.whole ? natural[i]! : Math.min(natural[i]!, distinctWidth(c.header, cells.map((row) => row[i]!))))
  const minimum = (indexes: ReadonlyArray<number>) => indexes.reduce((sum, i) => sum + floors[i]!, 0) + 2 * (indexes.length - 1)
  let visible = columns.map((_, i) => i)
  // leave columns out until the rest fits at their floors: the one whose loss alone makes it fit and
  // costs least (the narrowest); else the one that needs the most room
  while (minimum(visible) > options.width) {
    const droppable = visible.filter((i) => !columns[i]!.keep)
    if (droppable.length === 0) return { shown: columns, widths: natural, dropped: [], blocks: true }
    const enough = droppable.filter((i) => minimum(visible.filter((j) => j !== i)) <= options.width)
    const drop = enough.length > 0
      ? enough.reduce((a, b) => (natural[b]! < natural[a]! || (natural[b] === natural[a] && b > a) ? b : a))
      : droppable.reduce((a, b) => (floors[b]! > floors[a]! || (floors[b] === floors[a] && b > a) ? b : a))
    visible = visible.filter((i) => i !== drop)
  }
  const widths = [...natural]
  let excess = visible.reduce((sum, i) => sum + widths[i]!, 0) + 2 * (visible.length - 1) - options.width
  // the widest cuttable column gives up one column at a time, down to its floor
  while (excess > 0) {
    let widest = -1
    for (const i of visible) {
      if (!columns[i]!.keep && !columns[i]!.whole && widths[i]! > floors[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i
    }
    if (widest < 0) break
    widths[widest]!--
    excess--
  }
  return {
    shown: visible.map((i) => columns[i]!),
    widths: visible.map((i) => widths[i]!),
    dropped: columns.filter((_, i) => !visible.includes(i)),
    blocks: false
  }
}

/**
 * One record per block: `HEADER  value` lines, nothing cut, a blank line between records; a value too
 * wide for its line goes on a line of its own under its header.
 */
const blockOf = (columns: ReadonlyArray<Column<any>>, values: ReadonlyArray<string>, width: number) => {
  const label = Math.max(...columns.map((c) => displayWidth(c.header)))
  return [
    ...columns.flatMap((c, i) => {
      const line = `${padEnd(c.header, label)}  ${values[i]}`.trimEnd()
      return displayWidth(line) <= width ? [line] : [c.header, values[i]!]
    }),
    ""
  ]
}

/**
 * A table's lines: one header, then the rows, each line within `options.width` (unless wide), ids and
 * money whole; or one record per block when even those do not fit. `renderRow` renders a later row in
 * the same layout (its ids and money whole even when longer than the first rows').
 */
export const renderTable = <A>(
  rows: ReadonlyArray<A>,
  columns: ReadonlyArray<Column<A>>,
  options: TableOptions
): {
  readonly lines: Array<string>
  readonly renderRow: (row: A) => string
  readonly dropped: ReadonlyArray<string>
  readonly blocks: boolean
} => {
  const candidates = columns.filter((c) => options.wide || !c.wide)
  const cells = rows.map((row) => candidates.map((c) => cell(c.value(row))))
  const layout = layoutTable(candidates, cells, options)
  if (layout.blocks) {
    const renderRow = (row: A) => blockOf(candidates, candidates.map((c) => cell(c.value(row))), options.width).join("\n")
    return { lines: cells.flatMap((values) => blockOf(candidates, values, options.width)), renderRow, dropped: [], blocks: true }
  }
  const { shown, widths } = layout
  const line = (values: ReadonlyArray<string>) =>
    values.map((v, i) => {
      const column = shown[i]!
      const fitted = column.keep || column.whole || options.wide ? v : truncate(v, widths[i]!)
      return column.align === "right" ? padStart(fitted, widths[i]!) : padEnd(fitted, widths[i]!)
    }).join("  ").trimEnd()
  const valuesOf = (row: A) => shown.map((c) => cell(c.value(row)))
  return {
    lines: [line(shown.map((c) => c.header)), ...rows.map((row) => line(valuesOf(row)))],
    renderRow: (row: A) => line(valuesOf(row)),
    dropped: layout.dropped.map((c) => c.header),
    blocks: false
  }
}

// --- formats and flags ------------------------------------------------------------------------------

export type Format = "table" | "json" | "jsonl" | "ids"

export const outputOptions = {
  json: Options.boolean("json").pipe(Options.withDescription("one JSON document (a list is one array)")),
  jsonl: Options.boolean("jsonl").pipe(
    Options.withDescription("one JSON object per line (the default when stdout is not a terminal)")
  ),
  quiet: Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("print ids only, one per line")),
  wide: Options.boolean("wide").pipe(Options.withDescription("every column, nothing cut"))
}
export const listOptions = {
  ...outputOptions,
  limit: Options.integer("limit").pipe(Options.withDescription("stop after this many rows"), Options.optional)
}

export interface OutputFlags {
  readonly json: boolean
  readonly jsonl: boolean
  readonly quiet: boolean
  readonly wide: boolean
}

/** The format the flags ask for; without one, a table on a terminal and JSON lines otherwise. */
export const formatOf = (flags: OutputFlags, stdout: { readonly isTTY?: boolean } = process.stdout): Format =>
  flags.quiet ? "ids" : flags.json ? "json" : flags.jsonl ? "jsonl" : stdout.isTTY ? "table" : "jsonl"

/** Plain data for JSON: class instances to their fields, Options to their value or null. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_, v) => (Option.isOption(v) ? Option.getOrNull(v) : v)) ?? "null")

export interface PrintOptions<A> extends OutputFlags {
  readonly columns: ReadonlyArray<Column<A>>
  /** What `-q` prints for a row. */
  readonly id: (row: A) => string
  /** What JSON prints for a row (default: the row itself). */
  readonly toJson?: (row: A) => unknown
  readonly limit?: Option.Option<number>
}

/** Rows a table waits for before it sizes its columns; later rows are cut to the same widths. */
const SIZING_ROWS = 500

/**
 * Print a stream of rows in the chosen format. Tables wait for the first 500 rows (or the end) to size
 * their columns; JSON lines and ids are printed as they arrive; `--json` collects one array.
 */
export const printRows = <A, E, R>(rows: Stream.Stream<A, E, R>, options: PrintOptions<A>) =>
  Effect.suspend(() => {
    const format = formatOf(options)
    const limited = Option.match(options.limit ?? Option.none(), { onNone: () => rows, onSome: (n) => Stream.take(rows, n) })
    const toJson = options.toJson ?? ((row: A) => row)
    switch (format) {
      case "ids":
        return Stream.runForEach(limited, (row) => Console.log(options.id(row)))
      case "jsonl":
        return Stream.runForEach(limited, (row) => Console.log(JSON.stringify(plain(toJson(row)))))
      case "json":
        return Effect.flatMap(Stream.runCollect(limited), (all) => Console.log(JSON.stringify(plain(Array.from(all, toJson)), null, 2)))
      case "table":
        return Effect.gen(function*() {
          const tableOptions = { width: terminalWidth(), wide: options.wide }
          let buffered: Array<A> | undefined = []
          let renderRow: ((row: A) => string) | undefined
          const flush = (rowsSoFar: Array<A>) => {
            const table = renderTable(rowsSoFar, options.columns, tableOptions)
            renderRow = table.renderRow
            const note = table.dropped.length > 0
              ? Console.error(`(${table.dropped.join(", ")} left out to fit ${tableOptions.width} columns: --wide or --json shows every column)`)
              : Effect.void
            return Effect.zipRight(Console.log(table.lines.join("\n")), note)
          }
          yield* Stream.runForEach(limited, (row) => {
            if (buffered === undefined) return Console.log(renderRow!(row))
            buffered.push(row)
            if (buffered.length < SIZING_ROWS) return Effect.void
            const sized = buffered
            buffered = undefined
            return flush(sized)
          })
          if (buffered === undefined) return
          if (buffered.length === 0) return yield* Console.error("(none)")
          yield* flush(buffered)
        })
    }
  })

/** Print one record: `Field  value` lines with human values, its id for `-q`, or JSON. */
export const printRecord = <A>(
  record: A,
  options: OutputFlags & {
    readonly fields?: ReadonlyArray<Column<A>>
    readonly id?: (value: A) => string
  }
) =>
  Effect.suspend(() => {
    const format = formatOf(options)
    if (format === "ids") return Console.log(options.id ? options.id(record) : JSON.stringify(plain(record)))
    if (format !== "table") return Console.log(JSON.stringify(plain(record), null, format === "json" ? 2 : undefined))
    const fields: ReadonlyArray<Column<A>> = options.fields ??
      Object.keys(plain(record) as object).map((key) => ({ header: key, value: (row: A) => (plain(row) as any)[key] }))
    const shown = fields.filter((f) => options.wide || !f.wide)
    const labelWidth = Math.max(...shown.map((f) => displayWidth(f.header)))
    const width = terminalWidth()
    return Console.log(
      shown.map((f) => {
        const value = cell(f.value(record))
        const line = `${padEnd(f.header, labelWidth)}  ${value}`
        if (options.wide || displayWidth(line) <= width) return line
        // an id, a secret or money is never cut: on a line of its own, whole
        return f.keep ? `${f.header}\n${value}` : truncate(line, width)
      }).join("\n")
    )
  })
