/** The simulator's Files endpoints: list (cursor), upload (streamed multipart), metadata, delete, content. */
import { type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Stream } from "effect"
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
import * as Files from "../Files.ts"
import { detect, HEAD_BYTES } from "./detect.ts"
import type { FileRecord } from "./files-store.ts"
import { encoder, type Env, failure, json } from "./http.ts"
import { routes } from "./router.ts"

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

type Decls = typeof Files.declarations

/** Resolve the query's workspace (default: the default workspace); `fail` with the status the operation documents. */
const inWorkspace = <
  I extends {
    readonly query: { readonly workspaceId?: string; readonly provider?: "openai" | "anthropic" }
    readonly env: Env
  },
  R
>(incoming: I, unknownWorkspace: () => R, f: (workspaceId: string, provider: Provider, incoming: I) => R): R => {
  const { env: { state }, query } = incoming
  const workspaceId = query.workspaceId === undefined ? state.defaultWorkspaceId : state.find(query.workspaceId)?.id
  return workspaceId === undefined ? unknownWorkspace() : f(workspaceId, query.provider ?? "openrouter", incoming)
}

/** The file the path names in the query's workspace, or 404. */
const onFile = <
  I extends {
    readonly params: { readonly fileId: string }
    readonly query: { readonly workspaceId?: string; readonly provider?: "openai" | "anthropic" }
    readonly env: Env
    readonly fail: (status: 404, message: string) => HttpServerResponse.HttpServerResponse
  }
>(
  incoming: I,
  f: (record: FileRecord, provider: Provider) => HttpServerResponse.HttpServerResponse
) =>
  inWorkspace(incoming, () => incoming.fail(404, "Workspace not found"), (workspaceId, provider) => {
    const record = incoming.env.files.get(workspaceId, incoming.params.fileId)
    return record ? f(record, provider) : incoming.fail(404, "File not found")
  })

export const filesRoutes = routes<Decls, Env>(Files.declarations, {
  list: (incoming) =>
    inWorkspace(incoming, () => incoming.fail(400, "Workspace not found"), (workspaceId, provider, { env: { files }, fail, query }) => {
      if (query.order === "desc") return fail(400, "order=desc is not supported by OpenRouter storage")
      if (query.beforeId !== undefined) return fail(400, "before_id is not supported by OpenRouter storage")
      let after = -1
      const afterId = query.after ?? query.afterId
      if (query.cursor !== undefined) {
        const ord = decodeCursor(query.cursor)
        if (ord === undefined) return fail(400, "Invalid cursor")
        after = ord
      } else if (afterId !== undefined) {
        const ord = files.ordOf(afterId)
        if (ord === undefined) return fail(400, `Unknown file id in after: ${afterId}`)
        after = ord
      }
      const page = files.page(workspaceId, after, query.limit ?? 100)
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
    }),
  upload: (incoming) =>
    inWorkspace(
      incoming,
      () => Effect.succeed(incoming.fail(400, "Workspace not found")),
      (workspaceId, provider, { env: { files }, request }) =>
        receive(request).pipe(
          Effect.map((upload) => json(encodeFile(files.add(workspaceId, upload.filename, upload.mime, upload.size), provider))),
          Effect.catchAll((rejected) => Effect.succeed(failure(rejected.status, rejected.message)))
        )
    ),
  retrieve: (incoming) => onFile(incoming, (record, provider) => json(encodeFile(record, provider))),
  delete: (incoming) =>
    onFile(incoming, (record, provider) => {
      incoming.env.files.delete(record)
      return json(
        provider === "openai"
          ? encodeOpenAIDeleted(new OpenAIFileDeleted({ id: record.id, object: "file", deleted: true }, true))
          : provider === "anthropic"
          ? encodeAnthropicDeleted(new AnthropicFileDeleted({ id: record.id, type: "file_deleted" }, true))
          : encodeOpenRouterDeleted(new OpenRouterFileDeleted({ id: record.id, type: "file_deleted" }, true))
      )
    }),
  download: (incoming) => {
    const accept = incoming.request.headers["accept"] ?? "*/*"
    const answer = onFile(incoming, (record) => {
      // a server that checks Accept refuses a client that asks only for JSON
      if (!/application\/octet-stream|\*\/\*|application\/\*/.test(accept)) {
        return failure(406, `This endpoint answers application/octet-stream, not ${accept}`)
      }
      return record.downloadable
        ? HttpServerResponse.stream(incoming.env.files.content(record), {
          contentType: "application/octet-stream",
          contentLength: record.sizeBytes,
          headers: { "content-disposition": `attachment; filename="${record.filename}"` }
        })
        : incoming.fail(400, "Only files created server-side can be downloaded; this file was uploaded")
    })
    // and honours Accept for its errors too: its JSON error body only for a client that accepts JSON
    return answer.status >= 400 && answer.status !== 406 && !/application\/json|\*\/\*|application\/\*/.test(accept)
      ? HttpServerResponse.text("Not Acceptable", { status: 406 })
      : answer
  }
})
