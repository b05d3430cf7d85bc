/**
 * The simulator's `/analytics/meta` and `/analytics/query`, answered from the same activity records
 * as `/activity` (today included: analytics is not limited to completed days).
 *
 * Dimension values are the ids filters take (a key's hash, a member's user id, a workspace's UUID, a
 * model's slug, a provider's name), so a row can be joined to the other endpoints; the real API may
 * answer some dimensions with display labels instead (the contract says they are "enriched").
 */
import * as Analytics from "../Analytics.ts"
import {
  AnalyticsDimension,
  type AnalyticsFilter,
  AnalyticsGranularity,
  AnalyticsMeta,
  AnalyticsMetaResponse,
  AnalyticsMetric,
  AnalyticsOperator,
  AnalyticsQueryMetadata,
  AnalyticsQueryResponse,
  AnalyticsQueryResult
} from "../AnalyticsDomain.ts"
import type { ActivityRecord, ActivityState } from "./activity-state.ts"
import { encoder, type Env, json } from "./http.ts"
import { routes } from "./router.ts"

const DAY = 86_400_000
const encodeMeta = encoder(AnalyticsMetaResponse)
const encodeQuery = encoder(AnalyticsQueryResponse)

/** The metrics the simulator serves: each a sum over records. */
const METRICS: Record<string, { label: string; format: string; of: (record: ActivityRecord) => number; usd?: true }> = {
  request_count: { label: "Request Count", format: "number", of: (r) => r.requests },
  usage: { label: "Spend (credits)", format: "currency", of: (r) => r.usageMicros, usd: true },
  byok_usage_inference: { label: "Spend (BYOK)", format: "currency", of: (r) => r.byokMicros, usd: true },
  prompt_tokens: { label: "Prompt Tokens", format: "number", of: (r) => r.promptTokens },
  completion_tokens: { label: "Completion Tokens", format: "number", of: (r) => r.completionTokens },
  reasoning_tokens: { label: "Reasoning Tokens", format: "number", of: (r) => r.reasoningTokens }
}

/** The dimensions: a record's value for each (the id a filter takes). */
const DIMENSIONS: Record<string, { label: string; of: (record: ActivityRecord) => string | null }> = {
  model: { label: "Model", of: (r) => r.model },
  provider: { label: "Provider", of: (r) => r.endpoint.providerName },
  api_key_id: { label: "API Key", of: (r) => r.keyHash },
  user: { label: "User", of: (r) => r.userId },
  workspace: { label: "Workspace", of: (r) => r.workspaceId }
}

const GRANULARITIES: Record<string, { label: string; bucket: (dayMs: number) => number }> = {
  day: { label: "Day", bucket: (ms) => ms },
  week: {
    label: "Week",
    bucket: (ms) => ms - ((new Date(ms).getUTCDay() + 6) % 7) * DAY
  },
  month: {
    label: "Month",
    bucket: (ms) => {
      const date = new Date(ms)
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)
    }
  }
}

const OPERATORS = [
  ["eq", "scalar"],
  ["neq", "scalar"],
  ["in", "array"],
  ["not_in", "array"],
  ["gt", "scalar"],
  ["gte", "scalar"],
  ["lt", "scalar"],
  ["lte", "scalar"]
] as const

const meta = new AnalyticsMetaResponse({
  data: new AnalyticsMeta({
    metrics: Object.entries(METRICS).map(([name, m]) => new AnalyticsMetric({ name, displayLabel: m.label, isRate: false, displayFormat: m.format })),
    dimensions: Object.entries(DIMENSIONS).map(([name, d]) => new AnalyticsDimension({ name, displayLabel: d.label })),
    operators: OPERATORS.map(([name, valueType]) => new AnalyticsOperator({ name, valueType })),
    granularities: Object.entries(GRANULARITIES).map(([name, g]) => new AnalyticsGranularity({ name, displayLabel: g.label }))
  })
})

type Scalar = string | number
const compare = (a: Scalar, b: Scalar) => (a < b ? -1 : a > b ? 1 : 0)

/** A filter as a predicate over a dimension value, or the reason it is refused. */
const predicateOf = (filter: AnalyticsFilter): ((value: string | null) => boolean) | string => {
  const array = Array.isArray(filter.value)
  const expectsArray = filter.operator === "in" || filter.operator === "not_in"
  if (array !== expectsArray) {
    return `filters: ${filter.operator} takes ${expectsArray ? "an array" : "a single value"} (field ${filter.field})`
  }
  const values = (array ? filter.value : [filter.value]) as ReadonlyArray<Scalar>
  const strings = values.map(String)
  const unset = filter.includeUnset === true
  switch (filter.operator) {
    case "eq":
      return (v) => v === strings[0]
    case "neq":
      return (v) => v !== strings[0]
    case "in":
      return (v) => (v === null ? unset : strings.includes(v))
    case "not_in":
      return (v) => (v === null ? unset : !strings.includes(v))
    case "gt":
      return (v) => v !== null && compare(v, strings[0]!) > 0
    case "gte":
      return (v) => v !== null && compare(v, strings[0]!) >= 0
    case "lt":
      return (v) => v !== null && compare(v, strings[0]!) < 0
    case "lte":
      return (v) => v !== null && compare(v, strings[0]!) <= 0
  }
}

/** Run a query over the records: the answer's rows, or the 400's message. */
export const runQuery = (
  activity: ActivityState,
  body: Analytics.QueryOptions,
  now = Date.now()
): { rows: Array<Record<string, unknown>>; truncated: boolean; warnings: Array<string> } | string => {
  const unknownMetric = body.metrics.find((m) => !(m in METRICS))
  if (unknownMetric !== undefined) return `Unknown metric: ${unknownMetric} (see /analytics/meta)`
  const dimensions = body.dimensions ?? []
  const unknownDimension = dimensions.find((d) => !(d in DIMENSIONS))
  if (unknownDimension !== undefined) return `Unknown dimension: ${unknownDimension} (see /analytics/meta)`
  if (new Set(dimensions).size !== dimensions.length) return "dimensions: a dimension is named twice"
  const granularity = body.granularity === undefined ? undefined : GRANULARITIES[body.granularity]
  if (body.granularity !== undefined && granularity === undefined) {
    return `granularity ${body.granularity} is not available (the simulator keeps daily figures: day, week, month)`
  }
  if (body.classifierDimensions !== undefined || body.classifierFilters !== undefined) {
    return "No active classifier on this workspace"
  }
  const warnings: Array<string> = []
  const predicates: Array<[string, (value: string | null) => boolean]> = []
  for (const filter of body.filters ?? []) {
    if (!(filter.field in DIMENSIONS)) return `filters: unknown dimension ${filter.field} (see /analytics/meta)`
    const predicate = predicateOf(filter)
    if (typeof predicate === "string") return predicate
    if (filter.field === "api_key_id") {
      const values = Array.isArray(filter.value) ? filter.value : [filter.value]
      for (const value of values) {
        if (activity.recordsOfKey(String(value)).length === 0) warnings.push(`api_key_id: could not resolve ${value}`)
      }
    }
    predicates.push([filter.field, predicate])
  }
  const start = body.timeRange ? Date.parse(body.timeRange.start) : activity.firstDay
  const end = body.timeRange ? Date.parse(body.timeRange.end) : now
  const dateKey = body.granularity === undefined ? undefined : `date__${body.granularity}`
  const groups = new Map<string, { row: Record<string, unknown>; sums: Array<number> }>()
  const metrics = body.metrics
  for (const record of activity.records) {
    const day = Date.parse(`${record.date}T00:00:00Z`)
    if (day < start || day >= end) continue
    if (!predicates.every(([field, predicate]) => predicate(DIMENSIONS[field]!.of(record)))) continue
    const bucket = granularity ? new Date(granularity.bucket(day)).toISOString() : undefined
    const values = dimensions.map((d) => DIMENSIONS[d]!.of(record))
    const id = JSON.stringify([bucket, values])
    let group = groups.get(id)
    if (!group) {
      const row: Record<string, unknown> = {}
      if (dateKey !== undefined) row[dateKey] = bucket
      dimensions.forEach((d, i) => (row[d] = values[i]))
      group = { row, sums: metrics.map(() => 0) }
      groups.set(id, group)
    }
    metrics.forEach((m, i) => (group!.sums[i]! += METRICS[m]!.of(record)))
  }
  const rows = [...groups.values()].map(({ row, sums }) => {
    metrics.forEach((m, i) => (row[m] = METRICS[m]!.usd ? activity.usd(sums[i]!) : sums[i]))
    return row
  })
  // order: as asked, else by time then dimensions for a time series, else by the first metric, largest first
  const order = body.orderBy
  if (order !== undefined) {
    const field = order.field === "date" ? dateKey : order.field
    const allowed = order.field === "request_count" || metrics.includes(order.field) || dimensions.includes(order.field) ||
      (order.field === "date" && dateKey !== undefined)
    if (!allowed || field === undefined) return `order_by: ${order.field} is neither a requested metric, a requested dimension nor date`
    if (order.field === "request_count" && !metrics.includes("request_count")) {
      return "order_by request_count without requesting it is not supported by the simulator"
    }
    const sign = order.direction === "asc" ? 1 : -1
    rows.sort((a, b) => sign * compare(a[field] as Scalar ?? "", b[field] as Scalar ?? ""))
  } else if (dateKey !== undefined) {
    rows.sort((a, b) =>
      compare(a[dateKey] as string, b[dateKey] as string) ||
      compare(JSON.stringify(dimensions.map((d) => a[d])), JSON.stringify(dimensions.map((d) => b[d])))
    )
  } else {
    rows.sort((a, b) => (b[metrics[0]!] as number) - (a[metrics[0]!] as number))
  }
  let limited = rows
  if (body.groupLimit !== undefined && dimensions.length > 0) {
    const seen = new Map<string, number>()
    limited = rows.filter((row) => {
      const id = JSON.stringify(dimensions.map((d) => row[d]))
      const n = (seen.get(id) ?? 0) + 1
      seen.set(id, n)
      return n <= body.groupLimit!
    })
  }
  const limit = body.limit ?? 1000
  return { rows: limited.slice(0, limit), truncated: limited.length > limit, warnings }
}

export const analyticsRoutes = routes<typeof Analytics.operations, Env>(Analytics.operations, {
  meta: () => json(encodeMeta(meta)),
  query: ({ body, env: { activity }, fail }) => {
    const started = performance.now()
    const answer = runQuery(activity, body)
    if (typeof answer === "string") return fail(400, answer)
    return json(encodeQuery(
      new AnalyticsQueryResponse({
        data: new AnalyticsQueryResult({
          data: answer.rows,
          metadata: new AnalyticsQueryMetadata({
            queryTimeMs: Math.round((performance.now() - started) * 100) / 100,
            rowCount: answer.rows.length,
            truncated: answer.truncated
          }, true),
          ...(answer.warnings.length > 0 ? { warnings: answer.warnings } : {})
        }, true)
      }, true)
    ))
  }
})
