/**
 * The `Analytics` service: what a query may ask (`meta`) and the query itself (`query`): metrics
 * grouped by up to two dimensions and a time bucket, filtered, ordered and limited by the server.
 *
 * ```ts
 * const analytics = yield* Analytics.Analytics
 * const { data } = yield* analytics.query({
 *   metrics: ["usage"], dimensions: ["workspace"], granularity: "day",
 *   timeRange: { start: "2025-01-01T00:00:00Z", end: "2025-01-31T00:00:00Z" }
 * })
 * if (data.metadata.truncated) { ... } // more rows matched than `limit`
 * ```
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { AnalyticsMetaResponse, analyticsQueryBody, AnalyticsQueryResponse } from "./AnalyticsDomain.ts"
import {
  BadRequestResponseError,
  ForbiddenResponseError,
  InternalServerResponseError,
  RequestTimeoutResponseError,
  UnauthorizedResponseError
} from "./Errors.ts"
import { declare, method, type MethodError, type OperationInput } from "./internal/declaration.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

/**
 * @since 0.1.0
 * @category operations
 */
export const operations = {
  meta: declare("Analytics.meta", {
    route: "GET /analytics/meta",
    success: AnalyticsMetaResponse,
    errors: [UnauthorizedResponseError, ForbiddenResponseError, InternalServerResponseError]
  }),
  query: declare("Analytics.query", {
    route: "POST /analytics/query",
    body: analyticsQueryBody,
    success: AnalyticsQueryResponse,
    errors: [
      BadRequestResponseError,
      UnauthorizedResponseError,
      ForbiddenResponseError,
      RequestTimeoutResponseError,
      InternalServerResponseError
    ]
  })
}

type Ops = typeof operations
/**
 * @since 0.1.0
 * @category errors
 */
export type AnalyticsError<K extends keyof Ops> = MethodError<Ops[K]>
/**
 * @since 0.1.0
 * @category models
 */
export type QueryOptions = OperationInput<Ops["query"]>

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient
  const getMeta = method(client, operations.meta)

  /** The metrics, dimensions, filter operators and granularities a query may use. */
  const meta = (): Effect.Effect<AnalyticsMetaResponse, AnalyticsError<"meta">> => getMeta({})

  /** Run a query (a read: retried like any GET). A 408 means the server gave up: narrow the query. */
  const query: (options: QueryOptions) => Effect.Effect<AnalyticsQueryResponse, AnalyticsError<"query">> = method(
    client,
    operations.query
  )

  return { meta, query } as const
})

/**
 * @since 0.1.0
 * @category services
 */
export class Analytics extends Effect.Service<Analytics>()("openrouter-effect/Analytics", {
  accessors: true,
  effect: make
}) {}
