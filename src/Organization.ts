/**
 * The `Organization` service: the organization's members, as a page or a lazy Stream.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { ListOrganizationMembersResponse, pagingQuery } from "./Domain.ts"
import { InternalServerResponseError, NotFoundResponseError, UnauthorizedResponseError } from "./Errors.ts"
import { withStreamAccessors } from "./internal/accessors.ts"
import { declare, method, type MethodError, type OperationInput } from "./internal/declaration.ts"
import * as Pagination from "./internal/pagination.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

/**
 * @since 0.1.0
 * @category operations
 */
export const operations = {
  listMembers: declare("Organization.listMembers", {
    route: "GET /organization/members",
    query: pagingQuery,
    success: ListOrganizationMembersResponse,
    errors: [UnauthorizedResponseError, NotFoundResponseError, InternalServerResponseError]
  })
}

/**
 * @since 0.1.0
 * @category errors
 */
export type OrganizationError = MethodError<typeof operations.listMembers>

const StreamInput = Schema.Struct(Pagination.streamPaging)
/**
 * @since 0.1.0
 * @category models
 */
export type ListMembersOptions = OperationInput<typeof operations.listMembers>
/**
 * @since 0.1.0
 * @category models
 */
export type StreamMembersOptions = typeof StreamInput.Type

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient
  const listPage = method(client, operations.listMembers)

  /** One page of organization members: `{ data, totalCount }`. */
  const listMembers = (options: ListMembersOptions = {}) => listPage(options)

  /** Pages of organization members, fetched as pulled. */
  const memberPages = (options: StreamMembersOptions = {}) => pages(options)
  const pages = Pagination.validatedPages("Organization.listMembers", StreamInput, (_, page) => listMembers(page))

  /** Every organization member, lazily. */
  const streamMembers = (options: StreamMembersOptions = {}) => Pagination.items(memberPages(options))

  return { listMembers, memberPages, streamMembers } as const
})

/**
 * The service; its static accessors run a method on the service in context
 * (`Organization.streamMembers()` is a `Stream`, `Organization.listMembers()` an `Effect`).
 *
 * @since 0.1.0
 * @category services
 */
export class Organization extends withStreamAccessors<Organization, Effect.Effect.Success<typeof make>>()(
  Effect.Service<Organization>()("openrouter-effect/Organization", { accessors: true, effect: make }),
  ["memberPages", "streamMembers"]
) {}
