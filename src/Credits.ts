/**
 * The `Credits` service: the credits bought and used (`GET /credits`).
 *
 * ```ts
 * const { data } = yield* Credits.Credits.get()
 * data.remaining // totalCredits - totalUsage
 * ```
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { CreditsResponse } from "./CreditsDomain.ts"
import { ForbiddenResponseError, InternalServerResponseError, UnauthorizedResponseError } from "./Errors.ts"
import { declare, method, type MethodError } from "./internal/declaration.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

/**
 * @since 0.1.0
 * @category operations
 */
export const operations = {
  get: declare("Credits.get", {
    route: "GET /credits",
    success: CreditsResponse,
    errors: [UnauthorizedResponseError, ForbiddenResponseError, InternalServerResponseError]
  })
}

/**
 * @since 0.1.0
 * @category errors
 */
export type CreditsError = MethodError<typeof operations.get>

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient
  const getCredits = method(client, operations.get)

  /** Credits bought and used, organisation-wide. */
  const get = (): Effect.Effect<CreditsResponse, CreditsError> => getCredits({})

  return { get } as const
})

/**
 * @since 0.1.0
 * @category services
 */
export class Credits extends Effect.Service<Credits>()("openrouter-effect/Credits", {
  accessors: true,
  effect: make
}) {}
