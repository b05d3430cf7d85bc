/**
 * The `Activity` service: what was spent, per UTC day × model × endpoint, over the last 30 completed
 * UTC days (`GET /activity`), filtered by day, key, member or workspace, or split per workspace.
 *
 * ```ts
 * const activity = yield* Activity.Activity
 * const rows = yield* activity.list({ groupBy: "workspace" })
 * const spent = rows.data.reduce((sum, row) => sum + row.usage, 0)
 * ```
 *
 * Today is not in the window (it is not a completed day): the keys' `usageDaily` covers it.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { activityQuery, ActivityResponse } from "./ActivityDomain.ts"
import {
  BadRequestResponseError,
  ForbiddenResponseError,
  InternalServerResponseError,
  NotFoundResponseError,
  UnauthorizedResponseError
} from "./Errors.ts"
import { declare, method, type MethodError, type OperationInput } from "./internal/declaration.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

/**
 * @since 0.1.0
 * @category operations
 */
export const operations = {
  list: declare("Activity.list", {
    route: "GET /activity",
    query: activityQuery,
    success: ActivityResponse,
    errors: [BadRequestResponseError, UnauthorizedResponseError, ForbiddenResponseError, NotFoundResponseError, InternalServerResponseError]
  })
}

/**
 * The error channel of `Activity.list`: what the contract documents, plus transport and input errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type ActivityError = MethodError<typeof operations.list>
/**
 * @since 0.1.0
 * @category models
 */
export type ListOptions = OperationInput<typeof operations.list>

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient
  const listRows = method(client, operations.list)

  /** The rows of the last 30 completed UTC days (one request; the endpoint is not paged). */
  const list = (options: ListOptions = {}): Effect.Effect<ActivityResponse, ActivityError> => listRows(options)

  return { list } as const
})

/**
 * @since 0.1.0
 * @category services
 */
export class Activity extends Effect.Service<Activity>()("openrouter-effect/Activity", {
  accessors: true,
  effect: make
}) {}
