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
 * instead; `updateMapping` changes the role, and its members' roles follow). `createMapping` is not
 * replayed after an ambiguous failure (the replay of a mapping that was made answers 409): look with
 * `listMappings` instead. Deleting a mapping says what happens to its members: `keepMembers: false`
 * removes them, `true` keeps them.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { DeletedResponse, pagingQuery } from "./Domain.ts"
import {
  BadRequestResponseError as BadRequest,
  ConflictResponseError,
  InternalServerResponseError as Internal,
  NotFoundResponseError as NotFound,
  UnauthorizedResponseError as Unauthorized
} from "./Errors.ts"
import { crud, listing } from "./internal/crud.ts"
import { declare, type MethodError, type OperationInput } from "./internal/declaration.ts"
import * as Pagination from "./internal/pagination.ts"
import { Uuid } from "./KeysDomain.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"
import {
  CreateScimGroupMappingRequest,
  deleteMappingQuery,
  ListScimGroupMappingsResponse,
  ListScimGroupsResponse,
  ScimGroupMappingResponse,
  UpdateScimGroupMappingRequest
} from "./ScimDomain.ts"

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
 * The groups (a page, pages, a Stream of items) and the mappings (the same, and create, get, update, delete).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.map(OpenRouterClient, (client) => {
  const groups = listing(client, operations.listGroups, StreamInput)
  const mappings = crud(client, {
    list: operations.listMappings,
    create: operations.createMapping,
    get: operations.getMapping,
    update: operations.updateMapping,
    delete: operations.deleteMapping
  }, StreamInput)
  return {
    listGroups: groups.list,
    groupPages: groups.pages,
    streamGroups: groups.stream,
    listMappings: mappings.list,
    mappingPages: mappings.pages,
    streamMappings: mappings.stream,
    createMapping: mappings.create,
    getMapping: mappings.get,
    updateMapping: mappings.update,
    deleteMapping: mappings.delete
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
