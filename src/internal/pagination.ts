/**
 * Lazy, interruptible Streams over paginated endpoints. A page is fetched only when pulled.
 */
import { Chunk, Effect, Option, Schema, Stream } from "effect"
import { Offset, PageLimit } from "../Domain.ts"
import { type InvalidRequestError, PaginationError } from "../Errors.ts"
import { validate } from "./operation.ts"

export interface OffsetPage<A> {
  readonly data: ReadonlyArray<A>
  readonly totalCount: number
}

const identify = (item: unknown): unknown => typeof item === "object" && item !== null && "id" in item ? (item as { id: unknown }).id : item

/**
 * Offset/limit pages from `offset` on. Stops at the end (`totalCount` reached, or a short or empty
 * page); fails with a {@link PaginationError} when a full page repeats the previous one (a server
 * that ignores `offset` would otherwise loop forever).
 */
export const offsetPages = <A, P extends OffsetPage<A>, E, R>(
  operation: string,
  options: { readonly pageSize: number; readonly offset?: number },
  fetch: (page: { readonly offset: number; readonly limit: number }) => Effect.Effect<P, E, R>
): Stream.Stream<P, E | PaginationError, R> =>
  Stream.paginateEffect(
    { offset: options.offset ?? 0, previousFirst: Option.none<unknown>() },
    ({ offset, previousFirst }) =>
      Effect.flatMap(fetch({ offset, limit: options.pageSize }), (page) => {
        const first = page.data.length > 0 ? Option.some(identify(page.data[0])) : Option.none()
        if (Option.isSome(first) && Option.isSome(previousFirst) && first.value === previousFirst.value) {
          return Effect.fail(
            new PaginationError({ operation, reason: `offset ${offset} returned the same page as the one before it` })
          )
        }
        const next = offset + page.data.length
        const done = page.data.length === 0 || page.data.length < options.pageSize || next >= page.totalCount
        return Effect.succeed(
          [page, done ? Option.none() : Option.some({ offset: next, previousFirst: first })] as const
        )
      })
  )

/** The items of a stream of pages, in order. */
export const items = <P extends { readonly data: ReadonlyArray<unknown> }, E, R>(
  pages: Stream.Stream<P, E, R>
): Stream.Stream<P["data"][number], E, R> => Stream.mapConcatChunk(pages, (page) => Chunk.unsafeFromArray(page.data as Array<P["data"][number]>))

/** The options of a Stream over an offset/limit listing: where to start, and how many per page (1–100). */
export const streamPaging = {
  offset: Schema.optionalWith(Offset, { exact: true }),
  pageSize: Schema.optionalWith(PageLimit, { exact: true })
}

/**
 * A listing's lazy pages for options validated first (a bad `pageSize` fails before any request):
 * `fetch` gets the validated options and the page to read.
 */
export const validatedPages = <I extends { readonly offset?: number; readonly pageSize?: number }, A, P extends OffsetPage<A>, E, R>(
  operation: string,
  schema: Schema.Schema<I, any>,
  fetch: (input: I, page: { readonly offset: number; readonly limit: number }) => Effect.Effect<P, E, R>
) => {
  const check = validate(operation, schema)
  return (options: I): Stream.Stream<P, E | PaginationError | InvalidRequestError, R> =>
    Stream.unwrap(
      Effect.map(check(options), (input) =>
        offsetPages(operation, { pageSize: input.pageSize ?? 100, offset: input.offset ?? 0 }, (page) => fetch(input, page)))
    )
}
