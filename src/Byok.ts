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
 * server echoes the request), and out of spans.
 *
 * @since 0.1.0
 */
import { Effect, Schema, type Stream } from "effect"
import { ByokKeyResponse, ByokProvider, CreateByokKeyRequest, ListByokKeysResponse, listByokQuery, UpdateByokKeyRequest } from "./ByokDomain.ts"
import { DeletedResponse } from "./Domain.ts"
import {
  BadRequestResponseError,
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
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient

  /** One page of a workspace's credentials (default: the default workspace): `{ data, totalCount }`. */
  const list = (options: ListOptions = {}) => listPage(options)
  const listPage = method(client, operations.list)

  /**
   * Add a credential. Not replayed after an ambiguous failure (a replay could leave a twin that is tried
   * first): look for it with `list` instead.
   */
  const create = (options: CreateOptions): Effect.Effect<ByokKeyResponse, ByokError<"create">> =>
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
  /** Rename, disable, restrict, or rotate the key in place (`key`). Restrictions replace: send the full set. */
  const update = (options: UpdateOptions): Effect.Effect<ByokKeyResponse, ByokError<"update">> =>
    Effect.mapError(updateRaw(options), scrubError(secretsIn(options)))
  const del = method(client, operations.delete)

  const pagesOf = Pagination.validatedPages(
    "Byok.list",
    StreamInput,
    ({ provider, workspaceId }, page) =>
      list({ ...(workspaceId !== undefined ? { workspaceId } : {}), ...(provider !== undefined ? { provider } : {}), ...page })
  )
  /** Pages of credentials, fetched as pulled. */
  const pages = (options: StreamOptions = {}): Stream.Stream<ListByokKeysResponse, ByokError<"list"> | PaginationError> => pagesOf(options)
  /** Every credential of a workspace (default: the default workspace), lazily. */
  const stream = (options: StreamOptions = {}) => Pagination.items(pages(options))

  return { list, pages, stream, create, get, update, delete: del } as const
})

/**
 * @since 0.1.0
 * @category services
 */
export class Byok extends Effect.Service<Byok>()("openrouter-effect/Byok", {
  accessors: true,
  effect: make
}) {}
