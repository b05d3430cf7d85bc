/**
 * The HTML spend report, parsed: one section per chart, each with exactly one SVG chart drawn by Vega;
 * every workspace of the window in the daily chart and its table; the top members and keys by name with
 * their full ids; and nothing that needs a network to open (no URL, no script, no external resource).
 */
import { describe, expect, it } from "@effect/vitest"
import { parse } from "node-html-parser"
import { readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { aggregate, type SpendPoint, type Subject } from "../src/spend/Aggregate.ts"
import { windowOf } from "../src/spend/Calendar.ts"
import { chartLabels, renderHtml, SECTIONS } from "../src/spend/Html.ts"

const NOW = Date.parse("2026-12-01T10:30:00Z")
const window = windowOf(NOW, 30)
const dates = [...window.days, window.today]

const tableOf = (by: "workspace" | "member" | "key", subjects: ReadonlyArray<Subject>, usd: (i: number, d: number) => number) => {
  const points: Array<SpendPoint> = subjects.flatMap((s, i) => dates.map((date, d) => ({ subject: s.id, date, usd: usd(i, d) })))
  return aggregate({ by, window, includeByok: false, points, subjects: new Map(subjects.map((s) => [s.id, s])) })
}

const workspaces = Array.from({ length: 7 }, (_, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, name: `team-${i}` }))
// a workspace that spent on one day only must still be in the chart
const byWorkspace = tableOf("workspace", workspaces, (i, d) => (i === 6 ? (d === 3 ? 0.5 : 0) : (i + 1) * (1 + (d % 5))))
const members = Array.from({ length: 20 }, (_, i) => ({ id: `user_${i}`, name: `person.${i}@example.com` }))
const byMember = tableOf("member", members, (i) => 20 - i)
const keys = Array.from({ length: 20 }, (_, i) => ({ id: `${i.toString(16).padStart(2, "0")}${"ab".repeat(31)}`, name: i % 2 ? "ci" : "prod" }))
const byKey = tableOf("key", keys, (i) => 1 + i)

describe("HTML report", () => {
  it("one chart per section, every workspace present, top members and keys named beside full ids, no URL", async () => {
    const html = await renderHtml({ byWorkspace, byMember, byKey, scope: { all: true, workspaces: [] }, at: NOW, top: 10 })
    const root = parse(html)
    const sections = root.querySelectorAll("section.chart")
    expect(sections.map((s) => s.id)).toEqual([...SECTIONS])
    for (const section of sections) {
      expect(section.querySelectorAll("svg")).toHaveLength(1)
      // a chart with marks drawn, not an empty frame
      expect(section.querySelector("svg")!.querySelectorAll("path").length).toBeGreaterThan(3)
    }
    const daily = sections[0]!
    const legend = daily.querySelector("svg")!.querySelectorAll("text").map((t) => t.text)
    for (const w of workspaces) {
      expect(legend).toContain(w.name)
      expect(daily.querySelector("table")!.text).toContain(w.id)
    }
    // every day of the window is an axis label
    for (const date of [dates[0]!, dates.at(-1)!]) expect(legend).toContain(date)
    const topKeys = sections[2]!.querySelectorAll("tbody tr")
    expect(topKeys).toHaveLength(10)
    expect(topKeys[0]!.text).toContain(keys[19]!.id)
    expect(sections[1]!.querySelector("tbody tr")!.text).toContain("person.0@example.com")
    // self-contained: no URL anywhere, no script, no resource to load
    expect(html).not.toMatch(/https?:|\/\/[a-z]/i)
    expect(root.querySelectorAll("script, link, img, iframe, object")).toHaveLength(0)
    const linking = root.querySelectorAll("*").flatMap((e) => Object.keys(e.attributes).filter((a) => /(^|:)(src|href|srcset)$/i.test(a)))
    expect(linking).toEqual([])
    expect(html).not.toMatch(/url\(/i)
    // what the figures cover, in words
    expect(root.querySelector("p.covers")!.text).toContain("30 completed UTC days 2026-11-01 … 2026-11-30")
  })

  it("top keys of the same name are told apart by the start of their hash; each bar's tooltip has the whole hash", async () => {
    // two keys called "ci" whose hashes share their first 10 characters, and the 20 of the fixture
    const twins = [
      { id: `0123456789a${"c".repeat(53)}`, name: "ci" },
      { id: `0123456789b${"d".repeat(53)}`, name: "ci" }
    ]
    const table = tableOf("key", [...twins, ...keys], (i) => 100 - i)
    const html = await renderHtml({ byWorkspace, byMember, byKey: table, scope: { all: true, workspaces: [] }, at: NOW, top: 6 })
    const chart = parse(html).querySelector("#top-keys svg")!
    const labels = chart.querySelectorAll("text").map((t) => t.text).filter((t) => /^\d+\. /.test(t))
    expect(labels).toHaveLength(6)
    expect(new Set(labels).size).toBe(6)
    expect(labels[0]).toBe("1. ci · 0123456789a…")
    expect(labels[1]).toBe("2. ci · 0123456789b…")
    // the fixture's "prod" and "ci" keys: 8 characters are enough when they differ sooner
    expect(labels[2]).toBe(`3. prod · ${keys[0]!.id.slice(0, 8)}…`)
    expect(labels[3]).toBe(`4. ci · ${keys[1]!.id.slice(0, 8)}…`)
    const tips = chart.querySelectorAll("path title").map((t) => t.text)
    expect(tips).toHaveLength(6)
    for (const [i, row] of table.rows.slice(0, 6).entries()) expect(tips[i]).toContain(`(${row.id})`)
    // and the table: whole hashes
    expect(parse(html).querySelectorAll("#top-keys tbody code").map((c) => c.text)).toEqual(table.rows.slice(0, 6).map((r) => r.id))
  })

  it("a name no other row has is its label alone", () => {
    expect(chartLabels(byMember.rows.slice(0, 3))).toEqual(["1. person.0@example.com", "2. person.1@example.com", "3. person.2@example.com"])
  })

  it("names are escaped: a key called <script> is text, not markup", async () => {
    const hostile = tableOf("key", [{ id: "a".repeat(64), name: "<script>alert(1)</script>" }], () => 1)
    const html = await renderHtml({ byWorkspace, byMember, byKey: hostile, scope: { all: true, workspaces: [] }, at: NOW })
    expect(parse(html).querySelectorAll("script")).toHaveLength(0)
    expect(html).toContain("&lt;script&gt;")
  })
})

describe("loading", () => {
  /** Every module reachable from `entry` by static imports (type-only imports load nothing). */
  const graph = (entry: string) => {
    const files = new Set<string>()
    const packages = new Set<string>()
    const visit = (file: string) => {
      if (files.has(file)) return
      files.add(file)
      const text = readFileSync(file, "utf8")
      for (const m of text.matchAll(/^((?:import|export)\s[^;]*?from\s+"([^"]+)")|^import\s+"([^"]+)"/gms)) {
        if (m[1] !== undefined && /^(?:import|export)\s+type\s/.test(m[1])) continue
        const specifier = m[2] ?? m[3]!
        if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier))
        else packages.add(specifier)
      }
    }
    visit(entry)
    return { files: [...files], packages: [...packages] }
  }

  it("the spend library loads no chart library and no CLI until a page is made", () => {
    const { files, packages } = graph(fileURLToPath(new URL("../src/spend/index.ts", import.meta.url)))
    expect(files.some((f) => f.endsWith("Spend.ts"))).toBe(true)
    expect(packages.filter((p) => /vega|@effect\/cli/.test(p))).toEqual([])
    expect(files.filter((f) => f.includes("/cli/") || f.endsWith("Html.ts"))).toEqual([])
  })
})
