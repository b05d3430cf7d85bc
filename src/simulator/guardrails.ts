/** The simulator's guardrail and assignment endpoints, routed from the client's declarations. */
import { DeletedResponse } from "../Domain.ts"
import * as Guardrails from "../Guardrails.ts"
import {
  AssignedResponse,
  type Guardrail,
  GuardrailResponse,
  type KeyAssignment,
  ListGuardrailsResponse,
  ListKeyAssignmentsResponse,
  ListMemberAssignmentsResponse,
  type MemberAssignment,
  UnassignedResponse
} from "../GuardrailsDomain.ts"
import { Refusal } from "./access.ts"
import { encoder, type Env, json } from "./http.ts"
import { routes } from "./router.ts"

const encodeList = encoder(ListGuardrailsResponse)
const encodeOne = encoder(GuardrailResponse)
const encodeDeleted = encoder(DeletedResponse)
const encodeMembers = encoder(ListMemberAssignmentsResponse)
const encodeKeys = encoder(ListKeyAssignmentsResponse)
const encodeAssigned = encoder(AssignedResponse)
const encodeUnassigned = encoder(UnassignedResponse)

interface Paging {
  readonly offset?: number
  readonly limit?: number
}

/** One page of `all` and its total (offset/limit, limit 50 by default as documented). */
const page = <A>(all: ReadonlyArray<A>, query: Paging) => {
  const offset = query.offset ?? 0
  return { data: all.slice(offset, offset + (query.limit ?? 50)), totalCount: all.length }
}

const one = (guardrail: Guardrail) => json(encodeOne(new GuardrailResponse({ data: guardrail }, true)))
const assigned = (assignedCount: number) => json(encodeAssigned(new AssignedResponse({ assignedCount }, true)))
const unassigned = (unassignedCount: number) => json(encodeUnassigned(new UnassignedResponse({ unassignedCount }, true)))
const members = (all: ReadonlyArray<MemberAssignment>, query: Paging) =>
  json(encodeMembers(new ListMemberAssignmentsResponse(page(all, query), true)))
const keys = (all: ReadonlyArray<KeyAssignment>, query: Paging) => json(encodeKeys(new ListKeyAssignmentsResponse(page(all, query), true)))

export const guardrailRoutes = routes<typeof Guardrails.operations, Env>(Guardrails.operations, {
  list: ({ env: { state }, fail, query }) => {
    const all = state.guardrails.listGuardrails(query.workspaceId)
    return all instanceof Refusal ? fail(all.status, all.message) : json(encodeList(new ListGuardrailsResponse(page(all, query), true)))
  },
  create: ({ body, env: { state }, fail }) => {
    const made = state.guardrails.createGuardrail(body)
    return made instanceof Refusal ? fail(made.status, made.message) : json(encodeOne(new GuardrailResponse({ data: made }, true)), 201)
  },
  get: ({ env: { state }, fail, params }) => {
    const found = state.guardrails.getGuardrail(params.id)
    return found instanceof Refusal ? fail(found.status, found.message) : one(found)
  },
  update: ({ body, env: { state }, fail, params }) => {
    const updated = state.guardrails.updateGuardrail(params.id, body)
    return updated instanceof Refusal ? fail(updated.status, updated.message) : one(updated)
  },
  delete: ({ env: { state }, fail, params }) => {
    const done = state.guardrails.deleteGuardrail(params.id)
    return done instanceof Refusal ? fail(done.status, done.message) : json(encodeDeleted(new DeletedResponse({ deleted: true }, true)))
  },
  listMemberAssignments: ({ env: { state }, fail, params, query }) => {
    const all = state.guardrails.memberAssignmentsOf(params.id)
    return all instanceof Refusal ? fail(all.status, all.message) : members(all, query)
  },
  listKeyAssignments: ({ env: { state }, fail, params, query }) => {
    const all = state.guardrails.keyAssignmentsOf(params.id)
    return all instanceof Refusal ? fail(all.status, all.message) : keys(all, query)
  },
  listAllMemberAssignments: ({ env: { state }, query }) => members(state.guardrails.allMemberAssignments(), query),
  listAllKeyAssignments: ({ env: { state }, query }) => keys(state.guardrails.allKeyAssignments(), query),
  assignMembers: ({ body, env: { state }, fail, params }) => {
    const count = state.guardrails.assignMembers(params.id, body.memberUserIds)
    return count instanceof Refusal ? fail(count.status, count.message) : assigned(count)
  },
  unassignMembers: ({ body, env: { state }, fail, params }) => {
    const count = state.guardrails.unassignMembers(params.id, body.memberUserIds)
    return count instanceof Refusal ? fail(count.status, count.message) : unassigned(count)
  },
  assignKeys: ({ body, env: { state }, fail, params }) => {
    const count = state.guardrails.assignKeys(params.id, body.keyHashes)
    return count instanceof Refusal ? fail(count.status, count.message) : assigned(count)
  },
  unassignKeys: ({ body, env: { state }, fail, params }) => {
    const count = state.guardrails.unassignKeys(params.id, body.keyHashes)
    return count instanceof Refusal ? fail(count.status, count.message) : unassigned(count)
  }
})
