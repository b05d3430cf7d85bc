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
import { Effect, Option, Schema, Stream } from "effect"
import {
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
  Offset,
  PageLimit,
  UpdateWorkspaceRequest,
  UpsertWorkspaceBudgetRequest,
  WorkspaceBudgetResponse,
  WorkspaceResponse
} from "./Domain.ts"
import {
  BadRequestResponseError,
  ForbiddenResponseError,
  InternalServerResponseError,
  InvalidRequestError,
  NotFoundResponseError,
  UnauthorizedResponseError
} from "./Errors.ts"
import * as Op from "./internal/operation.ts"
import * as Pagination from "./internal/pagination.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

// --- the operations as documented: method, success schema, error statuses --------------------------

const Unauthorized = UnauthorizedResponseError
const Internal = InternalServerResponseError

export const operations = {
  list: Op.operation("Workspaces.list", "GET", ListWorkspacesResponse, [Unauthorized, Internal]),
  create: Op.operation("Workspaces.create", "POST", WorkspaceResponse, [
    BadRequestResponseError,
    Unauthorized,
    ForbiddenResponseError,
    Internal
  ]),
  get: Op.operation("Workspaces.get", "GET", WorkspaceResponse, [Unauthorized, NotFoundResponseError, Internal]),
  update: Op.operation("Workspaces.update", "PATCH", WorkspaceResponse, [
    BadRequestResponseError,
    Unauthorized,
    ForbiddenResponseError,
    NotFoundResponseError,
    Internal
  ]),
  delete: Op.operation("Workspaces.delete", "DELETE", DeletedResponse, [
    BadRequestResponseError,
    Unauthorized,
    ForbiddenResponseError,
    NotFoundResponseError,
    Internal
  ]),
  listBudgets: Op.operation("Workspaces.listBudgets", "GET", ListWorkspaceBudgetsResponse, [
    Unauthorized,
    NotFoundResponseError,
    Internal
  ]),
  getBudget: Op.operation("Workspaces.getBudget", "GET", WorkspaceBudgetResponse, [
    BadRequestResponseError,
    Unauthorized,
    NotFoundResponseError,
    Internal
  ]),
  setBudget: Op.operation("Workspaces.setBudget", "PUT", WorkspaceBudgetResponse, [
    BadRequestResponseError,
    Unauthorized,
    NotFoundResponseError,
    Internal
  ]),
  deleteBudget: Op.operation("Workspaces.deleteBudget", "DELETE", DeletedResponse, [
    BadRequestResponseError,
    Unauthorized,
    NotFoundResponseError,
    Internal
  ]),
  listMembers: Op.operation("Workspaces.listMembers", "GET", ListWorkspaceMembersResponse, [
    Unauthorized,
    ForbiddenResponseError,
    NotFoundResponseError,
    Internal
  ]),
  bulkAddMembers: Op.operation("Workspaces.bulkAddMembers", "POST", BulkAddWorkspaceMembersResponse, [
    BadRequestResponseError,
    Unauthorized,
    ForbiddenResponseError,
    NotFoundResponseError,
    Internal
  ]),
  bulkRemoveMembers: Op.operation("Workspaces.bulkRemoveMembers", "POST", BulkRemoveWorkspaceMembersResponse, [
    BadRequestResponseError,
    Unauthorized,
    ForbiddenResponseError,
    NotFoundResponseError,
    Internal
  ])
}

type Ops = typeof operations
/** The error channel of a workspace operation: what the spec documents for it, plus transport and input errors. */
export type WorkspacesError<K extends keyof Ops> = Op.OperationError<Ops[K]["errors"]> | InvalidRequestError

// --- inputs (camelCase, validated before sending) --------------------------------------------------

const Id = { id: NonEmptyId }
const Paging = {
  offset: Schema.optionalWith(Offset, { exact: true }),
  limit: Schema.optionalWith(PageLimit, { exact: true })
}
const StreamPaging = {
  pageSize: Schema.optionalWith(PageLimit, { exact: true }),
  offset: Schema.optionalWith(Offset, { exact: true })
}

const ListInput = Schema.Struct(Paging)
const IdInput = Schema.Struct(Id)
const CreateBody = Schema.Struct(CreateWorkspaceRequest.fields)
const UpdateBody = Schema.Struct(UpdateWorkspaceRequest.fields)
const UpdateInput = Schema.Struct({ ...Id, ...UpdateWorkspaceRequest.fields })
const BudgetInput = Schema.Struct({ ...Id, interval: BudgetInterval })
const SetBudgetBody = Schema.Struct(UpsertWorkspaceBudgetRequest.fields)
const SetBudgetInput = Schema.Struct({ ...Id, interval: BudgetInterval, ...UpsertWorkspaceBudgetRequest.fields })
const MembersInput = Schema.Struct({ ...Id, ...Paging })
const BulkBody = Schema.Struct(BulkMembersRequest.fields)
const BulkInput = Schema.Struct({ ...Id, ...BulkMembersRequest.fields })
const StreamInput = Schema.Struct(StreamPaging)
const StreamMembersInput = Schema.Struct({ ...Id, ...StreamPaging })

export type ListOptions = typeof ListInput.Type
export type CreateOptions = typeof CreateBody.Type
export type UpdateOptions = typeof UpdateInput.Type
export type BudgetOptions = typeof BudgetInput.Type
export type SetBudgetOptions = typeof SetBudgetInput.Type
export type ListMembersOptions = typeof MembersInput.Type
export type BulkMembersOptions = typeof BulkInput.Type
export type StreamOptions = typeof StreamInput.Type
export type StreamMembersOptions = typeof StreamMembersInput.Type

const settingsOf = <T extends { readonly id: string }>({ id: _, ...rest }: T) => rest
const budgetBodyOf = ({ id: _, interval: __, ...rest }: SetBudgetOptions) => rest

export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient
  const { execute, validate, jsonBody, segment } = Op

  const validateList = validate("Workspaces.list", ListInput)
  const validateCreate = validate("Workspaces.create", CreateBody)
  const validateGet = validate("Workspaces.get", IdInput)
  const validateUpdate = validate("Workspaces.update", UpdateInput)
  const validateDelete = validate("Workspaces.delete", IdInput)
  const validateListBudgets = validate("Workspaces.listBudgets", IdInput)
  const validateGetBudget = validate("Workspaces.getBudget", BudgetInput)
  const validateSetBudget = validate("Workspaces.setBudget", SetBudgetInput)
  const validateDeleteBudget = validate("Workspaces.deleteBudget", BudgetInput)
  const validateListMembers = validate("Workspaces.listMembers", MembersInput)
  const validateBulkAdd = validate("Workspaces.bulkAddMembers", BulkInput)
  const validateBulkRemove = validate("Workspaces.bulkRemoveMembers", BulkInput)
  const validateStream = validate("Workspaces.stream", StreamInput)
  const validateStreamMembers = validate("Workspaces.streamMembers", StreamMembersInput)
  const createBody = jsonBody(CreateBody)
  const updateBody = jsonBody(UpdateBody)
  const budgetBody = jsonBody(SetBudgetBody)
  const bulkBody = jsonBody(BulkBody)

  const path = (id: string) => `/workspaces/${segment(id)}`

  /** One page of workspaces: `{ data, totalCount }`. */
  const list = (options: ListOptions = {}) =>
    Effect.flatMap(validateList(options), (input) =>
      execute(client, operations.list, {
        path: "/workspaces",
        urlParams: { offset: input.offset, limit: input.limit }
      }))

  /** A workspace by id or slug. */
  const get = (options: { readonly id: string }) =>
    Effect.flatMap(validateGet(options), (input) => execute(client, operations.get, { path: path(input.id) }))

  /**
   * Create a workspace. Not replayed blindly: after an ambiguous failure (500/502/504, timeout, lost
   * connection) the slug is looked up first and an existing workspace is returned instead.
   */
  const create = (options: CreateOptions) =>
    Effect.flatMap(validateCreate(options), (input) =>
      execute(client, operations.create, { path: "/workspaces", body: createBody(input) }, {
        reconcile: execute(client, operations.get, { path: path(input.slug) }).pipe(
          Effect.asSome,
          Effect.catchTag("NotFoundResponseError", () => Effect.succeedNone)
        )
      }))

  const update = (options: UpdateOptions) =>
    Effect.flatMap(validateUpdate(options), (input) =>
      execute(client, operations.update, { path: path(input.id), body: updateBody(settingsOf(input)) }))

  const del = (options: { readonly id: string }) =>
    Effect.flatMap(validateDelete(options), (input) => execute(client, operations.delete, { path: path(input.id) }))

  const listBudgets = (options: { readonly id: string }) =>
    Effect.flatMap(validateListBudgets(options), (input) =>
      execute(client, operations.listBudgets, { path: `${path(input.id)}/budgets` }))

  const getBudget = (options: BudgetOptions) =>
    Effect.flatMap(validateGetBudget(options), (input) =>
      execute(client, operations.getBudget, { path: `${path(input.id)}/budgets/${input.interval}` }))

  /** Create or update the budget of one interval (lifetime > monthly > weekly > daily). */
  const setBudget = (options: SetBudgetOptions) =>
    Effect.flatMap(validateSetBudget(options), (input) =>
      execute(client, operations.setBudget, {
        path: `${path(input.id)}/budgets/${input.interval}`,
        body: budgetBody(budgetBodyOf(input))
      }))

  const deleteBudget = (options: BudgetOptions) =>
    Effect.flatMap(validateDeleteBudget(options), (input) =>
      execute(client, operations.deleteBudget, { path: `${path(input.id)}/budgets/${input.interval}` }))

  const listMembers = (options: ListMembersOptions) =>
    Effect.flatMap(validateListMembers(options), (input) =>
      execute(client, operations.listMembers, {
        path: `${path(input.id)}/members`,
        urlParams: { offset: input.offset, limit: input.limit }
      }))

  /** Add up to 100 organization members; one non-member fails the whole call (400). */
  const bulkAddMembers = (options: BulkMembersOptions) =>
    Effect.flatMap(validateBulkAdd(options), (input) =>
      execute(client, operations.bulkAddMembers, {
        path: `${path(input.id)}/members/add`,
        body: bulkBody({ userIds: input.userIds })
      }))

  /** Remove up to 100 members; members with active API keys or SCIM-managed ones fail the call (400). */
  const bulkRemoveMembers = (options: BulkMembersOptions) =>
    Effect.flatMap(validateBulkRemove(options), (input) =>
      execute(client, operations.bulkRemoveMembers, {
        path: `${path(input.id)}/members/remove`,
        body: bulkBody({ userIds: input.userIds })
      }))

  /** Pages of workspaces, fetched as pulled. */
  const pages = (options: StreamOptions = {}) =>
    Stream.unwrap(Effect.map(validateStream(options), (input) =>
      Pagination.offsetPages(
        "Workspaces.list",
        { pageSize: input.pageSize ?? 100, offset: input.offset ?? 0 },
        ({ limit, offset }) => list({ offset, limit })
      )))

  /** Every workspace, lazily. */
  const stream = (options: StreamOptions = {}) => Pagination.items(pages(options))

  /** Pages of a workspace's members, fetched as pulled. */
  const memberPages = (options: StreamMembersOptions) =>
    Stream.unwrap(Effect.map(validateStreamMembers(options), (input) =>
      Pagination.offsetPages(
        "Workspaces.listMembers",
        { pageSize: input.pageSize ?? 100, offset: input.offset ?? 0 },
        ({ limit, offset }) => listMembers({ id: input.id, offset, limit })
      )))

  /** Every member of a workspace, lazily. */
  const streamMembers = (options: StreamMembersOptions) => Pagination.items(memberPages(options))

  /** A workspace by id or slug, or `None` when it does not exist. */
  const find = (options: { readonly id: string }) =>
    get(options).pipe(
      Effect.map((response) => Option.some(response.data)),
      Effect.catchTag("NotFoundResponseError", () => Effect.succeedNone)
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

export class Workspaces extends Effect.Service<Workspaces>()("openrouter-effect/Workspaces", {
  accessors: true,
  effect: make
}) {}
