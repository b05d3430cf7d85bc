/**
 * The `Keys` service: the organisation's API keys (list, create, get, update, delete) and the key in
 * use (`GET /key`), with typed errors per operation and a lazy Stream over the pages.
 *
 * ```ts
 * const keys = yield* Keys.Keys
 * const made = yield* keys.create({ name: "ci", workspaceId, limit: 50, limitReset: "monthly" })
 * made.key // Redacted<string>: the secret, shown once; `Redacted.value` to hand it over
 * yield* keys.update({ hash: made.data.hash, disabled: true })
 * ```
 *
 * @since 0.1.0
 */
import type { HttpClientResponse } from "@effect/platform"
import { Effect, Either, Option, ParseResult, Schema, Stream } from "effect"
import { DeletedResponse, Offset } from "./Domain.ts"
import {
  BadRequestResponseError,
  ForbiddenResponseError,
  InternalServerResponseError,
  NotFoundResponseError,
  PaginationError,
  ResponseValidationError,
  TooManyRequestsResponseError,
  UnauthorizedResponseError
} from "./Errors.ts"
import { withStreamAccessors } from "./internal/accessors.ts"
import { declare, method, type MethodError, type OperationInput } from "./internal/declaration.ts"
import * as Op from "./internal/operation.ts"
import {
  type ApiKey,
  CreateKeyRequest,
  CreateKeyResponse,
  CurrentKeyResponse,
  KeyHash,
  KeyResponse,
  listKeysQuery,
  ListKeysResponse,
  UpdateKeyRequest,
  Uuid
} from "./KeysDomain.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"
import * as RetryPolicy from "./RetryPolicy.ts"

// --- the operations, each declared once (the key operations document 429) ------------------------------

const BadRequest = BadRequestResponseError
const Unauthorized = UnauthorizedResponseError
const Forbidden = ForbiddenResponseError
const NotFound = NotFoundResponseError
const TooMany = TooManyRequestsResponseError
const Internal = InternalServerResponseError
const byHash = { hash: KeyHash }

/**
 * @since 0.1.0
 * @category operations
 */
export const operations = {
  current: declare("Keys.current", {
    route: "GET /key",
    success: CurrentKeyResponse,
    errors: [Unauthorized, Internal]
  }),
  list: declare("Keys.list", {
    route: "GET /keys",
    query: listKeysQuery,
    success: ListKeysResponse,
    errors: [BadRequest, Unauthorized, TooMany, Internal]
  }),
  create: declare("Keys.create", {
    route: "POST /keys",
    body: CreateKeyRequest.fields,
    success: CreateKeyResponse,
    errors: [BadRequest, Unauthorized, Forbidden, TooMany, Internal]
  }),
  get: declare("Keys.get", {
    route: "GET /keys/:hash",
    path: byHash,
    success: KeyResponse,
    errors: [Unauthorized, NotFound, TooMany, Internal]
  }),
  update: declare("Keys.update", {
    route: "PATCH /keys/:hash",
    path: byHash,
    body: UpdateKeyRequest.fields,
    success: KeyResponse,
    errors: [BadRequest, Unauthorized, NotFound, TooMany, Internal]
  }),
  delete: declare("Keys.delete", {
    route: "DELETE /keys/:hash",
    path: byHash,
    success: DeletedResponse,
    errors: [Unauthorized, NotFound, TooMany, Internal]
  })
}

type Ops = typeof operations
/**
 * The error channel of a key operation: what the contract documents for it, plus transport and input errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type KeysError<K extends keyof Ops> = MethodError<Ops[K]>

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
export type ByHashOptions = Input<"get">

const StreamInput = Schema.Struct({
  workspaceId: Schema.optionalWith(Uuid, { exact: true }),
  includeDisabled: Schema.optionalWith(Schema.Boolean, { exact: true }),
  offset: Schema.optionalWith(Offset, { exact: true })
})
/**
 * @since 0.1.0
 * @category models
 */
export type StreamOptions = typeof StreamInput.Type

// --- create: the one body that carries a secret ------------------------------------------------------------

/** A schema issue named by its path only: the values (the secret among them) stay out of the error. */
const pathsOnly = (error: ParseResult.ParseError) =>
  [...new Set(ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.path.join(".") || "body"))]
    .map((path) => `${path}: does not match the API schema`)
    .join("; ")

/** Decode create's answer; a body that does not match is reported without any of its text. */
const readCreated = (spec: Op.RequestSpec) => (response: HttpClientResponse.HttpClientResponse) =>
  Effect.flatMap(
    Effect.mapError(response.text, (error) => Op.transportError(operations.create, spec, error)),
    (text): Effect.Effect<CreateKeyResponse, ResponseValidationError> => {
      const invalid = (issue: string) =>
        new ResponseValidationError({
          method: "POST",
          path: spec.path,
          status: response.status,
          snippet: "(withheld: this body carries a new API key)",
          issue
        })
      const json = Option.liftThrowable(JSON.parse)(text)
      if (Option.isNone(json)) return Effect.fail(invalid("not JSON"))
      const decoded = operations.create.decode(json.value)
      return Either.isRight(decoded) ? Effect.succeed(decoded.right) : Effect.fail(invalid(pathsOnly(decoded.left)))
    }
  )

// --- the service -----------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient
  const validateStream = Op.validate("Keys.stream", StreamInput)

  /** The calling key: whether it is a management key, its limit and usage. */
  const current = (): Effect.Effect<CurrentKeyResponse, KeysError<"current">> => method(client, operations.current)({})

  /** One page of a workspace's keys (default: the default workspace); the API has no limit and no total. */
  const list = (options: ListOptions = {}) => listPage(options)
  const listPage = method(client, operations.list)

  /**
   * Create a key. The answer's `key` is the plaintext secret, `Redacted`, returned this once. Never
   * replayed after an ambiguous failure (500/502/504, timeout, lost connection): a replay could mint a
   * second live key, and the first one's secret cannot be recovered; look for the name with `list`.
   */
  const create = (options: CreateOptions): Effect.Effect<CreateKeyResponse, KeysError<"create">> =>
    Effect.flatMap(operations.create.validate(options), (valid) => {
      const spec = operations.create.request(valid)
      return Op.retrying(client, Op.attemptWith(client, operations.create, spec, readCreated(spec)), {
        retryIf: (error) => !RetryPolicy.isAmbiguous(error)
      }).pipe(Op.withOperationSpan(operations.create, spec))
    })

  const get = method(client, operations.get)
  /** Rename, disable/enable, or change the limit. */
  const update = method(client, operations.update)
  const del = method(client, operations.delete)

  /** Pages of keys from `offset` on, fetched as pulled, until an empty page. */
  const pages = (options: StreamOptions = {}): Stream.Stream<ListKeysResponse, KeysError<"list"> | PaginationError> =>
    Stream.unwrap(Effect.map(validateStream(options), (input) => {
      const { offset, ...filter } = input
      return Stream.paginateEffect(
        { offset: offset ?? 0, previousFirst: undefined as string | undefined },
        ({ offset, previousFirst }) =>
          Effect.flatMap(list({ ...filter, offset }), (page) => {
            const first = page.data[0]?.hash
            if (first !== undefined && first === previousFirst) {
              // a server that ignores `offset` would otherwise be paged forever
              return Effect.fail(
                new PaginationError({ operation: "Keys.list", reason: `offset ${offset} returned the same page as the one before it` })
              )
            }
            const next = page.data.length === 0 ? Option.none() : Option.some({ offset: offset + page.data.length, previousFirst: first })
            return Effect.succeed([page, next] as const)
          })
      ).pipe(Stream.filter((page) => page.data.length > 0))
    }))

  /** Every key of a workspace (default: the default workspace), lazily. */
  const stream = (options: StreamOptions = {}): Stream.Stream<ApiKey, KeysError<"list"> | PaginationError> =>
    Stream.flattenIterables(Stream.map(pages(options), (page) => page.data))

  return { current, list, pages, stream, create, get, update, delete: del } as const
})

/**
 * The service; its static accessors run a method on the service in context: Effect methods as
 * Effects, Stream methods as Streams (`Keys.pages()`, `Keys.stream()`).
 *
 * @since 0.1.0
 * @category services
 */
export class Keys extends withStreamAccessors<Keys, Effect.Effect.Success<typeof make>>()(
  Effect.Service<Keys>()("openrouter-effect/Keys", { accessors: true, effect: make }),
  ["pages", "stream"]
) {}
