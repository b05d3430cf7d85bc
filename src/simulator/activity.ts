/** The simulator's `/activity` and `/credits` endpoints, routed from the client's declarations. */
import * as Activity from "../Activity.ts"
import { ActivityItem, ActivityResponse } from "../ActivityDomain.ts"
import * as Credits from "../Credits.ts"
import { CreditsResponse, CreditTotals } from "../CreditsDomain.ts"
import type { ActivityRecord } from "./activity-state.ts"
import { encoder, type Env, json } from "./http.ts"
import { routes } from "./router.ts"

const encodeActivity = encoder(ActivityResponse)
const encodeCredits = encoder(CreditsResponse)

interface Row {
  date: string
  record: ActivityRecord
  workspaceId: string | undefined
  usage: number
  byok: number
  requests: number
  prompt: number
  completion: number
  reasoning: number
}

/** Rows per date × model × endpoint (× workspace), in date, model, endpoint (, workspace) order. */
const aggregate = (records: Iterable<ActivityRecord>, byWorkspace: boolean): Array<Row> => {
  const rows = new Map<string, Row>()
  for (const record of records) {
    const id = `${record.date}\u0000${record.model}\u0000${record.endpoint.endpointId}${byWorkspace ? `\u0000${record.workspaceId}` : ""}`
    let row = rows.get(id)
    if (!row) {
      row = {
        date: record.date,
        record,
        workspaceId: byWorkspace ? record.workspaceId : undefined,
        usage: 0,
        byok: 0,
        requests: 0,
        prompt: 0,
        completion: 0,
        reasoning: 0
      }
      rows.set(id, row)
    }
    row.usage += record.usageMicros
    row.byok += record.byokMicros
    row.requests += record.requests
    row.prompt += record.promptTokens
    row.completion += record.completionTokens
    row.reasoning += record.reasoningTokens
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row)
}

export const activityRoutes = routes<typeof Activity.operations, Env>(Activity.operations, {
  list: ({ env: { activity, state }, fail, query }) => {
    if (query.date !== undefined && !activity.inWindow(query.date)) {
      return fail(400, `date must be one of the last ${30} completed UTC days`)
    }
    if (query.workspaceId !== undefined && !state.workspaces.has(query.workspaceId)) {
      return fail(404, "Workspace not found")
    }
    if (query.apiKeyHash !== undefined && !state.keys.byHash.has(query.apiKeyHash) && activity.recordsOfKey(query.apiKeyHash).length === 0) {
      return fail(404, "API key not found")
    }
    if (query.userId !== undefined && !activity.hasUser(query.userId)) return fail(404, "User not found")
    const source = query.apiKeyHash !== undefined
      ? activity.recordsOfKey(query.apiKeyHash)
      : query.userId !== undefined
      ? activity.recordsOfUser(query.userId)
      : activity.records
    const selected = source.filter((record) =>
      activity.inWindow(record.date) &&
      (query.date === undefined || record.date === query.date) &&
      (query.userId === undefined || record.userId === query.userId) &&
      (query.workspaceId === undefined || record.workspaceId === query.workspaceId)
    )
    const data = aggregate(selected, query.groupBy === "workspace").map((row) =>
      new ActivityItem({
        date: row.date,
        model: row.record.model,
        modelPermaslug: row.record.endpoint.permaslug,
        endpointId: row.record.endpoint.endpointId,
        providerName: row.record.endpoint.providerName,
        usage: activity.usd(row.usage),
        byokUsageInference: activity.usd(row.byok),
        requests: row.requests,
        promptTokens: row.prompt,
        completionTokens: row.completion,
        reasoningTokens: row.reasoning,
        ...(row.workspaceId !== undefined ? { workspaceId: row.workspaceId } : {})
      }, true)
    )
    return json(encodeActivity(new ActivityResponse({ data }, true)))
  }
})

export const creditsRoutes = routes<typeof Credits.operations, Env>(Credits.operations, {
  get: ({ env: { activity } }) =>
    json(encodeCredits(
      new CreditsResponse({
        data: new CreditTotals({ totalCredits: activity.totalCredits, totalUsage: activity.totalUsage }, true)
      }, true)
    ))
})
