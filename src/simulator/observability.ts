/** The simulator's observability endpoints, routed from the client's declarations (the rules: observability-state.ts). */
import { DeletedResponse } from "../Domain.ts"
import * as Observability from "../Observability.ts"
import { Destination, DestinationResponse, ListDestinationsResponse } from "../ObservabilityDomain.ts"
import { encoder, type Env, json } from "./http.ts"
import { isRefused } from "./observability-state.ts"
import { routes } from "./router.ts"

const encodeList = encoder(ListDestinationsResponse)
const encodeOne = encoder(DestinationResponse)
const encodeDeleted = encoder(DeletedResponse)
const one = (destination: Destination, status = 200) => json(encodeOne(new DestinationResponse({ data: destination }, true)), status)

export const observabilityRoutes = routes<typeof Observability.operations, Env>(Observability.operations, {
  list: ({ env: { observability }, fail, query }) => {
    const all = observability.list(query.workspaceId)
    if (isRefused(all)) return fail(400, all.message)
    const offset = query.offset ?? 0
    return json(
      encodeList(new ListDestinationsResponse({ data: all.slice(offset, offset + (query.limit ?? 50)), totalCount: all.length }, true))
    )
  },
  create: ({ body, env: { observability }, fail }) => {
    const made = observability.create(body)
    return isRefused(made) ? fail(made.status as 400 | 409, made.message) : one(made, 201)
  },
  get: ({ env: { observability }, fail, params }) => {
    const found = observability.get(params.id)
    return isRefused(found) ? fail(404, found.message) : one(found)
  },
  update: ({ body, env: { observability }, fail, params }) => {
    const updated = observability.update(params.id, body)
    return isRefused(updated) ? fail(updated.status, updated.message) : one(updated)
  },
  delete: ({ env: { observability }, fail, params }) => {
    const done = observability.delete(params.id)
    return isRefused(done) ? fail(404, done.message) : json(encodeDeleted(new DeletedResponse({ deleted: true }, true)))
  }
})
