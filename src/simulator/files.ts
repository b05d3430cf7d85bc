/** The simulator's Files endpoints: list (cursor), upload (streamed multipart), metadata, delete, content. */
import { type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Stream } from "effect"
import {
  AnthropicFile,
  AnthropicFileDeleted,
  AnthropicFileList,
  MAX_FILE_BYTES,
  OpenAIFile,
  OpenAIFileDeleted,
  OpenAIFileList,
  OpenRouterFile,
  OpenRouterFileDeleted,
  OpenRouterFileList
} from "../FileDomain.ts"
import { detect, HEAD_BYTES } from "./detect.ts"
import type { FileRecord, FileStore } from "./files-store.ts"
import { encoder, failure, json } from "./http.ts"
import type { OrganizationState } from "./state.ts"
import type { Matched } from "./workspaces.ts"

export interface FilesRouteInput {
  readonly state: OrganizationState
  readonly files: FileStore
  readonly request: HttpServerRequest.HttpServerRequest
  readonly method: string
  readonly segments: ReadonlyArray<string>
  readonly query: URLSearchParams
}

type Provider = "openrouter" | "openai" | "anthropic"

const encodeOpenRouter = encoder(OpenRouterFile)
const encodeAnthropic = encoder(AnthropicFile)
const encodeOpenAI = encoder(OpenAIFile)
const encodeOpenRouterList = encoder(OpenRouterFileList)
const encodeAnthropicList = encoder(AnthropicFileList)
const encodeOpenAIList = encoder(OpenAIFileList)
const encodeOpenRouterDeleted = encoder(OpenRouterFileDeleted)
const encodeAnthropicDeleted = encoder(AnthropicFileDeleted)
const encodeOpenAIDeleted = encoder(OpenAIFileDeleted)

const fileBody = (record: FileRecord, provider: Provider) => {
  if (provider === "openai") {
    return new OpenAIFile({
      id: record.id,
      object: "file",
      bytes: record.sizeBytes,
      createdAt: Math.floor(record.createdAt / 1000),
      filename: record.filename,
      purpose: "user_data",
      status: "processed"
    }, true)
  }
  const fields = {
    id: record.id,
    type: "file" as const,
    filename: record.filename,
    mimeType: record.mimeType,
    sizeBytes: record.sizeBytes,
    createdAt: new Date(record.createdAt).toISOString(),
    downloadable: record.downloadable
  }
  return provider === "anthropic" ? new AnthropicFile(fields, true) : new OpenRouterFile(fields, true)
}

const encodeFile = (record: FileRecord, provider: Provider) => {
  const body = fileBody(record, provider)
  return provider === "openai"
    ? encodeOpenAI(body as OpenAIFile)
    : provider === "anthropic"
    ? encodeAnthropic(body as AnthropicFile)
    : encodeOpenRouter(body as OpenRouterFile)
}

const encodeCursor = (ord: number) => Buffer.from(JSON.stringify({ after: ord })).toString("base64url")
const decodeCursor = (cursor: string): number | undefined => {
  try {
    const ord = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")).after
    return Number.isInteger(ord) && ord >= -1 ? ord : undefined
  } catch {
    return undefined
  }
}

/** Upload failure reasons found while streaming the body. */
class UploadRejected {
  constructor(readonly status: number, readonly message: string) {}
}

/** Read the `file` part as it streams: count bytes, keep the head, check UTF-8 — never buffer it all. */
const receive = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    let found: { filename: string; size: number; mime: string | undefined } | undefined
    yield* request.multipartStream.pipe(
      Stream.mapError(() => new UploadRejected(400, "Malformed multipart/form-data body")),
      Stream.runForEach((part) => {
        if (part.key !== "file" || found !== undefined) {
          return part._tag === "File" ? Stream.runDrain(part.content).pipe(Effect.orDie) : Effect.void
        }
        const content: Stream.Stream<Uint8Array, unknown> = part._tag === "File"
          ? part.content
          : Stream.make(new TextEncoder().encode(part.value))
        const filename = part._tag === "File" ? part.name : "upload"
        const head = new Uint8Array(HEAD_BYTES)
        let headLength = 0
        let size = 0
        let validUtf8 = true
        const decoder = new TextDecoder("utf-8", { fatal: true })
        return content.pipe(
          Stream.mapError(() => new UploadRejected(400, "Malformed multipart/form-data body")),
          Stream.runForEach((chunk) =>
            Effect.suspend(() => {
              size += chunk.length
              if (size > MAX_FILE_BYTES) {
                return Effect.fail(new UploadRejected(413, "Request payload too large: files are limited to 100 MB"))
              }
              if (headLength < HEAD_BYTES) {
                const take = Math.min(chunk.length, HEAD_BYTES - headLength)
                head.set(chunk.subarray(0, take), headLength)
                headLength += take
              }
              if (validUtf8) {
                try {
                  decoder.decode(chunk, { stream: true })
                } catch {
                  validUtf8 = false
                }
              }
              return Effect.void
            })
          ),
          Effect.map(() => {
            if (validUtf8) {
              try {
                decoder.decode()
              } catch {
                validUtf8 = false
              }
            }
            found = {
              filename,
              size,
              mime: size === 0 ? undefined : detect(head.subarray(0, headLength), validUtf8, size <= HEAD_BYTES)
            }
          })
        )
      })
    )
    if (!found) return yield* Effect.fail(new UploadRejected(400, "Missing the `file` field"))
    if (found.size === 0) return yield* Effect.fail(new UploadRejected(400, "The file is empty"))
    if (found.mime === undefined) {
      return yield* Effect.fail(
        new UploadRejected(
          400,
          "Unsupported file type: upload a PDF, PNG/JPEG/GIF/WebP, DOCX/XLSX/PPTX, MP3/WAV/FLAC/OGG or UTF-8 text"
        )
      )
    }
    return found as { filename: string; size: number; mime: string }
  })

export const route = (input: FilesRouteInput): Matched | undefined => {
  const { files, method, query, request, segments, state } = input
  const [root, fileId, sub, extra] = segments
  if (root !== "files" || extra !== undefined) return undefined

  const providerParam = query.get("provider")
  const provider: Provider | undefined = providerParam === null
    ? "openrouter"
    : providerParam === "openai" || providerParam === "anthropic"
    ? providerParam
    : undefined
  const workspaceParam = query.get("workspace_id")
  const workspaceId = workspaceParam === null ? state.defaultWorkspaceId : state.find(workspaceParam)?.id

  /** Common checks; `unknownWorkspace` is the status this operation documents for it. */
  const checked = (
    unknownWorkspace: number,
    f: (workspaceId: string, provider: Provider) => Effect.Effect<HttpServerResponse.HttpServerResponse>
  ): Matched => ({
    documents403: true,
    handle: Effect.suspend(() => {
      if (provider === undefined) return Effect.succeed(failure(400, "provider must be openai or anthropic"))
      if (workspaceId === undefined) return Effect.succeed(failure(unknownWorkspace, "Workspace not found"))
      return f(workspaceId, provider)
    })
  })

  if (fileId === undefined) {
    if (method === "GET") {
      return checked(400, (workspaceId, provider) =>
        Effect.sync(() => {
          const limit = query.has("limit") ? Number(query.get("limit")) : 100
          if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
            return failure(400, "limit must be an integer between 1 and 1000")
          }
          if (query.get("order") === "desc") return failure(400, "order=desc is not supported by OpenRouter storage")
          if (query.has("order") && query.get("order") !== "asc") return failure(400, "order must be asc or desc")
          if (query.has("before_id")) return failure(400, "before_id is not supported by OpenRouter storage")
          let after = -1
          const cursor = query.get("cursor")
          const afterId = query.get("after") ?? query.get("after_id")
          if (cursor !== null) {
            const ord = decodeCursor(cursor)
            if (ord === undefined) return failure(400, "Invalid cursor")
            after = ord
          } else if (afterId !== null) {
            const ord = files.ordOf(afterId)
            if (ord === undefined) return failure(400, `Unknown file id in after: ${afterId}`)
            after = ord
          }
          const page = files.page(workspaceId, after, limit)
          const data = page.files.map((record) => fileBody(record, provider))
          const firstId = page.files[0]?.id ?? null
          const last = page.files.at(-1)
          const lastId = last?.id ?? null
          if (provider === "openai") {
            return json(encodeOpenAIList(
              new OpenAIFileList({ object: "list", data: data as Array<OpenAIFile>, hasMore: page.hasMore, firstId, lastId }, true)
            ))
          }
          if (provider === "anthropic") {
            return json(encodeAnthropicList(
              new AnthropicFileList({ data: data as Array<AnthropicFile>, hasMore: page.hasMore, firstId, lastId }, true)
            ))
          }
          return json(encodeOpenRouterList(
            new OpenRouterFileList({
              data: data as Array<OpenRouterFile>,
              hasMore: page.hasMore,
              firstId,
              lastId,
              cursor: page.hasMore && last ? encodeCursor(last.ord) : null
            }, true)
          ))
        }))
    }
    if (method === "POST") {
      return checked(400, (workspaceId, provider) =>
        receive(request).pipe(
          Effect.map((upload) => json(encodeFile(files.add(workspaceId, upload.filename, upload.mime, upload.size), provider))),
          Effect.catchAll((rejected) => Effect.succeed(failure(rejected.status, rejected.message)))
        ))
    }
    return undefined
  }

  const withFile = (f: (record: FileRecord, provider: Provider) => Effect.Effect<HttpServerResponse.HttpServerResponse>) =>
    checked(404, (workspaceId, provider) =>
      Option.match(Option.fromNullable(files.get(workspaceId, decodeURIComponent(fileId))), {
        onNone: () => Effect.succeed(failure(404, "File not found")),
        onSome: (record) => f(record, provider)
      }))

  if (sub === undefined && method === "GET") {
    return withFile((record, provider) => Effect.succeed(json(encodeFile(record, provider))))
  }
  if (sub === undefined && method === "DELETE") {
    return withFile((record, provider) =>
      Effect.sync(() => {
        files.delete(record)
        return json(
          provider === "openai"
            ? encodeOpenAIDeleted(new OpenAIFileDeleted({ id: record.id, object: "file", deleted: true }, true))
            : provider === "anthropic"
            ? encodeAnthropicDeleted(new AnthropicFileDeleted({ id: record.id, type: "file_deleted" }, true))
            : encodeOpenRouterDeleted(new OpenRouterFileDeleted({ id: record.id, type: "file_deleted" }, true))
        )
      }))
  }
  if (sub === "content" && method === "GET") {
    return withFile((record) =>
      Effect.succeed(
        record.downloadable
          ? HttpServerResponse.stream(files.content(record), {
            contentType: "application/octet-stream",
            contentLength: record.sizeBytes,
            headers: { "content-disposition": `attachment; filename="${record.filename}"` }
          })
          : failure(400, "Only files created server-side can be downloaded; this file was uploaded")
      ))
  }
  return undefined
}
