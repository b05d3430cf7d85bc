/** The simulator's BYOK endpoints, routed from the client's declarations (the rules: byok-state.ts). */
import * as Byok from "../Byok.ts"
import { ByokKeyResponse, ListByokKeysResponse } from "../ByokDomain.ts"
import { DeletedResponse } from "../Domain.ts"
import { isRefused } from "./byok-state.ts"
import { encoder, type Env, json } from "./http.ts"
import { routes } from "./router.ts"

const encodeList = encoder(ListByokKeysResponse)
const encodeOne = encoder(ByokKeyResponse)
const encodeDeleted = encoder(DeletedResponse)

export const byokRoutes = routes<typeof Byok.operations, Env>(Byok.operations, {
  list: ({ env: { byok }, fail, query }) => {
    const all = byok.list(query)
    if (isRefused(all)) return fail(all.status as 400, all.message)
    const offset = query.offset ?? 0
    return json(encodeList(new ListByokKeysResponse({ data: all.slice(offset, offset + (query.limit ?? 50)), totalCount: all.length }, true)))
  },
  create: ({ body, env: { byok }, fail }) => {
    const made = byok.create(body)
    return isRefused(made) ? fail(made.status as 400, made.message) : json(encodeOne(new ByokKeyResponse({ data: made }, true)), 201)
  },
  get: ({ env: { byok }, fail, params }) => {
    const found = byok.get(params.id)
    return isRefused(found) ? fail(404, found.message) : json(encodeOne(new ByokKeyResponse({ data: found }, true)))
  },
  update: ({ body, env: { byok }, fail, params }) => {
    const updated = byok.update(params.id, body)
    return isRefused(updated) ? fail(updated.status, updated.message) : json(encodeOne(new ByokKeyResponse({ data: updated }, true)))
  },
  delete: ({ env: { byok }, fail, params }) => {
    const done = byok.delete(params.id)
    return isRefused(done) ? fail(404, done.message) : json(encodeDeleted(new DeletedResponse({ deleted: true }, true)))
  }
})
