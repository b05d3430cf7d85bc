/**
 * The simulated organisation's spend: 30 completed UTC days and today of activity, generated from the
 * seeded keys (each key's creator, workspace and models), and the figures derived from it.
 *
 * The one source of truth is the list of {@link ActivityRecord}s (one key, one UTC day, one model, in
 * micro-dollars so sums are exact). The keys' `usage_daily|weekly|monthly` (and BYOK) are rewritten
 * from it at start-up: the sum of a key's rows for the current UTC day, ISO week (from Monday) and
 * month equals those figures; lifetime `usage` is what the key spent before the window plus the window.
 * `/activity`, `/analytics/query` and `/credits` all answer from the same records. Deterministic per
 * seed (and per UTC day: the window ends today).
 */
import { limitRemainingOf, type StoredKey } from "./keys-state.ts"
import { hash, pick, prng, type Random, uuid } from "./random.ts"
import type { OrganizationState } from "./state.ts"

const DAY = 86_400_000
/** The completed days `/activity` covers. */
export const WINDOW_DAYS = 30

/** A model as the simulator serves it: its slug, permaslug, one endpoint and its price per million tokens. */
export interface SimulatedModel {
  readonly slug: string
  readonly permaslug: string
  readonly providerName: string
  readonly endpointId: string
  readonly promptPerMillion: number
  readonly completionPerMillion: number
  readonly reasoning: boolean
}

const MODELS: ReadonlyArray<Omit<SimulatedModel, "endpointId">> = [
  {
    slug: "openai/gpt-4.1",
    permaslug: "openai/gpt-4.1-2025-04-14",
    providerName: "OpenAI",
    promptPerMillion: 2,
    completionPerMillion: 8,
    reasoning: false
  },
  {
    slug: "openai/gpt-4o-mini",
    permaslug: "openai/gpt-4o-mini-2024-07-18",
    providerName: "OpenAI",
    promptPerMillion: 0.15,
    completionPerMillion: 0.6,
    reasoning: false
  },
  {
    slug: "anthropic/claude-sonnet-4",
    permaslug: "anthropic/claude-4-sonnet-20250522",
    providerName: "Anthropic",
    promptPerMillion: 3,
    completionPerMillion: 15,
    reasoning: false
  },
  {
    slug: "anthropic/claude-3.5-haiku",
    permaslug: "anthropic/claude-3-5-haiku-20241022",
    providerName: "Anthropic",
    promptPerMillion: 0.8,
    completionPerMillion: 4,
    reasoning: false
  },
  {
    slug: "google/gemini-2.5-flash",
    permaslug: "google/gemini-2.5-flash",
    providerName: "Google",
    promptPerMillion: 0.3,
    completionPerMillion: 2.5,
    reasoning: true
  },
  {
    slug: "google/gemini-2.5-pro",
    permaslug: "google/gemini-2.5-pro",
    providerName: "Google Vertex",
    promptPerMillion: 1.25,
    completionPerMillion: 10,
    reasoning: true
  },
  {
    slug: "meta-llama/llama-3.3-70b-instruct",
    permaslug: "meta-llama/llama-3.3-70b-instruct",
    providerName: "DeepInfra",
    promptPerMillion: 0.23,
    completionPerMillion: 0.4,
    reasoning: false
  },
  {
    slug: "mistralai/mistral-large",
    permaslug: "mistralai/mistral-large-2411",
    providerName: "Mistral",
    promptPerMillion: 2,
    completionPerMillion: 6,
    reasoning: false
  },
  {
    slug: "deepseek/deepseek-r1",
    permaslug: "deepseek/deepseek-r1",
    providerName: "DeepSeek",
    promptPerMillion: 0.55,
    completionPerMillion: 2.19,
    reasoning: true
  }
]

/** Ground truth: what one key spent on one model on one UTC day. */
export interface ActivityRecord {
  /** `YYYY-MM-DD`, UTC. */
  readonly date: string
  readonly keyHash: string
  /** The key's creator (the member the spend is attributed to); `null` for a key without one. */
  readonly userId: string | null
  readonly workspaceId: string
  /** The model's slug, e.g. `openai/gpt-4.1`. */
  readonly model: string
  /** The model's permaslug, provider and endpoint. */
  readonly endpoint: SimulatedModel
  /** Credits spent, USD. */
  readonly usage: number
  /** BYOK spend, USD. */
  readonly byokUsageInference: number
  /** Credits spent, in micro-dollars (exact sums). */
  readonly usageMicros: number
  /** BYOK spend, in micro-dollars. */
  readonly byokMicros: number
  readonly requests: number
  readonly promptTokens: number
  readonly completionTokens: number
  readonly reasoningTokens: number
}

export const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)
export const startOfDay = (ms: number) => Math.floor(ms / DAY) * DAY
/** Monday 00:00 UTC of the ISO week holding `ms`. */
export const startOfWeek = (ms: number) => {
  const day = startOfDay(ms)
  return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY
}
export const startOfMonth = (ms: number) => {
  const date = new Date(ms)
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)
}

const usd = (micros: number) => micros / 1_000_000

export class ActivityState {
  readonly models: ReadonlyArray<SimulatedModel>
  /** Every record, by date then key (generation order). */
  readonly records: Array<ActivityRecord> = []
  readonly byKey = new Map<string, Array<ActivityRecord>>()
  /** Records by the key creator they are attributed to. */
  readonly byUser = new Map<string, Array<ActivityRecord>>()
  /** The 30 completed days `/activity` covers, as `YYYY-MM-DD`. */
  readonly windowDates: ReadonlySet<string>
  /** Today (UTC midnight, epoch ms): the window is the 30 days before it, and today so far. */
  readonly today: number
  readonly totalCredits: number
  readonly totalUsage: number

  constructor(private readonly org: OrganizationState, seed: string, now = Date.now()) {
    const random = prng(hash(`activity:${seed}`))
    this.models = MODELS.map((model) => ({ ...model, endpointId: uuid(random) }))
    this.today = startOfDay(now)
    const dates = new Set<string>()
    for (let day = this.today - WINDOW_DAYS * DAY; day < this.today; day += DAY) dates.add(dateOf(day))
    this.windowDates = dates
    for (const key of org.apiKeys) this.generate(random, key as StoredKey)
    let lifetime = 0
    for (const key of org.apiKeys) lifetime += Math.round(this.settle(key as StoredKey) * 1_000_000)
    this.totalUsage = usd(lifetime)
    this.totalCredits = Math.round(usd(lifetime) + 500 + random() * 5000)
  }

  /** The first day of the window `/activity` covers (30 completed days: today is not one). */
  get firstDay(): number {
    return this.today - WINDOW_DAYS * DAY
  }

  /** A key's spend over the window and today: most keys spend most days, on one to three models. */
  private generate(random: Random, key: StoredKey) {
    if (random() < 0.25) return // a quarter of the keys spent nothing lately
    const dailyUsd = Math.exp(Math.log(0.02) + random() * Math.log(8 / 0.02))
    const models = [pick(random, this.models), pick(random, this.models), pick(random, this.models)]
      .slice(0, 1 + Math.floor(random() * 3))
    const byokShare = random() < 0.15 ? 0.2 + random() * 0.6 : 0
    const created = startOfDay(Date.parse(key.createdAt))
    // a disabled key stopped spending on some day of the window
    const lastDay = key.disabled ? this.firstDay + Math.floor(random() * WINDOW_DAYS) * DAY : this.today
    const records: Array<ActivityRecord> = []
    for (let day = this.firstDay; day <= lastDay; day += DAY) {
      if (day < created || random() > 0.7) continue
      for (const model of models) {
        const spend = Math.round(dailyUsd * (0.3 + random() * 1.4) / models.length * 1_000_000)
        if (spend <= 0) continue
        // the cost of the tokens, part of it paid through a BYOK provider key
        const byok = Math.round(spend * byokShare)
        const promptTokens = Math.round(0.4 * spend / model.promptPerMillion)
        const completionTokens = Math.round(0.6 * spend / model.completionPerMillion)
        records.push({
          date: dateOf(day),
          keyHash: key.hash,
          userId: key.creatorUserId,
          workspaceId: key.workspaceId,
          model: model.slug,
          endpoint: model,
          usage: usd(spend - byok),
          byokUsageInference: usd(byok),
          usageMicros: spend - byok,
          byokMicros: byok,
          requests: Math.max(1, Math.round((promptTokens + completionTokens) / 2500)),
          promptTokens,
          completionTokens,
          reasoningTokens: model.reasoning ? Math.round(completionTokens * 0.3) : 0
        })
      }
    }
    if (records.length === 0) return
    this.byKey.set(key.hash, records)
    for (const record of records) this.records.push(record)
    if (key.creatorUserId !== null) {
      const own = this.byUser.get(key.creatorUserId) ?? []
      for (const record of records) own.push(record)
      this.byUser.set(key.creatorUserId, own)
    }
  }

  /**
   * Rewrite a key's usage figures from its records (start-up only, before any request: the key objects
   * are the key state's own, updated in place so every other index keeps pointing at them).
   * Returns the key's lifetime usage.
   */
  private settle(key: StoredKey): number {
    const records = this.byKey.get(key.hash) ?? []
    const week = startOfWeek(this.today)
    const month = startOfMonth(this.today)
    const sums = { all: [0, 0], day: [0, 0], week: [0, 0], month: [0, 0] }
    for (const record of records) {
      const at = Date.parse(`${record.date}T00:00:00Z`)
      const add = (into: Array<number>) => {
        into[0]! += record.usageMicros
        into[1]! += record.byokMicros
      }
      add(sums.all)
      if (at >= this.today) add(sums.day)
      if (at >= week) add(sums.week)
      if (at >= month) add(sums.month)
    }
    // what the key spent before the window (the seeded lifetime figure stands for it)
    const before = Math.round(key.usage * 1_000_000)
    const beforeByok = Math.round(key.byokUsage * 1_000_000)
    const usage = usd(before + sums.all[0]!)
    const figures = {
      usage,
      usageDaily: usd(sums.day[0]!),
      usageWeekly: usd(sums.week[0]!),
      usageMonthly: usd(sums.month[0]!),
      byokUsage: usd(beforeByok + sums.all[1]!),
      byokUsageDaily: usd(sums.day[1]!),
      byokUsageWeekly: usd(sums.week[1]!),
      byokUsageMonthly: usd(sums.month[1]!)
    }
    Object.assign(key, figures)
    Object.assign(key, { limitRemaining: limitRemainingOf(key) })
    return usage
  }

  /** Is this day (`YYYY-MM-DD`) one of the 30 completed days `/activity` answers for? */
  inWindow(date: string): boolean {
    return this.windowDates.has(date)
  }

  /** Records of one key (also a deleted key's: its spend happened). */
  recordsOfKey(keyHash: string): ReadonlyArray<ActivityRecord> {
    return this.byKey.get(keyHash) ?? []
  }

  /** The organisation member ids and departed creators that appear in the records. */
  hasUser(userId: string): boolean {
    return this.org.memberById.has(userId) || this.byUser.has(userId)
  }

  /** Records attributed to one member (by the keys they created). */
  recordsOfUser(userId: string): ReadonlyArray<ActivityRecord> {
    return this.byUser.get(userId) ?? []
  }

  usd(micros: number) {
    return usd(micros)
  }
}
