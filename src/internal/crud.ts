/**
 * The methods of a declared listing, or of a whole list / create / get / update / delete group, wired
 * once from their declarations: a page, a Stream of pages and a Stream of items for the listing (options
 * checked before the first request), and a create that is never replayed after an ambiguous failure.
 * Every method keeps the secrets the caller handed over (a provider key, a destination's credentials)
 * out of its errors ({@link method}).
 */
import type { Effect, Schema, Stream } from "effect"
import type { PaginationError } from "../Errors.ts"
import { type AnyDeclaration, type Declaration, method, type MethodError, type OperationInput } from "./declaration.ts"
import type * as Op from "./operation.ts"
import * as Pagination from "./pagination.ts"

/** What a declared operation answers. */
export type SuccessOf<D> = D extends Declaration<infer A, any, any, any, any> ? A : never

/** The item of a declared listing's page. */
export type ItemOf<D> = SuccessOf<D> extends { readonly data: ReadonlyArray<infer I> } ? I : never

/** The method of a declared operation. */
export type MethodOf<D> = (options: OperationInput<D>) => Effect.Effect<SuccessOf<D>, MethodError<D>>

/** A Stream's options: where to start, how many per page, and the listing's own filters. */
type StreamPaging = { readonly offset?: number; readonly pageSize?: number }

export interface Listing<L, S> {
  /** One page: `{ data, totalCount }`. */
  readonly list: (options?: OperationInput<L>) => Effect.Effect<SuccessOf<L>, MethodError<L>>
  /** Pages, fetched as pulled. */
  readonly pages: (options?: S) => Stream.Stream<SuccessOf<L>, MethodError<L> | PaginationError>
  /** Every item, lazily. */
  readonly stream: (options?: S) => Stream.Stream<ItemOf<L>, MethodError<L> | PaginationError>
}

/** The operations of a CRUD group, each declared once. */
export interface CrudOperations {
  readonly list: AnyDeclaration
  readonly create: AnyDeclaration
  readonly get: AnyDeclaration
  readonly update: AnyDeclaration
  readonly delete: AnyDeclaration
}

export interface Crud<Ops extends CrudOperations, S> extends Listing<Ops["list"], S> {
  /**
   * Not replayed after an ambiguous failure (500/502/504, a timeout, a lost connection): the server may
   * have made it, and a replay could leave a twin. Look for it with `list` instead.
   */
  readonly create: MethodOf<Ops["create"]>
  readonly get: MethodOf<Ops["get"]>
  readonly update: MethodOf<Ops["update"]>
  readonly delete: MethodOf<Ops["delete"]>
}

/** The method of a declaration (see {@link method}): its types come from the interfaces above. */
const methodOf = (client: Op.ClientContext, declaration: AnyDeclaration, options?: { readonly replayAmbiguous: boolean }) =>
  method(client, declaration, options) as (input: unknown) => Effect.Effect<unknown, unknown>

/**
 * A listing's page, pages and items. `streamInput` is what a Stream takes (`Pagination.streamPaging` and
 * the listing's filters): the filters given are passed to every page.
 */
export const listing = <L extends AnyDeclaration, S extends StreamPaging>(
  client: Op.ClientContext,
  list: L,
  streamInput: Schema.Schema<S, any>
): Listing<L, S> => {
  const page = methodOf(client, list)
  const pagesOf = Pagination.validatedPages(
    list.name,
    streamInput,
    ({ offset: _offset, pageSize: _pageSize, ...filters }, at) =>
      page({ ...filters, ...at }) as Effect.Effect<Pagination.OffsetPage<unknown>, unknown>
  )
  const pages = (options: S = {} as S) => pagesOf(options)
  return {
    list: (options = {} as OperationInput<L>) => page(options),
    pages,
    stream: (options) => Pagination.items(pages(options))
  } as Listing<L, S>
}

/** A CRUD group's methods: the listing's, and create (never replayed after an ambiguous failure), get, update, delete. */
export const crud = <Ops extends CrudOperations, S extends StreamPaging>(
  client: Op.ClientContext,
  operations: Ops,
  streamInput: Schema.Schema<S, any>
): Crud<Ops, S> => ({
  ...listing(client, operations.list, streamInput),
  create: methodOf(client, operations.create, { replayAmbiguous: false }),
  get: methodOf(client, operations.get),
  update: methodOf(client, operations.update),
  delete: methodOf(client, operations.delete)
} as Crud<Ops, S>)
