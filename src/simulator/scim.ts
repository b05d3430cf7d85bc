/** The simulator's SCIM endpoints, routed from the client's declarations (the rules: scim-state.ts). */
import { DeletedResponse } from "../Domain.ts"
import * as Scim from "../Scim.ts"
import { ListScimGroupMappingsResponse, ListScimGroupsResponse, ScimGroupMappingResponse } from "../ScimDomain.ts"
import { encoder, type Env, json } from "./http.ts"
import { routes } from "./router.ts"
import { isRefused } from "./scim-state.ts"

const encodeGroups = encoder(ListScimGroupsResponse)
const encodeMappings = encoder(ListScimGroupMappingsResponse)
const encodeOne = encoder(ScimGroupMappingResponse)
const encodeDeleted = encoder(DeletedResponse)

const page = <A>(all: ReadonlyArray<A>, query: { readonly offset?: number; readonly limit?: number }) => {
  const offset = query.offset ?? 0
  return { data: all.slice(offset, offset + (query.limit ?? 50)), totalCount: all.length }
}

export const scimRoutes = routes<typeof Scim.operations, Env>(Scim.operations, {
  listGroups: ({ env: { scim }, query }) => json(encodeGroups(new ListScimGroupsResponse(page([...scim.groups.values()], query), true))),
  listMappings: ({ env: { scim }, query }) => json(encodeMappings(new ListScimGroupMappingsResponse(page([...scim.mappings.values()], query), true))),
  createMapping: ({ body, env: { scim }, fail }) => {
    const made = scim.create(body)
    return isRefused(made) ? fail(made.status as 404 | 409, made.message) : json(encodeOne(new ScimGroupMappingResponse({ data: made }, true)), 201)
  },
  getMapping: ({ env: { scim }, fail, params }) => {
    const found = scim.get(params.id)
    return isRefused(found) ? fail(404, found.message) : json(encodeOne(new ScimGroupMappingResponse({ data: found }, true)))
  },
  updateMapping: ({ body, env: { scim }, fail, params }) => {
    const updated = scim.update(params.id, body.role)
    return isRefused(updated) ? fail(404, updated.message) : json(encodeOne(new ScimGroupMappingResponse({ data: updated }, true)))
  },
  deleteMapping: ({ env: { scim }, fail, params, query }) => {
    const done = scim.delete(params.id, query.keepMembers)
    return isRefused(done) ? fail(404, done.message) : json(encodeDeleted(new DeletedResponse({ deleted: true }, true)))
  }
})
