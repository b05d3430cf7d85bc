/**
 * The `Byok` service: the provider API keys an organisation brings (BYOK credentials), per workspace:
 * list (a page, a Stream of pages, a Stream of items), create, get, update (rotate the key in place),
 * delete.
 *
 * ```ts
 * const byok = yield* Byok.Byok
 * const made = yield* byok.create({ provider: "openai", key: Redacted.make(process.env.OPENAI_KEY!), name: "prod" })
 * made.data.label // "sk-...AbCd": the API never returns the key
 * ```
 *
 * The key goes in `Redacted` and never comes back; it is kept out of every error (even one where the
 * server echoes the request), and out of spans. `update` renames, disables, restricts, or rotates the key
 * in place (`key`); restrictions replace: send the full set. `create` is not replayed after an ambiguous
 * failure (a replay could leave a twin that is tried first): look for it with `list` instead.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { ByokKeyResponse, ByokProvider, CreateByokKeyRequest, ListByokKeysResponse, listByokQuery, UpdateByokKeyRequest } from "./ByokDomain.ts"
import { DeletedResponse } from "./Domain.ts"
import {
  BadRequestResponseError as BadRequest,
  ForbiddenResponseError,
  InternalServerResponseError as Internal,
  NotFoundResponseError as NotFound,
  UnauthorizedResponseError as Unauthorized
} from "./Errors.ts"
import { type Crud, crud } from "./internal/crud.ts"
import { declare, type MethodError, type OperationInput } from "./internal/declaration.ts"
import * as Pagination from "./internal/pagination.ts"
import { Uuid } from "./KeysDomain.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

const byId = { id: Uuid }

/**
 * @since 0.1.0
 * @category operations
 */
export const operations = {
  list: declare("Byok.list", {
    route: "GET /byok",
    query: listByokQuery,
    success: ListByokKeysResponse,
    errors: [BadRequest, Unauthorized, Internal]
  }),
  create: declare("Byok.create", {
    route: "POST /byok",
    body: CreateByokKeyRequest.fields,
    success: ByokKeyResponse,
    errors: [BadRequest, Unauthorized, ForbiddenResponseError, Internal]
  }),
  get: declare("Byok.get", {
    route: "GET /byok/:id",
    path: byId,
    success: ByokKeyResponse,
    errors: [Unauthorized, NotFound, Internal]
  }),
  update: declare("Byok.update", {
    route: "PATCH /byok/:id",
    path: byId,
    body: UpdateByokKeyRequest.fields,
    success: ByokKeyResponse,
    errors: [BadRequest, Unauthorized, NotFound, Internal]
  }),
  delete: declare("Byok.delete", {
    route: "DELETE /byok/:id",
    path: byId,
    success: DeletedResponse,
    errors: [Unauthorized, NotFound, Internal]
  })
}

type Ops = typeof operations
/**
 * The error channel of a BYOK operation: what the contract documents for it, plus transport and input errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type ByokError<K extends keyof Ops> = MethodError<Ops[K]>

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

const StreamInput = Schema.Struct({
  ...Pagination.streamPaging,
  workspaceId: Schema.optionalWith(Uuid, { exact: true }),
  provider: Schema.optionalWith(ByokProvider, { exact: true })
})
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
export class Byok extends Effect.Service<Byok>()("openrouter-effect/Byok", {
  accessors: true,
  effect: make
}) {}
