/** The simulator's API key endpoints (`GET /key`, `/keys`), routed from the client's declarations. */
import { Redacted } from "effect"
import { DeletedResponse } from "../Domain.ts"
import * as Keys from "../Keys.ts"
import { CreateKeyResponse, CurrentKeyResponse, KeyResponse, ListKeysResponse } from "../KeysDomain.ts"
import { Refusal } from "./access.ts"
import { encoder, type Env, json } from "./http.ts"
import { routes } from "./router.ts"

const encodeCurrent = encoder(CurrentKeyResponse)
const encodeList = encoder(ListKeysResponse)
const encodeKey = encoder(KeyResponse)
const encodeCreated = encoder(CreateKeyResponse)
const encodeDeleted = encoder(DeletedResponse)

/** The bearer token of a request ("" when there is none). */
const tokenOf = (authorization: string | undefined) => authorization?.startsWith("Bearer ") ? authorization.slice(7) : ""

export const keyRoutes = routes<typeof Keys.operations, Env>(Keys.operations, {
  current: ({ env: { state }, request }) =>
    json(
      encodeCurrent(
        new CurrentKeyResponse(
          { data: state.keys.currentKey(state.keys.callers.get(tokenOf(request.headers["authorization"])) ?? "inference") },
          true
        )
      )
    ),
  list: ({ env: { state }, fail, query }) => {
    const page = state.keys.listKeys(query)
    return page instanceof Refusal ? fail(page.status, page.message) : json(encodeList(new ListKeysResponse({ data: page }, true)))
  },
  create: ({ body, env: { state }, fail }) => {
    const made = state.keys.createKey(body)
    if (made instanceof Refusal) return fail(made.status, made.message)
    return json(encodeCreated(new CreateKeyResponse({ data: made.key, key: Redacted.make(made.secret) }, true)), 201)
  },
  get: ({ env: { state }, fail, params }) => {
    const key = state.keys.getKey(params.hash)
    return key instanceof Refusal ? fail(key.status, key.message) : json(encodeKey(new KeyResponse({ data: key }, true)))
  },
  update: ({ body, env: { state }, fail, params }) => {
    const key = state.keys.updateKey(params.hash, body)
    return key instanceof Refusal ? fail(key.status, key.message) : json(encodeKey(new KeyResponse({ data: key }, true)))
  },
  delete: ({ env: { state }, fail, params }) => {
    const done = state.keys.deleteKey(params.hash)
    return done instanceof Refusal ? fail(done.status, done.message) : json(encodeDeleted(new DeletedResponse({ deleted: true }, true)))
  }
})
