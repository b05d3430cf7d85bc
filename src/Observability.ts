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
 * `update` changes what is given (`config` fields left out keep their value). `create` is not replayed
 * after an ambiguous failure (a twin would receive every trace twice): look for it with `list` instead.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { DeletedResponse } from "./Domain.ts"
import {
  BadRequestResponseError as BadRequest,
  ConflictResponseError,
  ForbiddenResponseError,
  InternalServerResponseError as Internal,
  NotFoundResponseError as NotFound,
  UnauthorizedResponseError as Unauthorized
} from "./Errors.ts"
import { type Crud, crud } from "./internal/crud.ts"
import { declare, type MethodError, type OperationInput } from "./internal/declaration.ts"
import * as Pagination from "./internal/pagination.ts"
import { Uuid } from "./KeysDomain.ts"
import {
  CreateDestinationRequest,
  DestinationResponse,
  listDestinationsQuery,
  ListDestinationsResponse,
  UpdateDestinationRequest
} from "./ObservabilityDomain.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

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
 * list (a page), pages, stream (the items, lazily), create, get, update, delete.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Crud<Ops, StreamOptions>, never, OpenRouterClient> = Effect.map(
  OpenRouterClient,
  (client) => crud(client, operations, StreamInput)
)

/**
 * @since 0.1.0
 * @category services
 */
export class Observability extends Effect.Service<Observability>()("openrouter-effect/Observability", {
  accessors: true,
  effect: make
}) {}
