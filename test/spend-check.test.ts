/**
 * Budget and limit utilisation and the alert check against the simulator: a workspace's day / week /
 * month spend equals its keys' records for that UTC period; each key's use of its limit is the server's
 * figure with its reset time; a threshold crossed by one key only names exactly that key; the Slack body.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Activity } from "../src/Activity.ts"
import { Keys } from "../src/Keys.ts"
import { Simulator } from "../src/simulator/index.ts"
import { checkLines, slackMessage } from "../src/spend/Alerts.ts"
import { nextReset, startOfUtcMonth, startOfUtcWeek, utcDate } from "../src/spend/Calendar.ts"
import { check, utilisation } from "../src/spend/Utilisation.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { servicesLayer } from "./support.ts"

const layer = Layer.mergeAll(Keys.Default, Activity.Default).pipe(
  Layer.provideMerge(servicesLayer({ seed: "spend-check", organization: { members: 40 } }))
)

describe("budget and limit utilisation", () => {
  it.scopedLive("a workspace's day, week and month spend equal its records; keys' use of their limits and when they reset", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const now = sim.state.today + 5 * 3_600_000
      const workspaces = yield* Workspaces
      const research = sim.state.workspaces().find((w) => w.slug === "research")!
      for (const [interval, limitUsd] of [["daily", 5], ["weekly", 20], ["monthly", 50]] as const) {
        yield* workspaces.setBudget({ id: research.id, interval, limitUsd })
      }
      const used = yield* utilisation({ workspaces: ["research"], now })
      const records = sim.state.activity().filter((r) => r.workspaceId === research.id)
      const since = (ms: number) => records.filter((r) => r.date >= utcDate(ms)).reduce((s, r) => s + r.usage, 0)
      const figure = (interval: string) => used.budgets.find((b) => b.interval === interval)!
      expect(figure("daily").spentUsd).toBeCloseTo(since(sim.state.today), 6)
      expect(figure("weekly").spentUsd).toBeCloseTo(since(startOfUtcWeek(now)), 6)
      expect(figure("monthly").spentUsd).toBeCloseTo(since(startOfUtcMonth(now)), 6)
      expect(figure("monthly").share).toBeCloseTo(figure("monthly").spentUsd / 50, 9)
      expect(figure("weekly").resetsAt).toBe(new Date(nextReset("weekly", now)).toISOString())
      // keys: the server's limit_remaining, the next reset of their interval
      const limited = sim.state.apiKeys().filter((k) => k.workspaceId === research.id && k.limit !== null)
      expect(used.keys.map((k) => k.hash).sort()).toEqual(limited.map((k) => k.hash).sort())
      for (const k of limited) {
        const use = used.keys.find((u) => u.hash === k.hash)!
        expect(use.usedUsd).toBeCloseTo(k.limit! - k.limitRemaining!, 6)
        expect(use.resetsAt).toBe(k.limitReset === null ? null : new Date(nextReset(k.limitReset as "daily", now)).toISOString())
      }
    }).pipe(Effect.provide(layer)))

  it.scopedLive("a threshold crossed by one key names that key and nothing else; nothing crossed, nothing named", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const keys = yield* Keys
      const now = sim.state.today + 3_600_000
      // lift every limit and budget out of reach, then bring one key to 90% of its limit
      for (const k of sim.state.apiKeys()) if (k.limit !== null) yield* keys.update({ hash: k.hash, limit: null })
      const workspaces = yield* Workspaces
      for (const w of sim.state.workspaces()) {
        for (const b of sim.state.budgets(w.id)) yield* workspaces.deleteBudget({ id: w.id, interval: b.interval })
      }
      const quiet = yield* check({ threshold: 0.8, now })
      expect(quiet.crossed).toEqual([])
      expect(checkLines(quiet)[0]).toMatch(/^Nothing at or over 80%: 0 budgets and 0 key limits checked\.$/)
      const spender = sim.state.apiKeys().find((k) => k.usage > 1 && !k.disabled)!
      yield* keys.update({ hash: spender.hash, limit: spender.usage / 0.9, limitReset: null })
      const result = yield* check({ threshold: 0.8, top: 3, now })
      expect(result.crossed.map((c) => (c.kind === "key" ? c.hash : c.workspaceId))).toEqual([spender.hash])
      expect(result.crossed[0]!.share).toBeCloseTo(0.9, 3)
      const lines = checkLines(result)
      expect(lines[0]).toBe("At or over 80%: 0 budgets, 1 key limit (0 budgets and 1 key limit checked).")
      expect(lines[1]).toContain(`key ${spender.name} (${spender.hash})`)
      expect(lines[1]).toContain("lifetime limit (90.0%), never resets")
      expect(result.top).toHaveLength(3)
      expect(result.top[0]!.monthUsd).toBe(Math.max(...sim.state.apiKeys().map((k) => k.usageMonthly)))
      const slack = slackMessage(result)
      expect(slack.text).toBe(lines.join("\n"))
      expect(slack.blocks[1]).toEqual({ type: "section", text: { type: "mrkdwn", text: lines[1]!.trim() } })
      // at 95% it is not crossed
      expect((yield* check({ threshold: 0.95, now })).crossed).toEqual([])
    }).pipe(Effect.provide(layer)))
})
