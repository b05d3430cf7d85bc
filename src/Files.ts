/**
 * The `Files` service: list (cursor pages, lazily), upload (a streamed multipart body, never the
 * whole file in memory), retrieve, delete, download (a Stream) and `downloadTo` (atomic write).
 *
 * Platform-neutral: reading a `{ path }` and `downloadTo` use `@effect/platform`'s `FileSystem` and
 * `Path`, which the platform layer you already provide supplies (`NodeContext.layer`,
 * `BunContext.layer`); their types say so. Bytes, Blobs and Streams need nothing more.
 *
 * ```ts
 * const files = yield* Files
 * const meta = yield* files.upload({ file: { path: "./report.pdf" } })
 * yield* files.downloadTo({ fileId, path: "./copy.pdf" })
 * ```
 *
 * @since 0.1.0
 */
import { FileSystem, HttpBody, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, Option, Predicate, Schema, Stream } from "effect"
import { FilePageLimit, FilePageLimitParam, NonEmptyId, optionalWire } from "./Domain.ts"
import {
  BadGatewayResponseError,
  BadRequestResponseError,
  ForbiddenResponseError,
  InternalServerResponseError,
  InvalidRequestError,
  LocalFileError,
  NotFoundResponseError,
  PaginationError,
  PayloadTooLargeResponseError,
  type ResponseErrorClass,
  ServiceUnavailableResponseError,
  TooManyRequestsResponseError,
  UnauthorizedResponseError
} from "./Errors.ts"
import { FileProvider, MAX_FILE_BYTES, shapes } from "./FileDomain.ts"
import { withStreamAccessors } from "./internal/accessors.ts"
import { type Declaration, declare, type MethodError, withSuccess } from "./internal/declaration.ts"
import * as Op from "./internal/operation.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

// --- the operations, each declarations once ---------------------------------------------------------------

const common = [
  UnauthorizedResponseError,
  ForbiddenResponseError,
  TooManyRequestsResponseError,
  InternalServerResponseError,
  BadGatewayResponseError,
  ServiceUnavailableResponseError
] as const

/** Where a file lives: a workspace (default: the default workspace) and a provider's storage. */
const scope = {
  workspaceId: optionalWire("workspace_id", NonEmptyId),
  provider: Schema.optionalWith(FileProvider, { exact: true })
}
const byId = { fileId: NonEmptyId }

/**
 * The five operations as documented; `operations` has the JSON ones once per provider shape.
 *
 * @since 0.1.0
 * @category operations
 */
export const declarations = {
  list: declare("Files.list", {
    route: "GET /files",
    query: {
      ...scope,
      limit: optionalWire("limit", FilePageLimitParam),
      cursor: Schema.optionalWith(NonEmptyId, { exact: true }),
      after: Schema.optionalWith(NonEmptyId, { exact: true }),
      afterId: optionalWire("after_id", NonEmptyId),
      beforeId: optionalWire("before_id", NonEmptyId),
      order: Schema.optionalWith(Schema.Literal("asc", "desc"), { exact: true })
    },
    success: shapes.openrouter.list,
    errors: [BadRequestResponseError, ...common]
  }),
  /** The multipart body is built by `upload` itself (streamed, sized, never buffered). */
  upload: declare("Files.upload", {
    route: "POST /files",
    query: scope,
    success: shapes.openrouter.file,
    errors: [BadRequestResponseError, PayloadTooLargeResponseError, ...common]
  }),
  retrieve: declare("Files.retrieve", {
    route: "GET /files/:fileId",
    path: byId,
    query: scope,
    success: shapes.openrouter.file,
    errors: [NotFoundResponseError, ...common]
  }),
  delete: declare("Files.delete", {
    route: "DELETE /files/:fileId",
    path: byId,
    query: scope,
    success: shapes.openrouter.deleted,
    errors: [NotFoundResponseError, ...common]
  }),
  download: declare("Files.download", {
    route: "GET /files/:fileId/content",
    path: byId,
    query: scope,
    // the content, or the API's JSON error body: a server that honours Accept may send either
    accept: "application/octet-stream, application/json",
    success: Schema.Unknown,
    errors: [BadRequestResponseError, NotFoundResponseError, ...common]
  })
}

type ShapeName = keyof typeof shapes

/** Each JSON operation once per provider shape: same route and errors, the success shape differs. */
const byShape = <Errors extends ReadonlyArray<ResponseErrorClass>>(
  declaration: Declaration<any, Errors, any, any, any>,
  kind: "file" | "list" | "deleted"
): Record<ShapeName, Declaration<any, Errors, any, any, any>> => ({
  openrouter: withSuccess(declaration, shapes.openrouter[kind] as Schema.Schema<any, any>),
  openai: withSuccess(declaration, shapes.openai[kind] as Schema.Schema<any, any>),
  anthropic: withSuccess(declaration, shapes.anthropic[kind] as Schema.Schema<any, any>)
})

/**
 * @since 0.1.0
 * @category operations
 */
export const operations = {
  list: byShape(declarations.list, "list"),
  upload: byShape(declarations.upload, "file"),
  retrieve: byShape(declarations.retrieve, "file"),
  delete: byShape(declarations.delete, "deleted"),
  download: declarations.download
}

/**
 * The shape a provider answers in (`undefined`: OpenRouter storage).
 *
 * @since 0.1.0
 * @category models
 */
export type ShapeOf<P> = P extends "openai" ? "openai" : P extends "anthropic" ? "anthropic" : "openrouter"
type Of<P, K extends "file" | "list" | "deleted"> = InstanceType<(typeof shapes)[ShapeOf<P>][K]>

/**
 * @since 0.1.0
 * @category errors
 */
export type ListError = MethodError<typeof declarations.list>
/**
 * @since 0.1.0
 * @category errors
 */
export type UploadError = MethodError<typeof declarations.upload> | LocalFileError
/**
 * @since 0.1.0
 * @category errors
 */
export type FileError = MethodError<typeof declarations.retrieve>
/**
 * @since 0.1.0
 * @category errors
 */
export type DownloadError = MethodError<typeof declarations.download>

// --- inputs ------------------------------------------------------------------------------------------

/** What `upload` accepts, checked before anything is read or sent (a wrong type is an input error, not a crash). */
const UploadInput = Schema.Struct({
  file: Schema.Union(
    Schema.Uint8ArrayFromSelf,
    Schema.declare((u): u is Blob => typeof Blob !== "undefined" && u instanceof Blob, { identifier: "Blob" }),
    Schema.declare(
      (u): u is Stream.Stream<Uint8Array, unknown> => Predicate.hasProperty(u, Stream.StreamTypeId),
      { identifier: "Stream" }
    ),
    Schema.Struct({ path: NonEmptyId })
  ).annotations({ message: () => "file must be bytes (Uint8Array), a Blob, a Stream of Uint8Array or { path }" }),
  filename: Schema.optionalWith(
    Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255, { message: () => "filename is at most 255 characters" })),
    { exact: true }
  ),
  ...scope
})

const StreamInput = Schema.Struct({
  workspaceId: Schema.optionalWith(NonEmptyId, { exact: true }),
  provider: Schema.optionalWith(FileProvider, { exact: true }),
  pageSize: Schema.optionalWith(FilePageLimit, { exact: true })
})
const DownloadToInput = Schema.Struct({ ...byId, ...scope, path: NonEmptyId })

/**
 * @since 0.1.0
 * @category models
 */
export type ListOptions = Parameters<typeof declarations.list.request>[0]
/**
 * @since 0.1.0
 * @category models
 */
export type FileOptions = Parameters<typeof declarations.retrieve.request>[0]
/**
 * @since 0.1.0
 * @category models
 */
export type StreamOptions = typeof StreamInput.Type

/**
 * What `upload` accepts. A `Stream` is sent once (it cannot be replayed); the others are retried when safe.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadSource<E = never> =
  | Uint8Array
  | Blob
  | Stream.Stream<Uint8Array, E>
  | { readonly path: string }

/**
 * A source held in memory or produced by a Stream: uploading it needs no `FileSystem`.
 *
 * @since 0.1.0
 * @category models
 */
export type InMemorySource<E = never> = Exclude<UploadSource<E>, { readonly path: string }>

/**
 * @since 0.1.0
 * @category models
 */
export interface UploadOptions<E = never, S extends UploadSource<E> = UploadSource<E>> {
  readonly file: S
  /** Default: the path's base name, the Blob's name, or "upload". */
  readonly filename?: string
  readonly workspaceId?: string
  readonly provider?: FileProvider
}

/** A platform error as a reason a person reads (the platform's own text, without its call site). */
const reasonOf = (error: PlatformError) => error._tag === "SystemError" && error.cause instanceof Error ? error.cause.message : error.message

const shapeOf = (provider: string | undefined): ShapeName => provider === "openai" || provider === "anthropic" ? provider : "openrouter"
const CHUNK = 64 * 1024
const encoder = new TextEncoder()

/** Only failures the server cannot have acted on: it refused (429/503) or the connection never opened. */
const notAccepted = (error: unknown) => {
  const e = error as { status?: number; _tag?: string; reason?: string }
  if (e.status === 429 || e.status === 503) return true
  return e._tag === "ConnectionError" && /ECONNREFUSED/.test(e.reason ?? "")
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient
  const validateStream = Op.validate("Files.stream", StreamInput)
  const validateUpload = Op.validate("Files.upload", UploadInput)
  const validateDownloadTo = Op.validate("Files.downloadTo", DownloadToInput)

  /** A JSON operation in the shape of the provider asked for. */
  const byProvider = (kind: "list" | "retrieve" | "delete") => (options: unknown) =>
    Effect.flatMap(
      declarations[kind].validate(options),
      (input: any) => Op.execute(client, operations[kind][shapeOf(input.provider)] as Declaration<any, any>, declarations[kind].request(input))
    )

  /** One page: `{ data, hasMore, cursor, firstId, lastId }` in the provider's shape. */
  const list: <P extends FileProvider | undefined = undefined>(
    options?: ListOptions & { readonly provider?: P }
  ) => Effect.Effect<Of<P, "list">, ListError> = ((options = {}) => byProvider("list")(options)) as any

  /** Pages, following the cursor while `has_more`; a repeated cursor fails instead of looping. */
  const pages = <P extends FileProvider | undefined = undefined>(
    options: StreamOptions & { readonly provider?: P } = {}
  ): Stream.Stream<Of<P, "list">, ListError | PaginationError> =>
    Stream.unwrap(Effect.map(validateStream(options), (input) => {
      const shape = shapeOf(input.provider)
      const seen = new Set<string>()
      const base = { ...input, limit: input.pageSize ?? 100 }
      delete (base as { pageSize?: number }).pageSize
      return Stream.paginateEffect(undefined as string | undefined, (p) =>
        Effect.flatMap(
          list({
            ...base,
            ...(p === undefined
              ? {}
              : shape === "openai"
              ? { after: p }
              : shape === "anthropic"
              ? { afterId: p }
              : { cursor: p })
          } as ListOptions),
          (page: any) => {
            if (!page.hasMore) return Effect.succeed([page, Option.none<string | undefined>()] as const)
            const next: string | null = shape === "openrouter" ? page.cursor : page.lastId
            if (next === null || seen.has(next)) {
              return Effect.fail(
                new PaginationError({
                  operation: "Files.list",
                  reason: next === null ? "has_more without a cursor" : `cursor ${next} came back again`
                })
              )
            }
            seen.add(next)
            return Effect.succeed([page, Option.some<string | undefined>(next)] as const)
          }
        ))
    })) as any

  /** Every file's metadata, lazily. */
  const stream = <P extends FileProvider | undefined = undefined>(
    options: StreamOptions & { readonly provider?: P } = {}
  ): Stream.Stream<Of<P, "file">, ListError | PaginationError> => Stream.mapConcat(pages(options), (page: any) => page.data)

  /** One file by id, in the shape of the provider asked for. */
  const retrieve: <P extends FileProvider | undefined = undefined>(
    options: FileOptions & { readonly provider?: P }
  ) => Effect.Effect<Of<P, "file">, FileError> = byProvider("retrieve") as any

  /** Delete a file: `{ id, type: "file_deleted" }` (OpenRouter's shape). */
  const del: <P extends FileProvider | undefined = undefined>(
    options: FileOptions & { readonly provider?: P }
  ) => Effect.Effect<Of<P, "deleted">, FileError> = byProvider("delete") as any

  /**
   * Upload a file as a streamed multipart body. Sizes are checked before sending (empty or over
   * 100 MB → `InvalidRequestError`); a Stream of unknown size is counted while it is sent and
   * aborted past 100 MB. Retried only when the server cannot have accepted it (429, 503, connection
   * refused), and only for sources that can be read again (bytes, Blob, path): a Stream is sent once.
   */
  const upload: {
    /** From a path: read through the platform's `FileSystem`. */
    <P extends FileProvider | undefined = undefined>(
      options: UploadOptions<never, { readonly path: string }> & { readonly provider?: P }
    ): Effect.Effect<Of<P, "file">, UploadError, FileSystem.FileSystem>
    /** From bytes, a Blob or a Stream. */
    <E = never, P extends FileProvider | undefined = undefined>(
      options: UploadOptions<E, InMemorySource<E>> & { readonly provider?: P }
    ): Effect.Effect<Of<P, "file">, UploadError | E>
  } = (options: UploadOptions<unknown> & { readonly provider?: FileProvider }) =>
    Effect.gen(function*() {
      const input = yield* validateUpload(options)
      const { file } = input
      const invalid = (issue: string) => new InvalidRequestError({ operation: "Files.upload", issue })
      const where = yield* declarations.upload.validate({
        ...(input.workspaceId !== undefined ? { workspaceId: input.workspaceId } : {}),
        ...(input.provider !== undefined ? { provider: input.provider } : {})
      })
      let size: number | undefined
      let content: () => Stream.Stream<Uint8Array, unknown>
      let replayable = true
      let filename = input.filename
      /** Why the source stream was cut off while sending (the transport then reports a broken request). */
      let aborted: InvalidRequestError | undefined
      if (file instanceof Uint8Array) {
        size = file.byteLength
        content = () => Stream.make(file)
      } else if (typeof Blob !== "undefined" && file instanceof Blob) {
        size = file.size
        filename ??= (file as { name?: string }).name
        content = () => Stream.fromReadableStream(() => file.stream(), (e) => e)
      } else if (Stream.StreamTypeId in (file as object)) {
        replayable = false
        let sent = 0
        content = () =>
          Stream.mapEffect(file as Stream.Stream<Uint8Array, unknown>, (chunk: unknown) => {
            if (!(chunk instanceof Uint8Array)) {
              aborted = invalid("the stream must emit Uint8Array chunks; the upload was aborted")
              return Effect.fail(aborted)
            }
            sent += chunk.byteLength
            if (sent > MAX_FILE_BYTES) {
              aborted = invalid("the stream passed 100 MB, the API's limit; the upload was aborted")
              return Effect.fail(aborted)
            }
            return Effect.succeed(chunk)
          })
      } else {
        const path = (file as { path: string }).path
        const fs = yield* FileSystem.FileSystem
        const localError = (e: PlatformError) => new LocalFileError({ path, reason: reasonOf(e) })
        const stat = yield* Effect.mapError(fs.stat(path), localError)
        if (stat.type !== "File") return yield* new LocalFileError({ path, reason: "not a regular file" })
        size = Number(stat.size)
        filename ??= path.split(/[\\/]/).pop()
        content = () => Stream.mapError(fs.stream(path, { chunkSize: CHUNK }), localError)
      }
      if (size === 0) return yield* invalid("the file is empty; the API rejects empty files")
      if (size !== undefined && size > MAX_FILE_BYTES) {
        return yield* invalid(`the file is ${size} bytes; the API's limit is 100 MB (${MAX_FILE_BYTES} bytes)`)
      }
      const name = (filename ?? "upload").replace(/["\r\n]/g, "_")
      const boundary = `----openrouter-effect-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`
      const preamble = encoder.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
          `Content-Type: application/octet-stream\r\n\r\n`
      )
      const epilogue = encoder.encode(`\r\n--${boundary}--\r\n`)
      const body = () =>
        HttpBody.stream(
          Stream.make(preamble).pipe(Stream.concat(content()), Stream.concat(Stream.make(epilogue))),
          `multipart/form-data; boundary=${boundary}`,
          size === undefined ? undefined : preamble.byteLength + size + epilogue.byteLength
        )
      const op = operations.upload[shapeOf(where.provider)] as any
      const spec = (): Op.RequestSpec => ({ ...declarations.upload.request(where), body: body() })
      const attempt = Effect.suspend(() => {
        const s = spec()
        return Op.attemptWith(client, op, s, Op.decodeBody(client, op, s))
      })
      return yield* Op.retrying(client, attempt, { retryIf: (e) => replayable && notAccepted(e) }).pipe(
        Effect.catchIf((e: any) => aborted !== undefined && e?._tag === "ConnectionError", () => Effect.fail(aborted!)),
        Op.withOperationSpan(op, { path: "/files" })
      )
    }) as any

  /** The content as a Stream. The exchange is retried until the status line; the body is not. */
  const download = (options: FileOptions): Stream.Stream<Uint8Array, DownloadError> =>
    Stream.unwrap(Effect.flatMap(declarations.download.validate(options), (input) => {
      const spec = declarations.download.request(input)
      const op = operations.download
      return Op.retrying(client, Op.sendOnce(client, op, spec)).pipe(
        Op.withOperationSpan(op, spec),
        Effect.map((response) =>
          response.stream.pipe(
            Stream.catchTag("ResponseError", (error) => Stream.fail(Op.transportError(op, spec, error)))
          )
        )
      )
    }))

  /**
   * Download into `path` atomically: written to a temporary file beside it, synced, then renamed.
   * Nothing is left behind on failure or interruption, and nothing is written outside `path`.
   * Uses the platform's `FileSystem` and `Path`.
   */
  const downloadTo = (
    options: FileOptions & { readonly path: string }
  ): Effect.Effect<
    { readonly path: string; readonly bytes: number },
    DownloadError | LocalFileError,
    FileSystem.FileSystem | Path.Path
  > =>
    Effect.gen(function*() {
      const input = yield* validateDownloadTo(options)
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const target = path.resolve(input.path)
      const existing = yield* Effect.option(fs.stat(target))
      if (Option.isSome(existing) && existing.value.type === "Directory") {
        return yield* new InvalidRequestError({
          operation: "Files.downloadTo",
          issue: `${target} is a directory; give the file's full path`
        })
      }
      const temp = path.join(
        path.dirname(target),
        `.${path.basename(target)}.${Math.random().toString(36).slice(2)}.part`
      )
      // the temporary file is ours, not the caller's: errors name the target, never the temporary path
      const fail = (error: PlatformError) =>
        new LocalFileError({
          path: target,
          reason: error._tag === "SystemError" && error.reason === "NotFound"
            ? `the directory ${path.dirname(target)} does not exist`
            : reasonOf(error).split(temp).join(target)
        })
      return yield* Effect.scoped(Effect.gen(function*() {
        const handle = yield* Effect.mapError(fs.open(temp, { flag: "wx" }), fail)
        yield* Effect.addFinalizer((exit) => exit._tag === "Failure" ? Effect.ignore(fs.remove(temp)) : Effect.void)
        let bytes = 0
        yield* Stream.runForEach(download(input), (chunk) =>
          Effect.map(Effect.mapError(handle.writeAll(chunk), fail), () => {
            bytes += chunk.byteLength
          }))
        yield* Effect.mapError(handle.sync, fail)
        yield* Effect.mapError(fs.rename(temp, target), fail)
        return { path: target, bytes }
      }))
    })

  return { list, pages, stream, upload, retrieve, delete: del, download, downloadTo } as const
})

/**
 * The service; its static accessors run a method on the service in context: Effect methods as
 * Effects, Stream methods as Streams (`Files.pages()`, `Files.stream()`, `Files.download()`).
 *
 * @since 0.1.0
 * @category services
 */
export class Files extends withStreamAccessors<Files, Effect.Effect.Success<typeof make>>()(
  Effect.Service<Files>()("openrouter-effect/Files", { accessors: true, effect: make }),
  ["pages", "stream", "download"]
) {}
