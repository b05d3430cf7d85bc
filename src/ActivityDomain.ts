/**
 * Wire schemas of `GET /activity`: spend and tokens per UTC day × model × endpoint over the last 30
 * completed UTC days, optionally split per workspace.
 *
 * As in `Domain.ts`: camelCase domain over the snake_case JSON of the contract, unknown fields ignored.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { NonEmptyId, optionalWire, wire } from "./Domain.ts"
import { Uuid } from "./KeysDomain.ts"

// --- validation rules from the contract ---------------------------------------------------------------

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * A UTC calendar date, `YYYY-MM-DD` (a real date: no February 30th).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UtcDate = Schema.String.pipe(
  Schema.filter((text) => {
    const match = isoDate.exec(text)
    if (!match) return false
    const date = new Date(`${text}T00:00:00Z`)
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text)
  }, { message: () => "expected a UTC date YYYY-MM-DD, e.g. \"2025-08-24\"" })
).annotations({ identifier: "UtcDate" })

/**
 * How `/activity` may split its rows: `workspace` adds `workspaceId` to every row.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ActivityGroupBy = Schema.Literal("workspace")
/**
 * @since 0.1.0
 * @category models
 */
export type ActivityGroupBy = typeof ActivityGroupBy.Type

// --- activity ------------------------------------------------------------------------------------------

/**
 * One row: a UTC day, a model and an endpoint (and, with `groupBy: "workspace"`, a workspace).
 *
 * @since 0.1.0
 * @category models
 */
export class ActivityItem extends Schema.Class<ActivityItem>("ActivityItem")({
  /** `YYYY-MM-DD`, UTC. */
  date: Schema.String,
  model: Schema.String,
  modelPermaslug: wire("model_permaslug", Schema.String),
  endpointId: wire("endpoint_id", Schema.String),
  providerName: wire("provider_name", Schema.String),
  /** USD of OpenRouter credits spent. */
  usage: Schema.Number,
  /** USD spent through BYOK provider keys (external credits), not part of `usage`. */
  byokUsageInference: wire("byok_usage_inference", Schema.Number),
  requests: Schema.Int,
  promptTokens: wire("prompt_tokens", Schema.Int),
  completionTokens: wire("completion_tokens", Schema.Int),
  reasoningTokens: wire("reasoning_tokens", Schema.Int),
  /** Only with `groupBy: "workspace"`. */
  workspaceId: optionalWire("workspace_id", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ActivityResponse extends Schema.Class<ActivityResponse>("ActivityResponse")({
  data: Schema.Array(ActivityItem)
}) {}

/**
 * `GET /activity` query: every filter optional; by default every row of the window, across workspaces.
 *
 * @since 0.1.0
 * @category schemas
 */
export const activityQuery = {
  /** One UTC day of the last 30. */
  date: Schema.optionalWith(UtcDate, { exact: true }),
  /** One API key, by its hash (as the keys API returns it). */
  apiKeyHash: optionalWire("api_key_hash", NonEmptyId),
  /** One organisation member's keys. */
  userId: optionalWire("user_id", NonEmptyId),
  groupBy: optionalWire("group_by", ActivityGroupBy),
  /** One workspace's activity. */
  workspaceId: optionalWire("workspace_id", Uuid)
}
