/**
 * The `Files` service: list (cursor pages, lazily), upload (a streamed multipart body, never the
 * whole file in memory), retrieve, delete, download (a Stream) and `downloadTo` (atomic write).
 *
 * ```ts
 * const files = yield* Files
 * const meta = yield* files.upload({ file: { path: "./report.pdf" } })
 * yield* files.downloadTo({ fileId, path: "./copy.pdf" })
 * ```
 *
 * @since 0.1.0
 */
import { HttpBody } from "@effect/platform"
import { NodeStream } from "@effect/platform-node"
import { Effect, Option, Schema, Stream } from "effect"
import { createReadStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as Path from "node:path"
import { NonEmptyId } from "./Domain.ts"
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
  ServiceUnavailableResponseError,
  TooManyRequestsResponseError,
  UnauthorizedResponseError
} from "./Errors.ts"
import { FileProvider, MAX_FILE_BYTES, shapes } from "./FileDomain.ts"
import * as Op from "./internal/operation.ts"
import { OpenRouterClient } from "./OpenRouterClient.ts"

// --- the operations as documented -------------------------------------------------------------------

const common = [
  UnauthorizedResponseError,
  ForbiddenResponseError,
  TooManyRequestsResponseError,
  InternalServerResponseError,
  BadGatewayResponseError,
  ServiceUnavailableResponseError
] as const
const listErrors = [BadRequestResponseError, ...common] as const
const uploadErrors = [BadRequestResponseError, PayloadTooLargeResponseError, ...common] as const
const fileErrors = [NotFoundResponseError, ...common] as const
const downloadErrors = [BadRequestResponseError, NotFoundResponseError, ...common] as const

type ShapeName = keyof typeof shapes

export const operations = {
  list: {
    openrouter: Op.operation("Files.list", "GET", shapes.openrouter.list, listErrors),
    openai: Op.operation("Files.list", "GET", shapes.openai.list, listErrors),
    anthropic: Op.operation("Files.list", "GET", shapes.anthropic.list, listErrors)
  },
  upload: {
    openrouter: Op.operation("Files.upload", "POST", shapes.openrouter.file, uploadErrors),
    openai: Op.operation("Files.upload", "POST", shapes.openai.file, uploadErrors),
    anthropic: Op.operation("Files.upload", "POST", shapes.anthropic.file, uploadErrors)
  },
  retrieve: {
    openrouter: Op.operation("Files.retrieve", "GET", shapes.openrouter.file, fileErrors),
    openai: Op.operation("Files.retrieve", "GET", shapes.openai.file, fileErrors),
    anthropic: Op.operation("Files.retrieve", "GET", shapes.anthropic.file, fileErrors)
  },
  delete: {
    openrouter: Op.operation("Files.delete", "DELETE", shapes.openrouter.deleted, fileErrors),
    openai: Op.operation("Files.delete", "DELETE", shapes.openai.deleted, fileErrors),
    anthropic: Op.operation("Files.delete", "DELETE", shapes.anthropic.deleted, fileErrors)
  },
  download: Op.operation("Files.download", "GET", Schema.Unknown, downloadErrors)
}

/** The shape a provider answers in (`undefined`: OpenRouter storage). */
export type ShapeOf<P> = P extends "openai" ? "openai" : P extends "anthropic" ? "anthropic" : "openrouter"
type Of<P, K extends "file" | "list" | "deleted"> = InstanceType<(typeof shapes)[ShapeOf<P>][K]>

export type ListError = Op.OperationError<typeof listErrors> | InvalidRequestError
export type UploadError = Op.OperationError<typeof uploadErrors> | InvalidRequestError | LocalFileError
export type FileError = Op.OperationError<typeof fileErrors> | InvalidRequestError
export type DownloadError = Op.OperationError<typeof downloadErrors> | InvalidRequestError

// --- inputs ------------------------------------------------------------------------------------------

const Scope = {
  workspaceId: Schema.optionalWith(NonEmptyId, { exact: true }),
  provider: Schema.optionalWith(FileProvider, { exact: true })
}
const ListInput = Schema.Struct({
  ...Scope,
  limit: Schema.optionalWith(
    Schema.Int.pipe(Schema.between(1, 1000, { message: () => "limit must be an integer 1–1000" })),
    { exact: true }
  ),
  cursor: Schema.optionalWith(NonEmptyId, { exact: true }),
  after: Schema.optionalWith(NonEmptyId, { exact: true }),
  afterId: Schema.optionalWith(NonEmptyId, { exact: true }),
  beforeId: Schema.optionalWith(NonEmptyId, { exact: true }),
  order: Schema.optionalWith(Schema.Literal("asc", "desc"), { exact: true })
})
const FileInput = Schema.Struct({ fileId: NonEmptyId, ...Scope })
const StreamInput = Schema.Struct({
  ...Scope,
  pageSize: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1000)), { exact: true })
})
const DownloadToInput = Schema.Struct({ fileId: NonEmptyId, path: NonEmptyId, ...Scope })

export type ListOptions = typeof ListInput.Type
export type FileOptions = typeof FileInput.Type
export type StreamOptions = typeof StreamInput.Type

/** What `upload` accepts. A `Stream` is sent once (it cannot be replayed); the others are retried when safe. */
export type UploadSource<E = never> =
  | Uint8Array
  | Blob
  | Stream.Stream<Uint8Array, E>
  | { readonly path: string }

export interface UploadOptions<E = never> {
  readonly file: UploadSource<E>
  /** Default: the path's base name, the Blob's name, or "upload". */
  readonly filename?: string
  readonly workspaceId?: string
  readonly provider?: FileProvider
}

const scopeParams = (input: { readonly workspaceId?: string; readonly provider?: string }) => ({
  workspace_id: input.workspaceId,
  provider: input.provider
})
const shapeOf = (provider: string | undefined): ShapeName =>
  provider === "openai" || provider === "anthropic" ? provider : "openrouter"
const CHUNK = 64 * 1024
const encoder = new TextEncoder()

/** Only failures the server cannot have acted on: it refused (429/503) or the connection never opened. */
const notAccepted = (error: unknown) => {
  const e = error as { status?: number; _tag?: string; reason?: string }
  if (e.status === 429 || e.status === 503) return true
  return e._tag === "ConnectionError" && /ECONNREFUSED/.test(e.reason ?? "")
}

export const make = Effect.gen(function*() {
  const client = yield* OpenRouterClient
  const validateList = Op.validate("Files.list", ListInput)
  const validateFile = (name: string) => Op.validate(name, FileInput)
  const validateRetrieve = validateFile("Files.retrieve")
  const validateDelete = validateFile("Files.delete")
  const validateDownload = validateFile("Files.download")
  const validateStream = Op.validate("Files.stream", StreamInput)
  const validateDownloadTo = Op.validate("Files.downloadTo", DownloadToInput)

  /** One page: `{ data, hasMore, cursor, firstId, lastId }` in the provider's shape. */
  const list = <P extends FileProvider | undefined = undefined>(
    options: ListOptions & { readonly provider?: P } = {}
  ): Effect.Effect<Of<P, "list">, ListError> =>
    Effect.flatMap(validateList(options), (input) =>
      Op.execute(client, operations.list[shapeOf(input.provider)] as any, {
        path: "/files",
        urlParams: {
          ...scopeParams(input),
          limit: input.limit,
          cursor: input.cursor,
          after: input.after,
          after_id: input.afterId,
          before_id: input.beforeId,
          order: input.order
        }
      })) as any

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
  ): Stream.Stream<Of<P, "file">, ListError | PaginationError> =>
    Stream.mapConcat(pages(options), (page: any) => page.data)

  /** One file by id, in the shape of the provider asked for. */
  const byId = (kind: "retrieve" | "delete", validate: typeof validateRetrieve) => (options: FileOptions) =>
    Effect.flatMap(validate(options), (input) =>
      Op.execute(client, operations[kind][shapeOf(input.provider)] as any, {
        path: `/files/${Op.segment(input.fileId)}`,
        urlParams: scopeParams(input)
      }))

  const retrieve: <P extends FileProvider | undefined = undefined>(
    options: FileOptions & { readonly provider?: P }
  ) => Effect.Effect<Of<P, "file">, FileError> = byId("retrieve", validateRetrieve) as any

  /** Delete a file: `{ id, type: "file_deleted" }` (OpenRouter's shape). */
  const del: <P extends FileProvider | undefined = undefined>(
    options: FileOptions & { readonly provider?: P }
  ) => Effect.Effect<Of<P, "deleted">, FileError> = byId("delete", validateDelete) as any

  /**
   * Upload a file as a streamed multipart body. Sizes are checked before sending (empty or over
   * 100 MB → `InvalidRequestError`); a Stream of unknown size is counted while it is sent and
   * aborted past 100 MB. Retried only when the server cannot have accepted it (429, 503, connection
   * refused), and only for sources that can be read again (bytes, Blob, path): a Stream is sent once.
   */
  const upload = <E = never, P extends FileProvider | undefined = undefined>(
    options: UploadOptions<E> & { readonly provider?: P }
  ): Effect.Effect<Of<P, "file">, UploadError | E> =>
    Effect.gen(function*() {
      const { file } = options
      const invalid = (issue: string) => new InvalidRequestError({ operation: "Files.upload", issue })
      const scope = yield* Op.validate("Files.upload", Schema.Struct(Scope))({
        ...(options.workspaceId !== undefined ? { workspaceId: options.workspaceId } : {}),
        ...(options.provider !== undefined ? { provider: options.provider } : {})
      })
      let size: number | undefined
      let content: () => Stream.Stream<Uint8Array, unknown>
      let replayable = true
      let filename = options.filename
      let oversize = false
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
          Stream.mapEffect(file as Stream.Stream<Uint8Array, E>, (chunk) => {
            sent += chunk.byteLength
            if (sent > MAX_FILE_BYTES) {
              oversize = true
              return Effect.fail(invalid("the stream passed 100 MB, the API's limit; the upload was aborted"))
            }
            return Effect.succeed(chunk)
          })
      } else {
        const path = (file as { path: string }).path
        const stat = yield* Effect.tryPromise({
          try: () => fs.stat(path),
          catch: (e) => new LocalFileError({ path, reason: (e as Error).message })
        })
        if (!stat.isFile()) return yield* new LocalFileError({ path, reason: "not a regular file" })
        size = stat.size
        filename ??= Path.basename(path)
        content = () =>
          NodeStream.fromReadable(
            () => createReadStream(path, { highWaterMark: CHUNK }),
            (e) => new LocalFileError({ path, reason: String(e) })
          )
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
      const op = operations.upload[shapeOf(scope.provider)] as any
      const spec = (): Op.RequestSpec => ({ path: "/files", urlParams: scopeParams(scope), body: body() })
      const attempt = Effect.suspend(() => {
        const s = spec()
        return Op.attemptWith(client, op, s, Op.decodeBody(op, s))
      })
      return yield* Op.retrying(client, attempt, { retryIf: (e) => replayable && notAccepted(e) }).pipe(
        Effect.catchIf((e: any) => oversize && e?._tag === "ConnectionError", () =>
          Effect.fail(invalid("the stream passed 100 MB, the API's limit; the upload was aborted"))),
        Op.withOperationSpan(op, { path: "/files" })
      )
    }) as any

  /** The content as a Stream. The exchange is retried until the status line; the body is not. */
  const download = (options: FileOptions): Stream.Stream<Uint8Array, DownloadError> =>
    Stream.unwrap(Effect.flatMap(validateDownload(options), (input) => {
      const spec = { path: `/files/${Op.segment(input.fileId)}/content`, urlParams: scopeParams(input) }
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
   */
  const downloadTo = (options: FileOptions & { readonly path: string }) =>
    Effect.gen(function*() {
      const input = yield* validateDownloadTo(options)
      const target = Path.resolve(input.path)
      const existing = yield* Effect.promise(() => fs.stat(target).catch(() => undefined))
      if (existing?.isDirectory()) {
        return yield* new InvalidRequestError({
          operation: "Files.downloadTo",
          issue: `${target} is a directory; give the file's full path`
        })
      }
      const temp = Path.join(
        Path.dirname(target),
        `.${Path.basename(target)}.${Math.random().toString(36).slice(2)}.part`
      )
      const fail = (e: unknown) => new LocalFileError({ path: target, reason: (e as Error).message ?? String(e) })
      return yield* Effect.acquireUseRelease(
        Effect.tryPromise({ try: () => fs.open(temp, "wx"), catch: fail }),
        (handle) =>
          Effect.gen(function*() {
            let bytes = 0
            yield* Stream.runForEach(download(input), (chunk) =>
              Effect.tryPromise({
                try: async () => {
                  await handle.write(chunk)
                  bytes += chunk.byteLength
                },
                catch: fail
              }))
            yield* Effect.tryPromise({ try: () => handle.sync(), catch: fail })
            yield* Effect.tryPromise({ try: () => fs.rename(temp, target), catch: fail })
            return { path: target, bytes }
          }),
        (handle, exit) =>
          Effect.promise(async () => {
            await handle.close().catch(() => {})
            if (exit._tag === "Failure") await fs.rm(temp, { force: true }).catch(() => {})
          })
      )
    })

  return { list, pages, stream, upload, retrieve, delete: del, download, downloadTo } as const
})

export class Files extends Effect.Service<Files>()("openrouter-effect/Files", {
  accessors: true,
  effect: make
}) {}
