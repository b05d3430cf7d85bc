/**
 * The spend report as one self-contained HTML page: what it covers, then one section per chart — spend
 * per day stacked by workspace, top members, top keys — each an inline SVG with a table of the figures
 * (names beside full ids) under it. No script, no stylesheet or font from elsewhere, no URL: the page
 * opens without a network.
 *
 * The charts are Vega-Lite specifications rendered to SVG by Vega's headless `View.toSVG()` (no browser,
 * no canvas). Vega is loaded here, when a page is made, never when the library or the CLI starts.
 *
 * @since 0.2.0
 */
import type { SpendRow, SpendTable } from "./Aggregate.ts"
import { coverage, formatShare, formatUsd, type ReportScope } from "./Render.ts"

export interface HtmlReportInput {
  readonly byWorkspace: SpendTable
  readonly byMember: SpendTable
  readonly byKey: SpendTable
  readonly scope: ReportScope
  /** When it was made (epoch ms). */
  readonly at: number
  /** Rows in the top members and top keys charts. Default 15. */
  readonly top?: number
}

/** The sections of the page, in order: their element ids. */
export const SECTIONS = ["daily-by-workspace", "top-members", "top-keys"] as const

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

/**
 * Render a Vega-Lite spec to an SVG element for inlining (namespace declarations dropped: inline SVG needs
 * none). A mark's description (its aria-label) is also its `<title>`: the tooltip a browser shows on
 * hover, with no script.
 */
const toSvg = async (spec: Record<string, unknown>): Promise<string> => {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")])
  const compiled = vegaLite.compile({ config: { font: FONT, view: { stroke: null } }, ...spec } as any).spec
  const view = new vega.View(vega.parse(compiled), { renderer: "none" })
  try {
    const svg = await view.toSVG()
    return svg
      .replace(/\s+xmlns(:xlink)?="[^"]*"/g, "")
      // the label is already escaped for an attribute, which is escaped enough for text
      .replace(/<path([^>]*?) aria-label="([^"]*)"([^>]*?)\/>/g, "<path$1 aria-label=\"$2\"$3><title>$2</title></path>")
  } finally {
    view.finalize()
  }
}

/**
 * Each row's label in a chart: its rank and name, and where two rows share a name, the start of its id —
 * as long as it takes to tell them apart (at least 8 characters), marked cut with "…". The whole id is in
 * the bar's tooltip and in the table under the chart.
 */
export const chartLabels = (rows: ReadonlyArray<SpendRow>): ReadonlyArray<string> => {
  const byName = new Map<string, Array<string>>()
  for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), row.id])
  const prefixOf = (id: string, others: ReadonlyArray<string>) => {
    let length = Math.min(8, id.length)
    while (length < id.length && others.some((other) => other !== id && other.startsWith(id.slice(0, length)))) length++
    return length < id.length ? `${id.slice(0, length)}…` : id
  }
  return rows.map((row, i) => {
    const same = byName.get(row.name)!
    const tell = same.length > 1 && !row.id.startsWith("(") ? ` · ${prefixOf(row.id, same)}` : ""
    return `${i + 1}. ${row.name}${tell}`
  })
}

const dailyChart = (table: SpendTable) =>
  toSvg({
    width: 760,
    height: 320,
    data: {
      // rank: every day's stack in the same order, largest workspace at the bottom
      values: table.rows.flatMap((row, rank) => row.series.map((usd, i) => ({ date: table.dates[i], workspace: row.name, usd, rank })))
    },
    mark: { type: "bar" },
    encoding: {
      x: { field: "date", type: "ordinal", title: "UTC day (the last is today so far)", axis: { labelAngle: -50 } },
      y: { field: "usd", type: "quantitative", aggregate: "sum", title: "USD", stack: "zero" },
      color: {
        field: "workspace",
        type: "nominal",
        title: "workspace",
        scale: { scheme: "tableau20" },
        sort: table.rows.map((row) => row.name)
      },
      order: { field: "rank", type: "quantitative", sort: "ascending" }
    }
  })

const topChart = (rows: ReadonlyArray<SpendRow>, what: string) => {
  const labels = chartLabels(rows)
  return toSvg({
    width: 560,
    height: Math.max(60, rows.length * 22),
    data: {
      values: rows.map((row, i) => ({
        label: labels[i],
        usd: row.total,
        tip: `${row.name}${row.id.startsWith("(") || row.id === row.name ? "" : ` (${row.id})`}: ${formatUsd(row.total)}`
      }))
    },
    mark: { type: "bar", color: "#4c78a8" },
    encoding: {
      y: { field: "label", type: "ordinal", title: what, sort: null, axis: { labelLimit: 360 } },
      x: { field: "usd", type: "quantitative", title: "USD" },
      description: { field: "tip" },
      tooltip: { field: "tip" }
    }
  })
}

const figuresTable = (rows: ReadonlyArray<SpendRow>, total: number) =>
  [
    "<table>",
    `<thead><tr><th>#</th><th>name</th><th>id</th><th class="n">spend</th><th class="n">share</th></tr></thead>`,
    "<tbody>",
    ...rows.map((row, i) =>
      `<tr><td>${i + 1}</td><td>${escape(row.name)}${row.note ? ` <small>(${escape(row.note)})</small>` : ""}</td><td><code>${
        row.id.startsWith("(") ? "" : escape(row.id)
      }</code></td><td class="n">${formatUsd(row.total)}</td><td class="n">${formatShare(row.share)}</td></tr>`
    ),
    "</tbody>",
    `<tfoot><tr><td></td><td>total</td><td></td><td class="n">${formatUsd(total)}</td><td></td></tr></tfoot>`,
    "</table>"
  ].join("\n")

const section = (id: string, title: string, intro: string, svg: string, table: string) =>
  [
    `<section id="${id}" class="chart">`,
    `<h2>${escape(title)}</h2>`,
    `<p>${escape(intro)}</p>`,
    `<figure>${svg}</figure>`,
    table,
    "</section>"
  ].join("\n")

const STYLE = `
body { font-family: ${FONT}; margin: 2rem auto; max-width: 62rem; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2.5rem; }
p.covers { color: #555; } figure { margin: 1rem 0; overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85rem; } th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #eee; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; } code { font-size: 0.8rem; word-break: break-all; }
small { color: #777; }`

/** `1 key`, `3 keys`. */
const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** A top-N section: its chart and its table, of the rows that spent anything. */
const topSection = async (id: string, table: SpendTable, top: number, word: string, spent: string) => {
  const rows = table.rows.filter((r) => r.total > 0).slice(0, top)
  return section(
    id,
    `Top ${word}s`,
    `The ${count(rows.length, word)} ${spent} most over the window (of ${table.rows.length} with a row).`,
    await topChart(rows, word),
    figuresTable(rows, table.total)
  )
}

/** The page. */
export const renderHtml = async (input: HtmlReportInput): Promise<string> => {
  const top = input.top ?? 15
  const [daily, topMembers, topKeys] = await Promise.all([
    dailyChart(input.byWorkspace),
    topSection(SECTIONS[1], input.byMember, top, "member", "who spent"),
    topSection(SECTIONS[2], input.byKey, top, "key", "that spent")
  ])
  const covers = coverage(input.byWorkspace, input.scope).map((line) => line.replace(/^Spend by workspace, /, "Spend, "))
  const at = new Date(input.at).toISOString().slice(0, 16).replace("T", " ")
  return [
    "<!doctype html>",
    "<html lang=\"en\">",
    "<head>",
    "<meta charset=\"utf-8\">",
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
    `<title>OpenRouter spend, ${escape(input.byWorkspace.window.days[0] ?? input.byWorkspace.window.today)} to ${
      escape(input.byWorkspace.window.today)
    }</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    "<h1>OpenRouter spend</h1>",
    ...covers.map((line) => `<p class="covers">${escape(line)}</p>`),
    `<p class="covers">Total ${formatUsd(input.byWorkspace.total)}. Made ${escape(at)} UTC.</p>`,
    section(
      SECTIONS[0],
      "Spend per day by workspace",
      `Every workspace of the window, stacked; ${count(input.byWorkspace.rows.length, "workspace")}.`,
      daily,
      figuresTable(input.byWorkspace.rows, input.byWorkspace.total)
    ),
    topMembers,
    topKeys,
    "</body>",
    "</html>",
    ""
  ].join("\n")
}
