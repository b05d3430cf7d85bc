/**
 * The `Observability` service: the destinations a workspace's traces are broadcast to (list as a page,
 * a Stream of pages or a Stream of items; create, get, update, delete).
 *
 * ```ts
 * const observability = yield* Observability.Observability
 * yield* observability.create({
 *   type: "langfuse", name: "Production Langfuse",
 *   config: { publicKey: "pk-lf-…", secretKey: Redacted.make(process.env.LANGFUSE_SECRET!) }
 * })
 * ```
 *
 * At most 5 destinations of one type per workspace (a sixth is a 409). Credentials in `config` are
 * `Redacted` in and out and kept out of every error, even one where the server echoes the request.
 *
 * @since 0.1.0
 */
import { Effect, Schema, type Stream } from "effect"
import { DeletedResponse } from "./Domain.ts"
import {
  BadRequestResponseError,
  ConflictResponseError,
  ForbiddenResponseError,
  InternalServerResponseError,
  NotFoundResponseError,
  type PaginationError,
  UnauthorizedResponseError
} from "./Errors.ts"
import { declare, method, type MethodError, type OperationInput } from "./internal/declaration.ts"
import * as Op from "./internal/operation.ts"
import * as Pagination from "./internal/pagination.ts"
import { scrubError, secretsIn } from "./internal/redact.ts"
import { Uuid } from "./KeysDomain.ts"
import {
  CreateDestinationRequest,
  DestinationResponse,
  listDestinationsQuery,
  ListDestinationsResponse,
  UpdateDestinationRequest
} from "./ObservabilityDomain.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"
import * as RetryPolicy from "./RetryPolicy.ts"

const BadRequest = BadRequestResponseError
const Unauthorized = UnauthorizedResponseError
const NotFound = NotFoundResponseError
const Internal = InternalServerResponseError
const byId = { id: Uuid }

/**
 * @since 0.1.0
 * @category operations
 */
export const operations = {
  list: declare("Observability.list", {
    route: "GET /observability/destinations",
    query: listDestinationsQuery,
    success: ListDestinationsResponse,
    errors: [BadRequest, Unauthorized, Internal]
  }),
  create: declare("Observability.create", {
    route: "POST /observability/destinations",
    body: CreateDestinationRequest.fields,
    success: DestinationResponse,
    errors: [BadRequest, Unauthorized, ForbiddenResponseError, ConflictResponseError, Internal]
  }),
  get: declare("Observability.get", {
    route: "GET /observability/destinations/:id",
    path: byId,
    success: DestinationResponse,
    errors: [Unauthorized, NotFound, Internal]
  }),
  update: declare("Observability.update", {
    route: "PATCH /observability/destinations/:id",
    path: byId,
    body: UpdateDestinationRequest.fields,
    success: DestinationResponse,
    errors: [BadRequest, Unauthorized, ForbiddenResponseError, NotFound, ConflictResponseError, Internal]
  }),
  delete: declare("Observability.delete", {
    route: "DELETE /observability/destinations/:id",
    path: byId,
    success: DeletedResponse,
    errors: [Unauthorized, NotFound, Internal]
  })
}

type Ops = typeof operations
/**
 * The error channel of a destination operation: what the contract documents for it, plus transport and input errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type ObservabilityError<K extends keyof Ops> = MethodError<Ops[K]>

type Input<K extends keyof Ops> = OperationInput<Ops[K]>
/**
 * @since 0.1.0
 * @category models
 */
export type ListOptions = Input<"list">
/**
 * @since 0.1.0
 * @category models
 */
export type CreateOptions = Input<"create">
/**
 * @since 0.1.0
 * @category models
 */
export type UpdateOptions = Input<"update">
/**
 * @since 0.1.0
 * @category models
 */
export type ByIdOptions = Input<"get">

const StreamInput = Schema.Struct({ ...Pagination.streamPaging, workspaceId: Schema.optionalWith(Uuid, { exact: true }) })
/**
 * @since 0.1.0
 * @category models
 */
export type StreamOptions = typeof StreamInput.Type

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient

  /** One page of a workspace's destinations (default: the default workspace): `{ data, totalCount }`. */
  const list = (options: ListOptions = {}) => listPage(options)
  const listPage = method(client, operations.list)

  /** Add a destination. Not replayed after an ambiguous failure (a twin would receive every trace twice). */
  const create = (options: CreateOptions): Effect.Effect<DestinationResponse, ObservabilityError<"create">> =>
    Effect.flatMap(operations.create.validate(options), (valid) => {
      const spec = operations.create.request(valid)
      return Op.retrying(
        client,
        Op.attemptWith(client, operations.create, spec, Op.decodeBody(client, operations.create, spec)),
        { retryIf: (error) => !RetryPolicy.isAmbiguous(error) }
      ).pipe(Effect.mapError(scrubError(secretsIn(valid))), Op.withOperationSpan(operations.create, spec))
    })

  const get = method(client, operations.get)
  const updateRaw = method(client, operations.update)
  /** Change what is given; `config` fields left out keep their value. */
  const update = (options: UpdateOptions): Effect.Effect<DestinationResponse, ObservabilityError<"update">> =>
    Effect.mapError(updateRaw(options), scrubError(secretsIn(options)))
  const del = method(client, operations.delete)

  const pagesOf = Pagination.validatedPages(
    "Observability.list",
    StreamInput,
    ({ workspaceId }, page) => list({ ...(workspaceId !== undefined ? { workspaceId } : {}), ...page })
  )
  /** Pages of destinations, fetched as pulled. */
  const pages = (
    options: StreamOptions = {}
  ): Stream.Stream<ListDestinationsResponse, ObservabilityError<"list"> | PaginationError> => pagesOf(options)
  /** Every destination of a workspace, lazily. */
  const stream = (options: StreamOptions = {}) => Pagination.items(pages(options))

  return { list, pages, stream, create, get, update, delete: del } as const
})

/**
 * @since 0.1.0
 * @category services
 */
export class Observability extends Effect.Service<Observability>()("openrouter-effect/Observability", {
  accessors: true,
  effect: make
}) {}
