/**
 * Wire schemas of the analytics endpoints: `GET /analytics/meta` (the metrics, dimensions, filter
 * operators and granularities a query may use) and `POST /analytics/query` (metrics grouped by up to
 * two dimensions and a time bucket).
 *
 * Responses keep enums open (a new metric or format never breaks a query); requests check what the
 * contract fixes (operators, granularities, directions, counts) and leave metric and dimension names
 * to the server, which publishes them in `meta`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { NonEmptyId, optionalWire, wire } from "./Domain.ts"
import { Uuid } from "./KeysDomain.ts"

// --- meta ----------------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export class AnalyticsMetric extends Schema.Class<AnalyticsMetric>("AnalyticsMetric")({
  /** What a query names it by, e.g. `request_count`. */
  name: Schema.String,
  displayLabel: wire("display_label", Schema.String),
  /** A rate or ratio: averaged over rows, never summed. */
  isRate: wire("is_rate", Schema.Boolean),
  /** `number`, `currency`, `percent`, `latency`, `throughput` (open: a new format never breaks). */
  displayFormat: wire("display_format", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class AnalyticsDimension extends Schema.Class<AnalyticsDimension>("AnalyticsDimension")({
  name: Schema.String,
  displayLabel: wire("display_label", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class AnalyticsOperator extends Schema.Class<AnalyticsOperator>("AnalyticsOperator")({
  name: Schema.String,
  /** `scalar` or `array`. */
  valueType: wire("value_type", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class AnalyticsGranularity extends Schema.Class<AnalyticsGranularity>("AnalyticsGranularity")({
  name: Schema.String,
  displayLabel: wire("display_label", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class AnalyticsMeta extends Schema.Class<AnalyticsMeta>("AnalyticsMeta")({
  metrics: Schema.Array(AnalyticsMetric),
  dimensions: Schema.Array(AnalyticsDimension),
  operators: Schema.Array(AnalyticsOperator),
  granularities: Schema.Array(AnalyticsGranularity)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class AnalyticsMetaResponse extends Schema.Class<AnalyticsMetaResponse>("AnalyticsMetaResponse")({
  data: AnalyticsMeta
}) {}

// --- query: validation rules from the contract ------------------------------------------------------------

/**
 * @since 0.1.0
 * @category schemas
 */
export const AnalyticsGranularityName = Schema.Literal("minute", "hour", "day", "week", "month")
/**
 * @since 0.1.0
 * @category models
 */
export type AnalyticsGranularityName = typeof AnalyticsGranularityName.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const AnalyticsFilterOperator = Schema.Literal("eq", "neq", "in", "not_in", "gt", "gte", "lt", "lte")
/**
 * @since 0.1.0
 * @category models
 */
export type AnalyticsFilterOperator = typeof AnalyticsFilterOperator.Type

/**
 * The operators a classifier filter may use (its values are strings: no ordering).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClassifierFilterOperator = Schema.Literal("eq", "neq", "in", "not_in")

const FilterScalar = Schema.Union(Schema.String, Schema.Number.pipe(Schema.finite()))
/**
 * A scalar for `eq`/`neq`/`gt`…, an array for `in`/`not_in`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AnalyticsFilterValue = Schema.Union(FilterScalar, Schema.Array(FilterScalar))

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/

/**
 * An RFC 3339 date-time, e.g. `2025-01-01T00:00:00Z`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DateTime = Schema.String.pipe(
  Schema.filter((text) => isoDateTime.test(text) && !Number.isNaN(Date.parse(text)), {
    message: () => "expected an ISO 8601 date-time, e.g. \"2025-01-01T00:00:00Z\""
  })
).annotations({ identifier: "DateTime" })

const positiveInt = (what: string) => Schema.Int.pipe(Schema.positive({ message: () => `${what} must be a whole number ≥ 1` }))

const names = (what: string, max: number) => Schema.Array(NonEmptyId).pipe(Schema.maxItems(max, { message: () => `${what} takes at most ${max}` }))

/**
 * @since 0.1.0
 * @category schemas
 */
export const AnalyticsFilter = Schema.Struct({
  /** A dimension (`meta().dimensions`): ids, not labels (a key hash, a user id, a workspace UUID, a model permaslug). */
  field: NonEmptyId,
  operator: AnalyticsFilterOperator,
  value: AnalyticsFilterValue,
  /** `in`/`not_in` only: also rows where the dimension has no value. */
  includeUnset: optionalWire("include_unset", Schema.Boolean)
})
/**
 * @since 0.1.0
 * @category models
 */
export type AnalyticsFilter = typeof AnalyticsFilter.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const AnalyticsOrderBy = Schema.Struct({
  /** A requested metric (or `request_count`), a requested dimension, or `date`. */
  field: NonEmptyId,
  direction: Schema.Literal("asc", "desc")
})

/**
 * `[start, end)`; the end must come after the start.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AnalyticsTimeRange = Schema.Struct({ start: DateTime, end: DateTime }).pipe(
  Schema.filter((range) => Date.parse(range.start) < Date.parse(range.end), {
    message: () => "timeRange.end must come after timeRange.start"
  })
)

/**
 * @since 0.1.0
 * @category schemas
 */
export const ClassifierDimensions = Schema.Struct({
  classifierId: wire("classifier_id", Uuid),
  dimensionNames: optionalWire("dimension_names", names("classifierDimensions.dimensionNames", 2)),
  includeNulls: optionalWire("include_nulls", Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category schemas
 */
export const ClassifierFilters = Schema.Struct({
  classifierId: wire("classifier_id", Uuid),
  filters: wire(
    "filters",
    Schema.Array(Schema.Struct({ field: NonEmptyId, operator: ClassifierFilterOperator, value: AnalyticsFilterValue })).pipe(
      Schema.minItems(1, { message: () => "classifierFilters.filters needs at least one filter" }),
      Schema.maxItems(10, { message: () => "classifierFilters.filters takes at most 10" })
    )
  )
})

/**
 * `POST /analytics/query` body.
 *
 * @since 0.1.0
 * @category schemas
 */
export const analyticsQueryBody = {
  /** At least one metric (`meta().metrics`). */
  metrics: wire(
    "metrics",
    Schema.Array(NonEmptyId).pipe(Schema.minItems(1, { message: () => "metrics needs at least one metric" }))
  ),
  /** Up to two dimensions to group by (`meta().dimensions`). */
  dimensions: Schema.optionalWith(names("dimensions", 2), { exact: true }),
  filters: Schema.optionalWith(
    Schema.Array(AnalyticsFilter).pipe(Schema.maxItems(20, { message: () => "filters takes at most 20" })),
    { exact: true }
  ),
  granularity: Schema.optionalWith(AnalyticsGranularityName, { exact: true }),
  /** At most this many rows per combination of dimensions. */
  groupLimit: optionalWire("group_limit", positiveInt("groupLimit")),
  /** At most this many rows in all (default 1000). */
  limit: Schema.optionalWith(positiveInt("limit"), { exact: true }),
  orderBy: optionalWire("order_by", AnalyticsOrderBy),
  timeRange: optionalWire("time_range", AnalyticsTimeRange),
  classifierDimensions: optionalWire("classifier_dimensions", ClassifierDimensions),
  classifierFilters: optionalWire("classifier_filters", ClassifierFilters)
}

// --- query: the answer -------------------------------------------------------------------------------------

/**
 * A row: the requested metrics and dimensions by their names, and the time bucket as
 * `date__<granularity>` (e.g. `date__day: "2025-01-01T00:00:00.000Z"`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AnalyticsRow = Schema.Record({ key: Schema.String, value: Schema.Unknown })
/**
 * @since 0.1.0
 * @category models
 */
export type AnalyticsRow = typeof AnalyticsRow.Type

/**
 * @since 0.1.0
 * @category models
 */
export class AnalyticsQueryMetadata extends Schema.Class<AnalyticsQueryMetadata>("AnalyticsQueryMetadata")({
  queryTimeMs: wire("query_time_ms", Schema.Number),
  rowCount: wire("row_count", Schema.Int),
  /** More rows matched than `limit`: the answer is cut (raise `limit` or narrow the query). */
  truncated: Schema.Boolean
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class AnalyticsQueryResult extends Schema.Class<AnalyticsQueryResult>("AnalyticsQueryResult")({
  data: Schema.Array(AnalyticsRow),
  metadata: AnalyticsQueryMetadata,
  /** e.g. filter values that could not be resolved (the query still ran). */
  warnings: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  cachedAt: Schema.optionalWith(Schema.Number, { exact: true })
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class AnalyticsQueryResponse extends Schema.Class<AnalyticsQueryResponse>("AnalyticsQueryResponse")({
  data: AnalyticsQueryResult
}) {}
