/**
 * Spend's pure parts: the UTC calendar (window, week from Monday, resets), aggregation (rows add up,
 * shares, what is missing gets its own row), the terminal table (what it covers, names beside ids, bars,
 * sparklines), CSV and JSON, and the workspace selection (globs never match ids).
 */
import { describe, expect, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { Effect, Either } from "effect"
import type { Workspace } from "../src/Domain.ts"
import * as Selection from "../src/jobs/Selection.ts"
import { aggregate, byDate, pointsOf, remainder, type SpendPoint } from "../src/spend/Aggregate.ts"
import { nextReset, startOfUtcWeek, utcDate, windowOf } from "../src/spend/Calendar.ts"
import { bar, formatUsd, renderTable, sparkline, toCsv, toJson } from "../src/spend/Render.ts"
import { resolveScope } from "../src/spend/Scope.ts"

const at = (iso: string) => Date.parse(iso)
const NOW = at("2026-12-01T10:30:00Z")

describe("calendar", () => {
  it("the window is the N completed UTC days before today, oldest first, and today", () => {
    const window = windowOf(NOW, 30)
    expect(window.days).toHaveLength(30)
    expect(window.days[0]).toBe("2026-11-01")
    expect(window.days.at(-1)).toBe("2026-11-30")
    expect(window.today).toBe("2026-12-01")
    expect(windowOf(at("2026-12-01T00:00:00Z"), 1).days).toEqual(["2026-11-30"])
    expect(windowOf(at("2026-11-30T23:59:59.999Z"), 1)).toEqual({ days: ["2026-11-29"], today: "2026-11-30" })
  })

  it("weeks start on Monday; resets are the next UTC midnight, Monday and first of the month", () => {
    // 2026-12-06 is a Sunday
    expect(utcDate(startOfUtcWeek(at("2026-12-06T23:00:00Z")))).toBe("2026-11-30")
    expect(utcDate(startOfUtcWeek(at("2026-11-30T00:00:00Z")))).toBe("2026-11-30")
    expect(new Date(nextReset("daily", NOW)).toISOString()).toBe("2026-12-02T00:00:00.000Z")
    expect(new Date(nextReset("weekly", NOW)).toISOString()).toBe("2026-12-07T00:00:00.000Z")
    expect(new Date(nextReset("monthly", at("2026-12-31T23:00:00Z"))).toISOString()).toBe("2027-01-01T00:00:00.000Z")
  })
})

const window = windowOf(NOW, 3) // 2026-11-28, -29, -30; today 2026-12-01
const subjects = new Map([
  ["w1", { id: "w1", name: "engineering" }],
  ["w2", { id: "w2", name: "research" }],
  ["w3", { id: "w3", name: "legal" }]
])

const row = (date: string, usage: number, byok = 0, workspaceId = "w1", model = "openai/gpt-4.1") => ({
  date,
  model,
  usage,
  byokUsageInference: byok,
  requests: 2,
  workspaceId
})

describe("aggregation", () => {
  it("rows add up to the total; shares of it; largest first; a subject that must show is there at 0", () => {
    const rows = [row("2026-11-28", 1), row("2026-11-29", 2, 0, "w2"), row("2026-11-30", 3, 5, "w2"), row("2026-11-01", 100)]
    const points = [...pointsOf(rows, window, false, (r) => r.workspaceId), { subject: "w1", date: "2026-12-01", usd: 0.5 }]
    const table = aggregate({ by: "workspace", window, includeByok: false, points, subjects, always: ["w3"] })
    // the day outside the window is not counted; today is the last date
    expect(table.dates).toEqual(["2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"])
    expect(table.total).toBeCloseTo(6.5, 12)
    expect(table.rows.map((r) => [r.name, r.total])).toEqual([["research", 5], ["engineering", 1.5], ["legal", 0]])
    expect(table.rows.reduce((s, r) => s + r.total, 0)).toBeCloseTo(table.total, 12)
    expect(table.rows[0]!.share).toBeCloseTo(5 / 6.5, 12)
    expect(table.rows[1]!.series).toEqual([1, 0, 0, 0.5])
    expect(table.series).toEqual([1, 2, 3, 0.5])
    expect(table.rows[0]!.requests).toBe(4)
  })

  it("BYOK is added only when asked", () => {
    const rows = [row("2026-11-30", 3, 5)]
    expect(aggregate({ by: "workspace", window, includeByok: false, points: pointsOf(rows, window, false, () => "w1"), subjects }).total).toBe(3)
    expect(aggregate({ by: "workspace", window, includeByok: true, points: pointsOf(rows, window, true, () => "w1"), subjects }).total).toBe(8)
  })

  it("what the attributed points miss becomes a row of its own; float noise does not", () => {
    const whole = byDate([{ subject: "", date: "2026-11-29", usd: 10 }, { subject: "", date: "2026-11-30", usd: 0.3 }])
    const attributed = byDate([{ subject: "a", date: "2026-11-29", usd: 7 }, { subject: "b", date: "2026-11-30", usd: 0.1 + 0.2 }])
    expect(remainder(whole, attributed, "(unattributed)")).toEqual([{ subject: "(unattributed)", date: "2026-11-29", usd: 3 }])
  })
})

describe("terminal table", () => {
  const points: Array<SpendPoint> = [
    { subject: "w1", date: "2026-11-28", usd: 30 },
    { subject: "w2", date: "2026-11-30", usd: 10 },
    { subject: "w2", date: "2026-12-01", usd: 0.004 }
  ]
  const table = aggregate({ by: "workspace", window, includeByok: false, points, subjects })
  const scope = { all: true, workspaces: [] }

  it("says what it covers, puts names beside ids, a bar scaled to the largest row, and a total", () => {
    const text = renderTable(table, scope, { columns: 100 })
    const lines = text.split("\n")
    expect(lines[0]).toBe(
      "Spend by workspace, all workspaces: 3 completed UTC days 2026-11-28 … 2026-11-30 (from /activity) and today 2026-12-01 so far (the keys' live usage_daily)."
    )
    expect(lines[1]).toContain("BYOK (spend billed by your own provider keys) not included")
    const engineering = lines.find((l) => l.startsWith("engineering"))!
    expect(engineering).toMatch(/^engineering\s+w1\s+\$30\.00\s+75\.0%\s+█+$/)
    const research = lines.find((l) => l.startsWith("research"))!
    expect(research).toContain("$10.00")
    // bars proportional to the totals: 30 → the full width, 10.004 → a third of it
    const full = engineering.split(/\s+/).at(-1)!.length
    expect(full).toBeGreaterThanOrEqual(10)
    expect(research.split(/\s+/).at(-1)!.replace(/[▏▎▍▌▋▊▉]/g, "").length).toBe(Math.floor((10.004 / 30) * full))
    expect(lines.at(-1)).toMatch(/^TOTAL\s+\$40\.00\s+100\.0%$/)
  })

  it("--daily adds a sparkline of the days, today last", () => {
    const lines = renderTable(table, scope, { columns: 120, daily: true }).split("\n")
    expect(lines.find((l) => l.startsWith("engineering"))!.endsWith(" █▁▁▁")).toBe(true)
    expect(lines.find((l) => l.startsWith("research"))!.endsWith(" ▁▁█▂")).toBe(true)
    expect(sparkline([0, 1, 2, 4])).toBe("▁▄▅█")
    expect(bar(0.5, 4)).toBe("██")
    expect(bar(1 / 32, 4)).toBe("▏")
  })

  it("a spend under a cent is never printed as $0.00", () => {
    expect(formatUsd(0.004)).toBe("$0.0040")
    expect(formatUsd(0)).toBe("$0.00")
    expect(formatUsd(1234.5)).toBe("$1,234.50")
  })

  it("CSV has a row per subject; with daily, a column per date", () => {
    const records = parse(toCsv(table, { daily: true }), { columns: true }) as Array<Record<string, string>>
    expect(records.map((r) => [r.id, r.name, Number(r.spend_usd)])).toEqual([["w1", "engineering", 30], ["w2", "research", 10.004]])
    expect(Number(records[1]!["2026-12-01"])).toBe(0.004)
    expect(Object.keys(parse(toCsv(table), { columns: true })[0] as object)).toEqual(["by", "id", "name", "note", "spend_usd", "share", "requests"])
  })

  it("JSON carries the window, what it covers and each row's series", () => {
    const json = toJson(table, scope)
    expect(json.window).toEqual({ completedDays: 3, from: "2026-11-28", to: "2026-12-01", today: "2026-12-01", timeZone: "UTC" })
    expect(json.includeByok).toBe(false)
    expect(json.covers).toContain("BYOK")
    expect(json.rows[0]).toMatchObject({ id: "w1", name: "engineering", total: 30, series: [30, 0, 0, 0] })
  })
})

describe("workspace selection", () => {
  // only what the selection reads
  const workspace = (id: string, slug: string, name: string) => ({ id, slug, name }) as unknown as Workspace
  const all = [
    workspace("0df9e665-d932-5740-b2c7-b52af166bc11", "engineering", "Engineering"),
    workspace("1aa9e665-d932-5740-b2c7-b52af166bc22", "research", "Research Lab"),
    workspace("2bb9e665-d932-5740-b2c7-b52af166bc33", "legal", "Legal")
  ]
  const run = (refs: "all" | ReadonlyArray<string>) => Effect.runSync(Effect.either(resolveScope("Spend.report", refs, all)))
  const slugs = (refs: ReadonlyArray<string>) => Either.getOrThrow(run(refs)).workspaces.map((w) => w.slug)

  it("exact id, exact slug, or a glob over slugs and names", () => {
    expect(slugs(["0df9e665-d932-5740-b2c7-b52af166bc11"])).toEqual(["engineering"])
    expect(slugs(["legal"])).toEqual(["legal"])
    expect(slugs(["*Lab"])).toEqual(["research"])
    expect(slugs(["e*"])).toEqual(["engineering"])
    expect(Either.getOrThrow(run("all")).workspaces).toHaveLength(3)
  })

  it("a glob never matches an id; nothing matched is an error naming the reference and what exists, as the jobs' selection says", () => {
    const byId = run(["0df9*"])
    expect(Either.isLeft(byId) && byId.left._tag).toBe("InvalidRequestError")
    expect(Either.isLeft(byId) && byId.left.message).toContain("no workspace matches \"0df9*\"")
    expect(Either.isLeft(byId) && byId.left.message).toContain("workspaces that exist: engineering, legal, research")
    // the same words as a job's selection: one rule
    const job = Selection.select("Spend.report", all, ["0df9*"])
    expect(Either.isLeft(job) && job.left.issue).toBe(Either.isLeft(byId) && byId.left.issue)
    expect(Either.isLeft(run([" "]))).toBe(true)
  })
})
