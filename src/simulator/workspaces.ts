/** The simulator's workspace, budget, member and organization endpoints, routed from the declarations. */
import {
  BulkAddWorkspaceMembersResponse,
  BulkRemoveWorkspaceMembersResponse,
  DeletedResponse,
  ListOrganizationMembersResponse,
  ListWorkspaceBudgetsResponse,
  ListWorkspaceMembersResponse,
  ListWorkspacesResponse,
  Workspace,
  WorkspaceBudgetResponse,
  WorkspaceResponse
} from "../Domain.ts"
import * as Organization from "../Organization.ts"
import * as Workspaces from "../Workspaces.ts"
import { encoder, type Env, json, jsonText } from "./http.ts"
import { uuid } from "./random.ts"
import { routes } from "./router.ts"
import { budgetViolation, MemberMap, type OrganizationState } from "./state.ts"

const encodeWorkspace = encoder(WorkspaceResponse)
const encodeList = encoder(ListWorkspacesResponse)
const encodeDeleted = encoder(DeletedResponse)
const encodeBudgets = encoder(ListWorkspaceBudgetsResponse)
const encodeBudget = encoder(WorkspaceBudgetResponse)
const encodeMembers = encoder(ListWorkspaceMembersResponse)
const encodeAdded = encoder(BulkAddWorkspaceMembersResponse)
const encodeRemoved = encoder(BulkRemoveWorkspaceMembersResponse)
const encodeOrgMembers = encoder(ListOrganizationMembersResponse)
const deleted = () => json(encodeDeleted(new DeletedResponse({ deleted: true }, true)))

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

type Ops = typeof Workspaces.operations

/** Run `f` on the workspace the path names, or answer 404 (every operation on one workspace documents it). */
const onWorkspace = <
  I extends { readonly params: { readonly id: string }; readonly env: Env; readonly fail: (status: 404, message: string) => any },
  R
>(incoming: I, f: (workspace: Workspace, incoming: I) => R): R => {
  const workspace = incoming.env.state.find(incoming.params.id)
  return workspace ? f(workspace, incoming) : incoming.fail(404, "Workspace not found")
}

const page = <A>(all: ReadonlyArray<A>, query: { readonly offset?: number; readonly limit?: number }) => {
  const offset = query.offset ?? 0
  return all.slice(offset, offset + (query.limit ?? 50))
}

export const organizationRoutes = routes<typeof Organization.operations, Env>(Organization.operations, {
  listMembers: ({ env: { state }, query }) =>
    json(encodeOrgMembers(
      new ListOrganizationMembersResponse({ data: page(state.members, query), totalCount: state.members.length }, true)
    ))
})

export const workspaceRoutes = routes<Ops, Env>(Workspaces.operations, {
  list: ({ env: { state }, query }) => {
    const all = [...state.workspaces.values()]
    return json(encodeList(new ListWorkspacesResponse({ data: page(all, query), totalCount: all.length }, true)))
  },
  create: ({ body: request, env: { state }, fail }) => {
    if (slugTaken(state, request.slug)) return fail(400, `A workspace with slug "${request.slug}" already exists`)
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
      createdBy: state.members[0]?.id ?? null,
      disabledServerTools: request.disabledServerTools?.length ? request.disabledServerTools : null
    })
    state.put(workspace)
    state.budgets.set(workspace.id, new Map())
    state.workspaceMembers.set(workspace.id, new MemberMap())
    return jsonText(workspaceJson(state, workspace), 201)
  },
  get: (incoming) => onWorkspace(incoming, (w, { env }) => jsonText(workspaceJson(env.state, w))),
  update: (incoming) =>
    onWorkspace(incoming, (w, { body: changes, env: { state }, fail }) => {
      if (changes.slug !== undefined && slugTaken(state, changes.slug, w.id)) {
        return fail(400, `A workspace with slug "${changes.slug}" already exists`)
      }
      if (w.id === state.defaultWorkspaceId && changes.slug !== undefined && changes.slug !== w.slug) {
        return fail(400, "The default workspace's slug cannot be changed")
      }
      const { disabledServerTools, ...rest } = changes
      const updated = new Workspace({
        ...w,
        ...rest,
        ...(disabledServerTools !== undefined
          ? { disabledServerTools: disabledServerTools?.length ? disabledServerTools : null }
          : {}),
        updatedAt: new Date().toISOString()
      })
      state.put(updated)
      return jsonText(workspaceJson(state, updated))
    }),
  delete: (incoming) =>
    onWorkspace(incoming, (w, { env: { state }, fail, query }) => {
      if (w.id === state.defaultWorkspaceId) {
        if (query.confirmDefaultWorkspaceDeletion !== true) {
          return fail(
            403,
            "Deleting the default workspace permanently disables the account's unscoped inference keys; " +
              "pass confirm_default_workspace_deletion=true to confirm"
          )
        }
      } else if (state.hasActiveKeys(w.id)) {
        return fail(400, "Workspace has active API keys; delete or move them first")
      }
      state.remove(w.id)
      return deleted()
    }),
  listBudgets: (incoming) =>
    onWorkspace(incoming, (w, { env: { state } }) =>
      json(encodeBudgets(
        new ListWorkspaceBudgetsResponse({
          data: [...state.budgets.get(w.id)!.values()],
          includeByokInBudgets: w.includeByokInBudgets ?? false
        }, true)
      ))),
  getBudget: (incoming) =>
    onWorkspace(incoming, (w, { env: { state }, fail, params: { interval } }) => {
      const budget = state.budgets.get(w.id)!.get(interval)
      if (!budget) return fail(404, `The ${interval} budget not found`)
      return json(encodeBudget(new WorkspaceBudgetResponse({ data: budget, includeByokInBudgets: w.includeByokInBudgets ?? false }, true)))
    }),
  deleteBudget: (incoming) =>
    onWorkspace(
      incoming,
      (w, { env: { state }, fail, params: { interval } }) =>
        state.budgets.get(w.id)!.delete(interval) ? deleted() : fail(404, `The ${interval} budget not found`)
    ),
  setBudget: (incoming) =>
    onWorkspace(incoming, (w, { body, env: { state }, fail, params: { interval } }) => {
      const violation = budgetViolation(state.budgets.get(w.id)!, interval, body.limitUsd)
      if (violation) return fail(400, `Budget limits must satisfy lifetime > monthly > weekly > daily: ${violation}`)
      let workspace = w
      if (body.includeByokInBudgets !== undefined) {
        workspace = new Workspace({ ...w, includeByokInBudgets: body.includeByokInBudgets })
        state.put(workspace)
      }
      const budget = state.setBudget(w.id, interval, body.limitUsd)
      return json(encodeBudget(
        new WorkspaceBudgetResponse({
          data: budget,
          includeByokInBudgets: workspace.includeByokInBudgets ?? false
        }, true)
      ))
    }),
  listMembers: (incoming) =>
    onWorkspace(incoming, (w, { env: { state }, query }) => {
      const { data, totalCount } = state.memberPage(w.id, query.offset ?? 0, query.limit ?? 50)
      return json(encodeMembers(new ListWorkspaceMembersResponse({ data, totalCount }, true)))
    }),
  bulkAddMembers: (incoming) =>
    onWorkspace(incoming, (w, { body, env: { state }, fail }) => {
      if (w.id === state.defaultWorkspaceId) return fail(400, "Every organization member belongs to the default workspace implicitly")
      const userIds = [...new Set(body.userIds)]
      const unknown = userIds.filter((userId) => !state.memberById.has(userId))
      if (unknown.length > 0) return fail(400, `Users are not members of this organization: ${unknown.join(", ")}`)
      const members = state.workspaceMembers.get(w.id)!
      const data = userIds.filter((userId) => !members.has(userId)).map((userId) => state.addMember(w.id, userId))
      return json(encodeAdded(new BulkAddWorkspaceMembersResponse({ data, addedCount: data.length }, true)))
    }),
  bulkRemoveMembers: (incoming) =>
    onWorkspace(incoming, (w, { body, env: { state }, fail }) => {
      if (w.id === state.defaultWorkspaceId) return fail(400, "Every organization member belongs to the default workspace implicitly")
      const members = state.workspaceMembers.get(w.id)!
      const present = [...new Set(body.userIds)].filter((userId) => members.has(userId))
      const blocked = present.filter((userId) => state.holdsActiveKey(w.id, userId))
      if (blocked.length > 0) {
        return fail(400, `Members with active API keys in the workspace cannot be removed: ${blocked.join(", ")}`)
      }
      const scim = present.filter((userId) => state.scimManaged.has(userId))
      if (scim.length > 0) {
        return fail(400, `SCIM-managed members cannot be removed; change them in your identity provider: ${scim.join(", ")}`)
      }
      for (const userId of present) members.delete(userId)
      return json(encodeRemoved(new BulkRemoveWorkspaceMembersResponse({ removedCount: present.length }, true)))
    })
})
