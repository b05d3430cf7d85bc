/**
 * The `Scim` service: the groups an identity provider provisions through SCIM, and the mappings that
 * give a group's members a role in a workspace (list, create, get, update, delete).
 *
 * ```ts
 * const scim = yield* Scim.Scim
 * const group = (yield* scim.listGroups()).data.find((g) => g.displayName === "Data team")!
 * yield* scim.createMapping({ scimGroupId: group.id, workspaceId, role: "member" })
 * ```
 *
 * A group maps to a workspace once (a second mapping, whatever its role, is a 409: update the role
 * instead). Deleting a mapping says what happens to its members: `keepMembers: false` removes them.
 *
 * @since 0.1.0
 */
import { Effect, Schema, type Stream } from "effect"
import { DeletedResponse, pagingQuery } from "./Domain.ts"
import {
  BadRequestResponseError,
  ConflictResponseError,
  InternalServerResponseError,
  NotFoundResponseError,
  type PaginationError,
  UnauthorizedResponseError
} from "./Errors.ts"
import { declare, method, type MethodError, type OperationInput } from "./internal/declaration.ts"
import * as Op from "./internal/operation.ts"
import * as Pagination from "./internal/pagination.ts"
import { Uuid } from "./KeysDomain.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"
import * as RetryPolicy from "./RetryPolicy.ts"
import {
  CreateScimGroupMappingRequest,
  deleteMappingQuery,
  ListScimGroupMappingsResponse,
  ListScimGroupsResponse,
  ScimGroupMappingResponse,
  UpdateScimGroupMappingRequest
} from "./ScimDomain.ts"

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
  listGroups: declare("Scim.listGroups", {
    route: "GET /scim/groups",
    query: pagingQuery,
    success: ListScimGroupsResponse,
    errors: [Unauthorized, NotFound, Internal]
  }),
  listMappings: declare("Scim.listMappings", {
    route: "GET /scim/group-mappings",
    query: pagingQuery,
    success: ListScimGroupMappingsResponse,
    errors: [Unauthorized, NotFound, Internal]
  }),
  createMapping: declare("Scim.createMapping", {
    route: "POST /scim/group-mappings",
    body: CreateScimGroupMappingRequest.fields,
    success: ScimGroupMappingResponse,
    errors: [BadRequest, Unauthorized, NotFound, ConflictResponseError, Internal]
  }),
  getMapping: declare("Scim.getMapping", {
    route: "GET /scim/group-mappings/:id",
    path: byId,
    success: ScimGroupMappingResponse,
    errors: [Unauthorized, NotFound, Internal]
  }),
  updateMapping: declare("Scim.updateMapping", {
    route: "PATCH /scim/group-mappings/:id",
    path: byId,
    body: UpdateScimGroupMappingRequest.fields,
    success: ScimGroupMappingResponse,
    errors: [BadRequest, Unauthorized, NotFound, Internal]
  }),
  deleteMapping: declare("Scim.deleteMapping", {
    route: "DELETE /scim/group-mappings/:id",
    path: byId,
    query: deleteMappingQuery,
    success: DeletedResponse,
    errors: [BadRequest, Unauthorized, NotFound, Internal]
  })
}

type Ops = typeof operations
/**
 * The error channel of a SCIM operation: what the contract documents for it, plus transport and input errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type ScimError<K extends keyof Ops> = MethodError<Ops[K]>

type Input<K extends keyof Ops> = OperationInput<Ops[K]>
/**
 * @since 0.1.0
 * @category models
 */
export type PageOptions = Input<"listGroups">
/**
 * @since 0.1.0
 * @category models
 */
export type CreateMappingOptions = Input<"createMapping">
/**
 * @since 0.1.0
 * @category models
 */
export type UpdateMappingOptions = Input<"updateMapping">
/**
 * @since 0.1.0
 * @category models
 */
export type DeleteMappingOptions = Input<"deleteMapping">
/**
 * @since 0.1.0
 * @category models
 */
export type ByIdOptions = Input<"getMapping">

const StreamInput = Schema.Struct(Pagination.streamPaging)
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

  const groupsPage = method(client, operations.listGroups)
  const mappingsPage = method(client, operations.listMappings)
  /** One page of the organisation's SCIM groups: `{ data, totalCount }`. */
  const listGroups = (options: PageOptions = {}) => groupsPage(options)
  /** One page of the group → workspace mappings: `{ data, totalCount }`. */
  const listMappings = (options: PageOptions = {}) => mappingsPage(options)

  const groupPagesOf = Pagination.validatedPages("Scim.listGroups", StreamInput, (_, page) => listGroups(page))
  const mappingPagesOf = Pagination.validatedPages("Scim.listMappings", StreamInput, (_, page) => listMappings(page))
  const groupPages = (options: StreamOptions = {}): Stream.Stream<ListScimGroupsResponse, ScimError<"listGroups"> | PaginationError> =>
    groupPagesOf(options)
  const mappingPages = (
    options: StreamOptions = {}
  ): Stream.Stream<ListScimGroupMappingsResponse, ScimError<"listMappings"> | PaginationError> => mappingPagesOf(options)
  /** Every SCIM group, lazily. */
  const streamGroups = (options: StreamOptions = {}) => Pagination.items(groupPages(options))
  /** Every mapping, lazily. */
  const streamMappings = (options: StreamOptions = {}) => Pagination.items(mappingPages(options))

  /**
   * Map a group to a workspace with a role. Not replayed after an ambiguous failure: the replay of a
   * mapping that was made answers 409, so look with `listMappings` instead.
   */
  const createMapping = (options: CreateMappingOptions): Effect.Effect<ScimGroupMappingResponse, ScimError<"createMapping">> =>
    Effect.flatMap(operations.createMapping.validate(options), (valid) => {
      const spec = operations.createMapping.request(valid)
      return Op.retrying(
        client,
        Op.attemptWith(client, operations.createMapping, spec, Op.decodeBody(client, operations.createMapping, spec)),
        { retryIf: (error) => !RetryPolicy.isAmbiguous(error) }
      ).pipe(Op.withOperationSpan(operations.createMapping, spec))
    })
  const getMapping = method(client, operations.getMapping)
  /** Change the role the mapping gives (its members' roles follow). */
  const updateMapping = method(client, operations.updateMapping)
  /** Delete a mapping: `keepMembers: false` also removes the members it granted, `true` keeps them. */
  const deleteMapping = method(client, operations.deleteMapping)

  return {
    listGroups,
    groupPages,
    streamGroups,
    listMappings,
    mappingPages,
    streamMappings,
    createMapping,
    getMapping,
    updateMapping,
    deleteMapping
  } as const
})

/**
 * @since 0.1.0
 * @category services
 */
export class Scim extends Effect.Service<Scim>()("openrouter-effect/Scim", {
  accessors: true,
  effect: make
}) {}
