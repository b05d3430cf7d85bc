/**
 * The `Guardrails` service: guardrails (spend limits, provider and model rules, data policies) and
 * their assignments to organisation members and API keys, with typed errors per operation and lazy
 * Streams over every listing.
 *
 * ```ts
 * const guardrails = yield* Guardrails.Guardrails
 * const made = yield* guardrails.create({ name: "team-a", workspaceId, limitUsd: 100, resetInterval: "monthly" })
 * yield* guardrails.assignMembers({ id: made.data.id, memberUserIds: ["user_…"] })
 * ```
 *
 * A new guardrail enforces nothing until it is assigned. A key holds at most one guardrail and a member
 * at most one direct guardrail per workspace: assigning replaces the previous one.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { DeletedResponse, pagingQuery } from "./Domain.ts"
import {
  BadRequestResponseError as BadRequest,
  ForbiddenResponseError as Forbidden,
  InternalServerResponseError as Internal,
  NotFoundResponseError as NotFound,
  UnauthorizedResponseError as Unauthorized
} from "./Errors.ts"
import {
  AssignedResponse,
  BulkKeyAssignmentsRequest,
  BulkMemberAssignmentsRequest,
  CreateGuardrailRequest,
  GuardrailResponse,
  listGuardrailsQuery,
  ListGuardrailsResponse,
  ListKeyAssignmentsResponse,
  ListMemberAssignmentsResponse,
  UnassignedResponse,
  UpdateGuardrailRequest
} from "./GuardrailsDomain.ts"
import { withStreamAccessors } from "./internal/accessors.ts"
import { declare, method, type MethodError, type OperationInput } from "./internal/declaration.ts"
import * as Pagination from "./internal/pagination.ts"
import { Uuid } from "./KeysDomain.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

// --- the operations, each declared once (the guardrail operations document no 429) -------------------

const byId = { id: Uuid }

/**
 * @since 0.1.0
 * @category operations
 */
export const operations = {
  list: declare("Guardrails.list", {
    route: "GET /guardrails",
    query: listGuardrailsQuery,
    success: ListGuardrailsResponse,
    errors: [BadRequest, Unauthorized, Internal]
  }),
  create: declare("Guardrails.create", {
    route: "POST /guardrails",
    body: CreateGuardrailRequest.fields,
    success: GuardrailResponse,
    errors: [BadRequest, Unauthorized, Forbidden, Internal]
  }),
  get: declare("Guardrails.get", {
    route: "GET /guardrails/:id",
    path: byId,
    success: GuardrailResponse,
    errors: [Unauthorized, NotFound, Internal]
  }),
  update: declare("Guardrails.update", {
    route: "PATCH /guardrails/:id",
    path: byId,
    body: UpdateGuardrailRequest.fields,
    success: GuardrailResponse,
    errors: [BadRequest, Unauthorized, NotFound, Internal]
  }),
  delete: declare("Guardrails.delete", {
    route: "DELETE /guardrails/:id",
    path: byId,
    success: DeletedResponse,
    errors: [Unauthorized, NotFound, Internal]
  }),
  listKeyAssignments: declare("Guardrails.listKeyAssignments", {
    route: "GET /guardrails/:id/assignments/keys",
    path: byId,
    query: pagingQuery,
    success: ListKeyAssignmentsResponse,
    errors: [Unauthorized, NotFound, Internal]
  }),
  assignKeys: declare("Guardrails.assignKeys", {
    route: "POST /guardrails/:id/assignments/keys",
    path: byId,
    body: BulkKeyAssignmentsRequest.fields,
    success: AssignedResponse,
    errors: [BadRequest, Unauthorized, NotFound, Internal]
  }),
  unassignKeys: declare("Guardrails.unassignKeys", {
    route: "POST /guardrails/:id/assignments/keys/remove",
    path: byId,
    body: BulkKeyAssignmentsRequest.fields,
    success: UnassignedResponse,
    errors: [BadRequest, Unauthorized, NotFound, Internal]
  }),
  listMemberAssignments: declare("Guardrails.listMemberAssignments", {
    route: "GET /guardrails/:id/assignments/members",
    path: byId,
    query: pagingQuery,
    success: ListMemberAssignmentsResponse,
    errors: [Unauthorized, NotFound, Internal]
  }),
  assignMembers: declare("Guardrails.assignMembers", {
    route: "POST /guardrails/:id/assignments/members",
    path: byId,
    body: BulkMemberAssignmentsRequest.fields,
    success: AssignedResponse,
    errors: [BadRequest, Unauthorized, NotFound, Internal]
  }),
  unassignMembers: declare("Guardrails.unassignMembers", {
    route: "POST /guardrails/:id/assignments/members/remove",
    path: byId,
    body: BulkMemberAssignmentsRequest.fields,
    success: UnassignedResponse,
    errors: [BadRequest, Unauthorized, NotFound, Internal]
  }),
  listAllKeyAssignments: declare("Guardrails.listAllKeyAssignments", {
    route: "GET /guardrails/assignments/keys",
    query: pagingQuery,
    success: ListKeyAssignmentsResponse,
    errors: [Unauthorized, Internal]
  }),
  listAllMemberAssignments: declare("Guardrails.listAllMemberAssignments", {
    route: "GET /guardrails/assignments/members",
    query: pagingQuery,
    success: ListMemberAssignmentsResponse,
    errors: [Unauthorized, Internal]
  })
}

type Ops = typeof operations
/**
 * The error channel of a guardrail operation: what the contract documents for it, plus transport and input errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type GuardrailsError<K extends keyof Ops> = MethodError<Ops[K]>

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
/**
 * @since 0.1.0
 * @category models
 */
export type AssignmentsPageOptions = Input<"listMemberAssignments">
/**
 * @since 0.1.0
 * @category models
 */
export type AllAssignmentsPageOptions = Input<"listAllMemberAssignments">
/**
 * @since 0.1.0
 * @category models
 */
export type MembersOptions = Input<"assignMembers">
/**
 * @since 0.1.0
 * @category models
 */
export type KeysOptions = Input<"assignKeys">

const StreamInput = Schema.Struct({ ...Pagination.streamPaging, workspaceId: Schema.optionalWith(Uuid, { exact: true }) })
const StreamAssignmentsInput = Schema.Struct({ ...Pagination.streamPaging, ...byId })
const StreamAllInput = Schema.Struct(Pagination.streamPaging)
/**
 * @since 0.1.0
 * @category models
 */
export type StreamOptions = typeof StreamInput.Type
/**
 * @since 0.1.0
 * @category models
 */
export type StreamAssignmentsOptions = typeof StreamAssignmentsInput.Type
/**
 * @since 0.1.0
 * @category models
 */
export type StreamAllOptions = typeof StreamAllInput.Type

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient

  /** A lazy Stream of the items of an offset/limit listing, its options validated before the first page. */
  const streamOf = <I extends { readonly offset?: number; readonly pageSize?: number }, P extends Pagination.OffsetPage<any>, E>(
    name: string,
    schema: Schema.Schema<I, any>,
    fetch: (input: I, page: { readonly offset: number; readonly limit: number }) => Effect.Effect<P, E>
  ) => {
    const pages = Pagination.validatedPages(name, schema, fetch)
    return (options: I) => Pagination.items(pages(options))
  }

  /** One page of a workspace's guardrails (default: the default workspace): `{ data, totalCount }`. */
  const list = (options: ListOptions = {}) => listPage(options)
  const listPage = method(client, operations.list)

  /**
   * Create a guardrail (it enforces nothing until assigned). Not replayed after an ambiguous failure
   * (names need not be unique, so a replay could leave a twin): look for it with `list` instead.
   */
  const create: (options: CreateOptions) => Effect.Effect<GuardrailResponse, GuardrailsError<"create">> = method(
    client,
    operations.create,
    { replayAmbiguous: false }
  )

  const get = method(client, operations.get)
  /** Update a guardrail (collections replace: send the full set), or materialise a workspace's default guardrail. */
  const update = method(client, operations.update)
  const del = method(client, operations.delete)

  const listMemberAssignments = method(client, operations.listMemberAssignments)
  const listKeyAssignments = method(client, operations.listKeyAssignments)
  const listAllMemberAssignments = (options: AllAssignmentsPageOptions = {}) => allMembersPage(options)
  const allMembersPage = method(client, operations.listAllMemberAssignments)
  const listAllKeyAssignments = (options: AllAssignmentsPageOptions = {}) => allKeysPage(options)
  const allKeysPage = method(client, operations.listAllKeyAssignments)

  /** Assign members (all organisation members; of the guardrail's workspace unless it is the default one). */
  const assignMembers = method(client, operations.assignMembers)
  const unassignMembers = method(client, operations.unassignMembers)
  /** Assign keys; a key's previous guardrail is replaced. */
  const assignKeys = method(client, operations.assignKeys)
  const unassignKeys = method(client, operations.unassignKeys)

  const streamGuardrails = streamOf(
    "Guardrails.list",
    StreamInput,
    ({ workspaceId }, page) => list({ ...(workspaceId !== undefined ? { workspaceId } : {}), ...page })
  )
  /** Every guardrail of a workspace (default: the default workspace), lazily. */
  const stream = (options: StreamOptions = {}) => streamGuardrails(options)

  /** Every member assignment of one guardrail, lazily. */
  const streamMemberAssignments = streamOf(
    "Guardrails.listMemberAssignments",
    StreamAssignmentsInput,
    ({ id }, page) => listMemberAssignments({ id, ...page })
  )
  /** Every key assignment of one guardrail, lazily. */
  const streamKeyAssignments = streamOf(
    "Guardrails.listKeyAssignments",
    StreamAssignmentsInput,
    ({ id }, page) => listKeyAssignments({ id, ...page })
  )
  const streamAllMembers = streamOf("Guardrails.listAllMemberAssignments", StreamAllInput, (_, page) => listAllMemberAssignments(page))
  const streamAllKeys = streamOf("Guardrails.listAllKeyAssignments", StreamAllInput, (_, page) => listAllKeyAssignments(page))
  /** Every member assignment in the organisation, lazily. */
  const streamAllMemberAssignments = (options: StreamAllOptions = {}) => streamAllMembers(options)
  /** Every key assignment in the organisation, lazily. */
  const streamAllKeyAssignments = (options: StreamAllOptions = {}) => streamAllKeys(options)

  return {
    list,
    stream,
    create,
    get,
    update,
    delete: del,
    assignMembers,
    unassignMembers,
    assignKeys,
    unassignKeys,
    listMemberAssignments,
    listKeyAssignments,
    listAllMemberAssignments,
    listAllKeyAssignments,
    streamMemberAssignments,
    streamKeyAssignments,
    streamAllMemberAssignments,
    streamAllKeyAssignments
  } as const
})

/**
 * The service; its static accessors run a method on the service in context: Effect methods as
 * Effects, Stream methods as Streams (`Guardrails.stream()`, `Guardrails.streamMemberAssignments({ id })`, …).
 *
 * @since 0.1.0
 * @category services
 */
export class Guardrails extends withStreamAccessors<Guardrails, Effect.Effect.Success<typeof make>>()(
  Effect.Service<Guardrails>()("openrouter-effect/Guardrails", { accessors: true, effect: make }),
  [
    "stream",
    "streamMemberAssignments",
    "streamKeyAssignments",
    "streamAllMemberAssignments",
    "streamAllKeyAssignments"
  ]
) {}
