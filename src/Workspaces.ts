/**
 * The `Workspaces` service: the 12 workspace, budget and member operations of OpenRouter's
 * management API, with typed errors per operation, retries and lazy pagination.
 *
 * ```ts
 * const workspaces = yield* Workspaces
 * const page = yield* workspaces.list({ offset: 0, limit: 50 })
 * yield* Stream.runForEach(workspaces.streamMembers({ id: "production" }), Console.log)
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Option, Schema } from "effect"
import {
  BooleanParam,
  BudgetInterval,
  BulkAddWorkspaceMembersResponse,
  BulkMembersRequest,
  BulkRemoveWorkspaceMembersResponse,
  CreateWorkspaceRequest,
  DeletedResponse,
  ListWorkspaceBudgetsResponse,
  ListWorkspaceMembersResponse,
  ListWorkspacesResponse,
  NonEmptyId,
  optionalWire,
  pagingQuery,
  UpdateWorkspaceRequest,
  UpsertWorkspaceBudgetRequest,
  type Workspace,
  WorkspaceBudgetResponse,
  WorkspaceResponse
} from "./Domain.ts"
import {
  BadRequestResponseError,
  ForbiddenResponseError,
  InternalServerResponseError,
  NotFoundResponseError,
  UnauthorizedResponseError
} from "./Errors.ts"
import { withStreamAccessors } from "./internal/accessors.ts"
import { declare, method, type MethodError, type OperationInput } from "./internal/declaration.ts"
import * as Op from "./internal/operation.ts"
import * as Pagination from "./internal/pagination.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

// --- the operations, each declared once: route, input, success, documented errors ------------------

const Unauthorized = UnauthorizedResponseError
const BadRequest = BadRequestResponseError
const Forbidden = ForbiddenResponseError
const NotFound = NotFoundResponseError
const Internal = InternalServerResponseError
const byId = { id: NonEmptyId }
const budget = { id: NonEmptyId, interval: BudgetInterval }

/**
 * @since 0.1.0
 * @category operations
 */
export const operations = {
  list: declare("Workspaces.list", {
    route: "GET /workspaces",
    query: pagingQuery,
    success: ListWorkspacesResponse,
    errors: [Unauthorized, Internal]
  }),
  create: declare("Workspaces.create", {
    route: "POST /workspaces",
    body: CreateWorkspaceRequest.fields,
    success: WorkspaceResponse,
    errors: [BadRequest, Unauthorized, Forbidden, Internal]
  }),
  get: declare("Workspaces.get", {
    route: "GET /workspaces/:id",
    path: byId,
    success: WorkspaceResponse,
    errors: [Unauthorized, NotFound, Internal]
  }),
  update: declare("Workspaces.update", {
    route: "PATCH /workspaces/:id",
    path: byId,
    body: UpdateWorkspaceRequest.fields,
    success: WorkspaceResponse,
    errors: [BadRequest, Unauthorized, Forbidden, NotFound, Internal]
  }),
  delete: declare("Workspaces.delete", {
    route: "DELETE /workspaces/:id",
    path: byId,
    query: {
      /** Required (true) to delete the default workspace, which also disables its unscoped inference keys. */
      confirmDefaultWorkspaceDeletion: optionalWire("confirm_default_workspace_deletion", BooleanParam)
    },
    success: DeletedResponse,
    errors: [BadRequest, Unauthorized, Forbidden, NotFound, Internal]
  }),
  listBudgets: declare("Workspaces.listBudgets", {
    route: "GET /workspaces/:id/budgets",
    path: byId,
    success: ListWorkspaceBudgetsResponse,
    errors: [Unauthorized, NotFound, Internal]
  }),
  getBudget: declare("Workspaces.getBudget", {
    route: "GET /workspaces/:id/budgets/:interval",
    path: budget,
    success: WorkspaceBudgetResponse,
    errors: [BadRequest, Unauthorized, NotFound, Internal]
  }),
  setBudget: declare("Workspaces.setBudget", {
    route: "PUT /workspaces/:id/budgets/:interval",
    path: budget,
    body: UpsertWorkspaceBudgetRequest.fields,
    success: WorkspaceBudgetResponse,
    errors: [BadRequest, Unauthorized, NotFound, Internal]
  }),
  deleteBudget: declare("Workspaces.deleteBudget", {
    route: "DELETE /workspaces/:id/budgets/:interval",
    path: budget,
    success: DeletedResponse,
    errors: [BadRequest, Unauthorized, NotFound, Internal]
  }),
  listMembers: declare("Workspaces.listMembers", {
    route: "GET /workspaces/:id/members",
    path: byId,
    query: pagingQuery,
    success: ListWorkspaceMembersResponse,
    errors: [Unauthorized, Forbidden, NotFound, Internal]
  }),
  bulkAddMembers: declare("Workspaces.bulkAddMembers", {
    route: "POST /workspaces/:id/members/add",
    path: byId,
    body: BulkMembersRequest.fields,
    success: BulkAddWorkspaceMembersResponse,
    errors: [BadRequest, Unauthorized, Forbidden, NotFound, Internal]
  }),
  bulkRemoveMembers: declare("Workspaces.bulkRemoveMembers", {
    route: "POST /workspaces/:id/members/remove",
    path: byId,
    body: BulkMembersRequest.fields,
    success: BulkRemoveWorkspaceMembersResponse,
    errors: [BadRequest, Unauthorized, Forbidden, NotFound, Internal]
  })
}

type Ops = typeof operations
/**
 * The error channel of a workspace operation: what the spec documents for it, plus transport and input errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type WorkspacesError<K extends keyof Ops> = MethodError<Ops[K]>
/**
 * `find`'s errors: `get`'s without the 404 (that is `None`).
 *
 * @since 0.1.0
 * @category errors
 */
export type FindError = Exclude<WorkspacesError<"get">, NotFoundResponseError>

// --- inputs (camelCase, validated before sending) --------------------------------------------------

const StreamInput = Schema.Struct(Pagination.streamPaging)
const StreamMembersInput = Schema.Struct({ ...byId, ...Pagination.streamPaging })

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
export type DeleteOptions = Input<"delete">
/**
 * @since 0.1.0
 * @category models
 */
export type BudgetOptions = Input<"getBudget">
/**
 * @since 0.1.0
 * @category models
 */
export type SetBudgetOptions = Input<"setBudget">
/**
 * @since 0.1.0
 * @category models
 */
export type ListMembersOptions = Input<"listMembers">
/**
 * @since 0.1.0
 * @category models
 */
export type BulkMembersOptions = Input<"bulkAddMembers">
/**
 * @since 0.1.0
 * @category models
 */
export type StreamOptions = typeof StreamInput.Type
/**
 * @since 0.1.0
 * @category models
 */
export type StreamMembersOptions = typeof StreamMembersInput.Type

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient

  /** One page of workspaces: `{ data, totalCount }`. */
  const list = (options: ListOptions = {}) => listPage(options)
  const listPage = method(client, operations.list)

  /** A workspace by id or slug. */
  const get = method(client, operations.get)

  /**
   * Create a workspace. Not replayed blindly: after an ambiguous failure (500/502/504, timeout, lost
   * connection) the slug is looked up first and an existing workspace is returned instead.
   */
  const create = method(client, operations.create, {
    reconcile: (input) =>
      Op.execute(client, operations.get, operations.get.request({ id: input.slug })).pipe(
        Effect.asSome,
        Effect.catchTag("NotFoundResponseError", () => Effect.succeedNone)
      )
  })

  const update = method(client, operations.update)
  /** Delete a workspace; the default workspace needs `confirmDefaultWorkspaceDeletion: true`. */
  const del = method(client, operations.delete)
  const listBudgets = method(client, operations.listBudgets)
  const getBudget = method(client, operations.getBudget)
  /** Create or update the budget of one interval (lifetime > monthly > weekly > daily). */
  const setBudget = method(client, operations.setBudget)
  const deleteBudget = method(client, operations.deleteBudget)
  const listMembers = method(client, operations.listMembers)
  /** Add up to 100 organization members; one non-member fails the whole call (400). */
  const bulkAddMembers = method(client, operations.bulkAddMembers)
  /** Remove up to 100 members; members with active API keys or SCIM-managed ones fail the call (400). */
  const bulkRemoveMembers = method(client, operations.bulkRemoveMembers)

  /** Pages of workspaces, fetched as pulled. */
  const pages = (options: StreamOptions = {}) => workspacePages(options)
  const workspacePages = Pagination.validatedPages("Workspaces.list", StreamInput, (_, page) => list(page))

  /** Every workspace, lazily. */
  const stream = (options: StreamOptions = {}) => Pagination.items(pages(options))

  /** Pages of a workspace's members, fetched as pulled. */
  const memberPages = Pagination.validatedPages(
    "Workspaces.listMembers",
    StreamMembersInput,
    ({ id }, page) => listMembers({ id, ...page })
  )

  /** Every member of a workspace, lazily. */
  const streamMembers = (options: StreamMembersOptions) => Pagination.items(memberPages(options))

  /** A workspace by id or slug, or `None` when it does not exist. */
  const find = (options: { readonly id: string }): Effect.Effect<Option.Option<Workspace>, FindError> =>
    get(options).pipe(
      Effect.map((response) => Option.some(response.data)),
      Effect.catchTag("NotFoundResponseError", () => Effect.succeed(Option.none<Workspace>()))
    )

  return {
    list,
    create,
    get,
    find,
    update,
    delete: del,
    listBudgets,
    getBudget,
    setBudget,
    deleteBudget,
    listMembers,
    bulkAddMembers,
    bulkRemoveMembers,
    pages,
    stream,
    memberPages,
    streamMembers
  } as const
})

/**
 * The service; its static accessors run a method on the service in context: Effect methods as
 * Effects, Stream methods as Streams (`Workspaces.pages()`, `Workspaces.stream()`, `Workspaces.memberPages()`, `Workspaces.streamMembers()`).
 *
 * @since 0.1.0
 * @category services
 */
export class Workspaces extends withStreamAccessors<Workspaces, Effect.Effect.Success<typeof make>>()(
  Effect.Service<Workspaces>()("openrouter-effect/Workspaces", { accessors: true, effect: make }),
  ["pages", "stream", "memberPages", "streamMembers"]
) {}
