/**
 * The `Organization` service: the organization's members, as a page or a lazy Stream.
 *
 * @since 0.1.0
 */
import { Effect, Schema, Stream } from "effect"
import { ListOrganizationMembersResponse, Offset, PageLimit } from "./Domain.ts"
import {
  InternalServerResponseError,
  type InvalidRequestError,
  NotFoundResponseError,
  UnauthorizedResponseError
} from "./Errors.ts"
import * as Op from "./internal/operation.ts"
import * as Pagination from "./internal/pagination.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

export const operations = {
  listMembers: Op.operation("Organization.listMembers", "GET", ListOrganizationMembersResponse, [
    UnauthorizedResponseError,
    NotFoundResponseError,
    InternalServerResponseError
  ])
}

export type OrganizationError = Op.OperationError<typeof operations.listMembers.errors> | InvalidRequestError

const ListInput = Schema.Struct({
  offset: Schema.optionalWith(Offset, { exact: true }),
  limit: Schema.optionalWith(PageLimit, { exact: true })
})
const StreamInput = Schema.Struct({
  offset: Schema.optionalWith(Offset, { exact: true }),
  pageSize: Schema.optionalWith(PageLimit, { exact: true })
})
export type ListMembersOptions = typeof ListInput.Type
export type StreamMembersOptions = typeof StreamInput.Type

export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient
  const validateList = Op.validate("Organization.listMembers", ListInput)
  const validateStream = Op.validate("Organization.streamMembers", StreamInput)

  /** One page of organization members: `{ data, totalCount }`. */
  const listMembers = (options: ListMembersOptions = {}) =>
    Effect.flatMap(validateList(options), (input) =>
      Op.execute(client, operations.listMembers, {
        path: "/organization/members",
        urlParams: { offset: input.offset, limit: input.limit }
      }))

  /** Pages of organization members, fetched as pulled. */
  const memberPages = (options: StreamMembersOptions = {}) =>
    Stream.unwrap(Effect.map(validateStream(options), (input) =>
      Pagination.offsetPages(
        "Organization.listMembers",
        { pageSize: input.pageSize ?? 100, offset: input.offset ?? 0 },
        ({ limit, offset }) => listMembers({ offset, limit })
      )))

  /** Every organization member, lazily. */
  const streamMembers = (options: StreamMembersOptions = {}) => Pagination.items(memberPages(options))

  return { listMembers, memberPages, streamMembers } as const
})

export class Organization extends Effect.Service<Organization>()("openrouter-effect/Organization", {
  accessors: true,
  effect: make
}) {}
