/**
 * What the CLI shows people: tables (one header, never wider than the terminal), human formats, the job
 * progress line (never wider than a 60-column terminal), and help (plain when piped, with NO_COLOR or
 * TERM=dumb; "did you mean" naming the group's own subcommands).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, PubSub, TestClock } from "effect"
import { stripVTControlCharacters } from "node:util"
import { type Column, formatBytes, formatDate, formatDuration, renderTable } from "../src/cli/output.ts"
import { progress, type ProgressStream } from "../src/cli/progress.ts"
import type * as Engine from "../src/jobs/Engine.ts"

const rows = Array.from({ length: 40 }, (_, i) => ({
  id: `user_${String(i).padStart(27, "x")}`,
  email: `someone.with.a.rather.long.name.${i}@example.com`,
  name: i === 3 ? "名前のある人" : `Person ${i}`,
  role: i % 7 === 0 ? "org:admin" : "org:member",
  note: "only with --wide"
}))
type Row = (typeof rows)[number]
const columns: ReadonlyArray<Column<Row>> = [
  { header: "ID", value: (r) => r.id, keep: true },
  { header: "E-MAIL", value: (r) => r.email },
  { header: "NAME", value: (r) => r.name },
  { header: "ROLE", value: (r) => r.role },
  { header: "NOTE", value: (r) => r.note, wide: true }
]
const width = (line: string) => [...stripVTControlCharacters(line)].reduce((n, c) => n + (/[\u3000-\u9fff]/.test(c) ? 2 : 1), 0)

describe("tables", () => {
  it("have one header and no line wider than the terminal; ids stay whole while other cells are cut with …", () => {
    for (const terminal of [60, 80, 120]) {
      const { lines } = renderTable(rows, columns, { width: terminal })
      expect(lines).toHaveLength(rows.length + 1)
      expect(lines.filter((l) => l.startsWith("ID "))).toHaveLength(1)
      for (const line of lines) expect(width(line)).toBeLessThanOrEqual(terminal)
      for (const [i, row] of rows.entries()) expect(lines[i + 1]).toContain(row.id)
      // what is cut still tells the rows apart
      expect(new Set(lines.slice(1).map((l) => l.slice(34))).size).toBe(rows.length)
      expect(lines.join("\n")).not.toContain("only with --wide")
    }
    // at 60 columns the e-mails cannot be cut without reading the same: left out, and said
    const narrow = renderTable(rows, columns, { width: 60 })
    expect(narrow.dropped).toEqual(["E-MAIL"])
  })

  it("never cut an id or money; two rows never read the same; below what fits, one record per block", () => {
    const keys = [
      { hash: "f01d5260e2b54ab5b2f1c0dd0b2f3e4a5b6c7d8e9f00112233445566778899aa", name: "Engineering production", usage: "$1234567.89" },
      { hash: "f01d5260e2b54ab5b2f1c0dd0b2f3e4a5b6c7d8e9f00112233445566778899ab", name: "Engineering staging", usage: "$500.00" },
      { hash: "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9", name: "Engineering", usage: "$0.00" }
    ]
    type Key = (typeof keys)[number]
    const keyColumns: ReadonlyArray<Column<Key>> = [
      { header: "HASH", value: (k) => k.hash, keep: true },
      { header: "NAME", value: (k) => k.name },
      { header: "USAGE", value: (k) => k.usage, keep: true, align: "right" }
    ]
    for (const terminal of [60, 80, 90, 100]) {
      const table = renderTable(keys, keyColumns, { width: terminal })
      const text = table.lines.join("\n")
      for (const k of keys) {
        expect(text).toContain(k.hash)
        expect(text).toContain(k.usage)
      }
      if (!table.blocks) {
        for (const line of table.lines) expect(width(line)).toBeLessThanOrEqual(terminal)
        // the names, cut or not, still tell the rows apart
        const names = table.lines.slice(1).map((l) => l.slice(66).replace(/\s+\$.*$/, ""))
        if (table.dropped.length === 0) expect(new Set(names).size).toBe(keys.length)
      }
    }
    // 64 + 2 + 11 columns of id and money: at 60 they alone do not fit, so one record per block
    const blocks = renderTable(keys, keyColumns, { width: 60 })
    expect(blocks.blocks).toBe(true)
    expect(blocks.lines.filter((l) => l.startsWith("HASH"))).toHaveLength(keys.length)
    expect(blocks.lines).toContain(`NAME   Engineering staging`)
    // at 93 the names give way but stay distinct: "Engineering p…", "Engineering s…", "Engineering"
    const cut = renderTable(keys, keyColumns, { width: 93 })
    expect(cut.blocks).toBe(false)
    expect(cut.lines[1]).toContain("Engineering p…")
    expect(cut.lines[2]).toContain("Engineering s…")
    // a later row's id is never cut, even when it is longer than the rows the table was sized on
    const later = cut.renderRow({ hash: `${keys[0]!.hash}-and-more`, name: "x", usage: "$1.00" })
    expect(later).toContain(`${keys[0]!.hash}-and-more`)
  })

  it("e-mails and dates (whole) are never cut: left out when there is no room, after the cuttable columns gave way", () => {
    const members = [
      { user: "user_Nwzqz0pqIKl9hFH6VgIfhrfjEdR", email: "john.liskov.18@example.com", role: "member", added: "2025-01-02 00:00" },
      { user: "user_zl43Mj1l6eTThDZPKKsG1DyG215", email: "margaret.torvalds.3@example.com", role: "admin", added: "2025-01-03 00:00" }
    ]
    type Member = (typeof members)[number]
    const memberColumns: ReadonlyArray<Column<Member>> = [
      { header: "USER", value: (m) => m.user, keep: true },
      { header: "E-MAIL", value: (m) => m.email, whole: true },
      { header: "ROLE", value: (m) => m.role },
      { header: "ADDED (UTC)", value: (m) => m.added, whole: true }
    ]
    for (const terminal of [60, 80, 100]) {
      const table = renderTable(members, memberColumns, { width: terminal })
      for (const line of table.lines) expect(width(line)).toBeLessThanOrEqual(terminal)
      expect(table.lines.join("\n")).not.toContain("…")
      for (const m of members) {
        for (const value of [m.user, m.email, m.added]) {
          if (!table.dropped.includes(value === m.user ? "USER" : value === m.email ? "E-MAIL" : "ADDED (UTC)")) {
            expect(table.lines.join("\n")).toContain(value)
          }
        }
      }
    }
    // 80 columns: the date gives way (it is the narrowest whose loss makes room), the e-mails stay whole
    expect(renderTable(members, memberColumns, { width: 80 }).dropped).toEqual(["ADDED (UTC)"])
    // a later row (the next page) keeps its longer e-mail whole too
    const later = { ...members[0]!, email: "a.very.long.address.of.someone@example.com" }
    expect(renderTable(members, memberColumns, { width: 80 }).renderRow(later)).toContain(later.email)
  })

  it("columns are as wide as their content: short tables stay short", () => {
    const { lines } = renderTable([{ id: "a", email: "b@c.d", name: "N", role: "r", note: "" }], columns, { width: 200 })
    expect(lines[0]).toBe("ID  E-MAIL  NAME  ROLE")
    expect(lines[1]).toBe("a   b@c.d   N     r")
  })

  it("--wide shows every column and cuts nothing", () => {
    const { lines } = renderTable(rows, columns, { width: 60, wide: true })
    expect(lines[0]).toContain("NOTE")
    expect(lines.join("\n")).not.toContain("…")
    expect(lines[1]).toContain(rows[0]!.email)
  })
})

describe("human formats", () => {
  it("sizes, durations and dates", () => {
    expect([formatBytes(0), formatBytes(512), formatBytes(1536), formatBytes(12 * 1024 * 1024), formatBytes(3.2 * 1024 ** 3)])
      .toEqual(["0 B", "512 B", "1.5 KB", "12 MB", "3.2 GB"])
    expect([formatDuration(850), formatDuration(12_000), formatDuration(252_000), formatDuration(7_500_000), formatDuration(1594_000)])
      .toEqual(["850ms", "12s", "4m 12s", "2h 5m", "26m 34s"])
    expect(formatDate("2024-05-01T14:03:59.000Z")).toBe("2024-05-01 14:03 UTC")
    expect(formatDate(Date.UTC(2024, 4, 1, 14, 3))).toBe("2024-05-01 14:03 UTC")
    expect(formatDate("not a date")).toBe("not a date")
  })
})

/** A terminal of `columns` that records what is written; `screenLines` are the segments between \r and \n. */
const fakeTerminal = (columns: number, isTTY = true) => {
  const written: Array<string> = []
  const stream: ProgressStream = { isTTY, columns, write: (text: string) => written.push(text) }
  const screenLines = () => written.join("").split(/[\r\n]/).map((s) => s.replace(/\x1b\[K/g, "")).filter((s) => s !== "")
  return { stream, written, screenLines }
}

const settled = (key: string, done: number, failed = 0): Engine.JobEvent =>
  ({ _tag: failed > 0 ? "Failed" : "Succeeded", key, reason: "no such user", done, already: 0, failed, skipped: 0, unknown: 0, waiting: 0 }) as any

describe("progress", () => {
  it.effect("on a 60-column terminal: the job id and host first, users counted, ETA as 4m 12s, never a line over 60", () =>
    Effect.gen(function*() {
      const terminal = fakeTerminal(60)
      const events = yield* PubSub.unbounded<Engine.JobEvent>()
      const drawing = yield* Effect.fork(progress(events, { target: "openrouter.ai", stream: terminal.stream }))
      yield* Effect.yieldNow()
      yield* PubSub.publish(events, {
        _tag: "Planned",
        jobId: "onboarding-20261124193000-ab12",
        kind: "onboarding",
        unit: "users",
        total: 30,
        items: 2640
      } as any)
      yield* PubSub.publish(events, { _tag: "Settled", earlier: true, done: 0, already: 100, failed: 0, skipped: 0, unknown: 0, waiting: 0 })
      for (let i = 1; i <= 10; i++) {
        yield* TestClock.adjust("1 second")
        yield* PubSub.publish(events, settled(`chunk-${i}`, i === 4 ? 88 : 10, i === 4 ? 12 : 0))
      }
      yield* PubSub.publish(events, { _tag: "Paused", until: 10_000 + 42_000, status: 429 })
      yield* TestClock.adjust("1 second")
      yield* PubSub.publish(events, { _tag: "Finished", report: { jobId: "onboarding-20261124193000-ab12" } } as any)
      yield* Fiber.join(drawing)

      const lines = terminal.screenLines()
      expect(lines[0]).toContain("onboarding-20261124193000-ab12")
      expect(lines[0]).toContain("openrouter.ai")
      expect(lines.slice(0, 2).join(" ")).toContain("2,640 users in 30 operations")
      for (const line of lines) expect(width(line)).toBeLessThanOrEqual(60)
      const last = lines.at(-1)!
      expect(last).toContain("/2,640 users")
      expect(last).toMatch(/12 failed/)
      expect(lines.some((l) => /ETA \d+m \d+s/.test(l))).toBe(true)
      expect(lines.some((l) => /paused/.test(l))).toBe(true)
      expect(terminal.written.join("")).toMatch(/\r/)
    }))

  it.effect("wider terminals get the bar, done/failed/skipped and the rate; pipes get plain lines every few seconds", () =>
    Effect.gen(function*() {
      const wide = fakeTerminal(120)
      const piped = fakeTerminal(80, false)
      const events = yield* PubSub.unbounded<Engine.JobEvent>()
      const a = yield* Effect.fork(progress(events, { stream: wide.stream, target: "127.0.0.1:4010" }))
      const b = yield* Effect.fork(progress(events, { stream: piped.stream, every: "3 seconds" }))
      yield* Effect.yieldNow()
      yield* PubSub.publish(events, { _tag: "Planned", jobId: "file-cleanup-1", kind: "file-cleanup", unit: "files", total: 10, items: 1000 } as any)
      for (let i = 0; i < 10; i++) {
        yield* TestClock.adjust("1 second")
        yield* PubSub.publish(events, settled(`op-${i}`, 100))
      }
      yield* PubSub.publish(events, { _tag: "Finished", report: {} } as any)
      yield* Fiber.join(a)
      yield* Fiber.join(b)
      const last = wide.screenLines().at(-1)!
      expect(last).toMatch(/^\[#{20}\] 1,000\/1,000 files {2}1,000 done, 0 failed, 0 skipped {2}100\/s/)
      expect(piped.written.join("")).not.toMatch(/\r|\x1b|\[#/)
      const plain = piped.screenLines()
      expect(plain[0]).toContain("file-cleanup-1")
      // 10 seconds at one line per 3 seconds, plus the header and the final line
      expect(plain.length).toBeGreaterThanOrEqual(4)
      expect(plain.length).toBeLessThanOrEqual(7)
    }))
})
