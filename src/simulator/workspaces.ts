/** The simulator's workspace, budget, member and organization endpoints. */
import type { HttpServerResponse } from "@effect/platform"
import { Effect, Either, Schema } from "effect"
import {
  BudgetInterval,
  BulkAddWorkspaceMembersResponse,
  BulkMembersRequest,
  BulkRemoveWorkspaceMembersResponse,
  CreateWorkspaceRequest,
  DeletedResponse,
  ListOrganizationMembersResponse,
  ListWorkspaceBudgetsResponse,
  ListWorkspaceMembersResponse,
  ListWorkspacesResponse,
  UpdateWorkspaceRequest,
  UpsertWorkspaceBudgetRequest,
  Workspace,
  WorkspaceBudgetResponse,
  WorkspaceResponse
} from "../Domain.ts"
import { decoder, encoder, failure, json, jsonText, paging } from "./http.ts"
import { budgetViolation, type OrganizationState } from "./state.ts"
import { uuid } from "./random.ts"

/** A matched route: whether the operation documents 403, and how to answer it. */
export interface Matched {
  readonly documents403: boolean
  readonly handle: Effect.Effect<HttpServerResponse.HttpServerResponse>
}

export interface RouteInput {
  readonly state: OrganizationState
  readonly method: string
  readonly segments: ReadonlyArray<string>
  readonly query: URLSearchParams
  /** The parsed JSON body (`undefined` if absent or not JSON). */
  readonly body: Effect.Effect<unknown>
}

const encodeWorkspace = encoder(WorkspaceResponse)
const encodeList = encoder(ListWorkspacesResponse)
const encodeDeleted = encoder(DeletedResponse)
const encodeBudgets = encoder(ListWorkspaceBudgetsResponse)
const encodeBudget = encoder(WorkspaceBudgetResponse)
const encodeMembers = encoder(ListWorkspaceMembersResponse)
const encodeAdded = encoder(BulkAddWorkspaceMembersResponse)
const encodeRemoved = encoder(BulkRemoveWorkspaceMembersResponse)
const encodeOrgMembers = encoder(ListOrganizationMembersResponse)
const decodeCreate = decoder(Schema.Struct(CreateWorkspaceRequest.fields))
const decodeUpdate = decoder(Schema.Struct(UpdateWorkspaceRequest.fields))
const decodeBudget = decoder(Schema.Struct(UpsertWorkspaceBudgetRequest.fields))
const decodeBulk = decoder(Schema.Struct(BulkMembersRequest.fields))
const isInterval = Schema.is(BudgetInterval)

const notFound = (what: string) => failure(404, `${what} not found`)

const workspaceJson = (state: OrganizationState, workspace: Workspace) => {
  let text = state.workspaceJson.get(workspace.id)
  if (text === undefined) {
    text = JSON.stringify(encodeWorkspace(new WorkspaceResponse({ data: workspace }, true)))
    state.workspaceJson.set(workspace.id, text)
  }
  return text
}

const slugTaken = (state: OrganizationState, slug: string, except?: string) =>
  [...state.workspaces.values()].some((w) => w.slug === slug && w.id !== except)

export const route = (input: RouteInput): Matched | undefined => {
  const { body, method, query, segments, state } = input
  const [root, id, sub, arg, extra] = segments

  if (root === "organization" && id === "members" && sub === undefined && method === "GET") {
    return {
      documents403: false,
      handle: Effect.sync(() => {
        const page = paging(query, { limit: 50, max: 100 })
        if (typeof page === "string") return failure(400, page)
        const data = state.members.slice(page.offset, page.offset + page.limit)
        return json(encodeOrgMembers(new ListOrganizationMembersResponse({ data, totalCount: state.members.length }, true)))
      })
    }
  }
  if (root !== "workspaces" || extra !== undefined) return undefined

  if (id === undefined) {
    if (method === "GET") {
      return {
        documents403: false,
        handle: Effect.sync(() => {
          const page = paging(query, { limit: 50, max: 100 })
          if (typeof page === "string") return failure(400, page)
          const all = [...state.workspaces.values()]
          const data = all.slice(page.offset, page.offset + page.limit)
          return json(encodeList(new ListWorkspacesResponse({ data, totalCount: all.length }, true)))
        })
      }
    }
    if (method === "POST") {
      return {
        documents403: true,
        handle: Effect.map(body, (raw) => {
          const decoded = decodeCreate(raw)
          if (Either.isLeft(decoded)) return failure(400, decoded.left)
          const request = decoded.right
          if (slugTaken(state, request.slug)) return failure(400, `A workspace with slug "${request.slug}" already exists`)
          const workspace = new Workspace({
            id: uuid(state.random),
            defaultGuardrailId: uuid(state.random),
            name: request.name,
            slug: request.slug,
            description: request.description ?? null,
            defaultTextModel: request.defaultTextModel ?? null,
            defaultImageModel: request.defaultImageModel ?? null,
            defaultProviderSort: request.defaultProviderSort ?? null,
            isObservabilityIoLoggingEnabled: request.isObservabilityIoLoggingEnabled ?? false,
            isObservabilityBroadcastEnabled: request.isObservabilityBroadcastEnabled ?? false,
            isDataDiscountLoggingEnabled: request.isDataDiscountLoggingEnabled ?? false,
            ioLoggingSamplingRate: request.ioLoggingSamplingRate ?? 1,
            ioLoggingApiKeyIds: request.ioLoggingApiKeyIds ?? null,
            includeByokInBudgets: false,
            createdAt: new Date().toISOString(),
            updatedAt: null,
            createdBy: state.members[0]?.id ?? null
          })
          state.put(workspace)
          state.budgets.set(workspace.id, new Map())
          state.workspaceMembers.set(workspace.id, new Map())
          return jsonText(workspaceJson(state, workspace), 201)
        })
      }
    }
    return undefined
  }

  const withWorkspace = (
    documents403: boolean,
    f: (workspace: Workspace) => Effect.Effect<HttpServerResponse.HttpServerResponse>
  ): Matched => ({
    documents403,
    handle: Effect.suspend(() => {
      const workspace = state.find(decodeURIComponent(id))
      return workspace ? f(workspace) : Effect.succeed(notFound("Workspace"))
    })
  })

  if (sub === undefined) {
    if (method === "GET") return withWorkspace(false, (w) => Effect.succeed(jsonText(workspaceJson(state, w))))
    if (method === "PATCH") {
      return withWorkspace(true, (w) =>
        Effect.map(body, (raw) => {
          const decoded = decodeUpdate(raw)
          if (Either.isLeft(decoded)) return failure(400, decoded.left)
          const changes = decoded.right
          if (changes.slug !== undefined && slugTaken(state, changes.slug, w.id)) {
            return failure(400, `A workspace with slug "${changes.slug}" already exists`)
          }
          if (w.id === state.defaultWorkspaceId && changes.slug !== undefined && changes.slug !== w.slug) {
            return failure(400, "The default workspace's slug cannot be changed")
          }
          const updated = new Workspace({ ...w, ...changes, updatedAt: new Date().toISOString() })
          state.put(updated)
          return jsonText(workspaceJson(state, updated))
        }))
    }
    if (method === "DELETE") {
      return withWorkspace(true, (w) =>
        Effect.sync(() => {
          if (w.id === state.defaultWorkspaceId) {
            return failure(403, "Deleting the default workspace is not enabled for this organization")
          }
          if (state.hasActiveKeys(w.id)) {
            return failure(400, "Workspace has active API keys; delete or move them first")
          }
          state.remove(w.id)
          return json(encodeDeleted(new DeletedResponse({ deleted: true }, true)))
        }))
    }
    return undefined
  }

  if (sub === "budgets") {
    if (arg === undefined) {
      if (method !== "GET") return undefined
      return withWorkspace(false, (w) =>
        Effect.sync(() =>
          json(encodeBudgets(
            new ListWorkspaceBudgetsResponse({
              data: [...state.budgets.get(w.id)!.values()],
              includeByokInBudgets: w.includeByokInBudgets ?? false
            }, true)
          ))
        ))
    }
    if (method !== "GET" && method !== "PUT" && method !== "DELETE") return undefined
    return withWorkspace(false, (w) =>
      Effect.gen(function*() {
        if (!isInterval(arg)) return failure(400, `interval must be one of daily, weekly, monthly, lifetime`)
        const budgets = state.budgets.get(w.id)!
        if (method === "GET") {
          const budget = budgets.get(arg)
          if (!budget) return notFound(`The ${arg} budget`)
          return json(encodeBudget(new WorkspaceBudgetResponse({
            data: budget,
            includeByokInBudgets: w.includeByokInBudgets ?? false
          }, true)))
        }
        if (method === "DELETE") {
          if (!budgets.delete(arg)) return notFound(`The ${arg} budget`)
          return json(encodeDeleted(new DeletedResponse({ deleted: true }, true)))
        }
        const decoded = decodeBudget(yield* body)
        if (Either.isLeft(decoded)) return failure(400, decoded.left)
        const violation = budgetViolation(budgets, arg, decoded.right.limitUsd)
        if (violation) return failure(400, `Budget limits must satisfy lifetime > monthly > weekly > daily: ${violation}`)
        let workspace = w
        if (decoded.right.includeByokInBudgets !== undefined) {
          workspace = new Workspace({ ...w, includeByokInBudgets: decoded.right.includeByokInBudgets })
          state.put(workspace)
        }
        const budget = state.setBudget(w.id, arg, decoded.right.limitUsd)
        return json(encodeBudget(new WorkspaceBudgetResponse({
          data: budget,
          includeByokInBudgets: workspace.includeByokInBudgets ?? false
        }, true)))
      }))
  }

  if (sub === "members") {
    if (arg === undefined && method === "GET") {
      return withWorkspace(true, (w) =>
        Effect.sync(() => {
          const page = paging(query, { limit: 50, max: 100 })
          if (typeof page === "string") return failure(400, page)
          const all = state.membersOf(w.id)
          return json(encodeMembers(new ListWorkspaceMembersResponse({
            data: all.slice(page.offset, page.offset + page.limit),
            totalCount: all.length
          }, true)))
        }))
    }
    if ((arg === "add" || arg === "remove") && method === "POST") {
      return withWorkspace(true, (w) =>
        Effect.map(body, (raw) => {
          const decoded = decodeBulk(raw)
          if (Either.isLeft(decoded)) return failure(400, decoded.left)
          if (w.id === state.defaultWorkspaceId) {
            return failure(400, "Every organization member belongs to the default workspace implicitly")
          }
          const userIds = [...new Set(decoded.right.userIds)]
          const members = state.workspaceMembers.get(w.id)!
          if (arg === "add") {
            const unknown = userIds.filter((userId) => !state.memberById.has(userId))
            if (unknown.length > 0) {
              return failure(400, `Users are not members of this organization: ${unknown.join(", ")}`)
            }
            const data = userIds.filter((userId) => !members.has(userId)).map((userId) =>
              state.addMember(w.id, userId)
            )
            return json(encodeAdded(new BulkAddWorkspaceMembersResponse({ data, addedCount: data.length }, true)))
          }
          const present = userIds.filter((userId) => members.has(userId))
          const blocked = present.filter((userId) => state.holdsActiveKey(w.id, userId))
          if (blocked.length > 0) {
            return failure(400, `Members with active API keys in this workspace cannot be removed: ${blocked.join(", ")}`)
          }
          const scim = present.filter((userId) => state.scimManaged.has(userId))
          if (scim.length > 0) {
            return failure(400, `SCIM-managed members cannot be removed; change them in your identity provider: ${scim.join(", ")}`)
          }
          for (const userId of present) members.delete(userId)
          return json(encodeRemoved(new BulkRemoveWorkspaceMembersResponse({ removedCount: present.length }, true)))
        }))
    }
  }
  return undefined
}
