/**
 * The Files service over loopback HTTP against the simulator: every operation, documented errors,
 * provider shapes, cursor edges, size limits (nothing sent), upload sources, atomic downloads.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, Redacted, Schema, Stream, TestClock } from "effect"
import { Context, Layer } from "effect"
import { readFileSync } from "node:fs"
import { mkdtemp, readdir, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { ErrorResponse } from "../src/Domain.ts"
import { AnthropicFile, OpenAIFile, OpenRouterFile } from "../src/FileDomain.ts"
import { Files, operations } from "../src/Files.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator } from "../src/simulator/index.ts"
import { recorded, servicesLayer, untilRecorded } from "./support.ts"

const noRetry = { retry: RetryPolicy.none }
const enc = (s: string) => new TextEncoder().encode(s)

/** Files on the same simulator with another key. */
const filesWithKey = (apiKey: Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    const sim = yield* Simulator
    const context = yield* Layer.build(
      Files.Default.pipe(
        Layer.provide(OpenRouterClient.layer({ apiKey, baseUrl: sim.baseUrl, retry: RetryPolicy.none })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
    return Context.get(context, Files)
  })

describe("Files", () => {
  it.scoped("list, retrieve, delete; 404 after delete", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const page = yield* files.list({ limit: 5 })
      expect(page.data).toHaveLength(5)
      expect(page.data[0]).toBeInstanceOf(OpenRouterFile)
      expect(page.hasMore).toBe(true)
      expect(page.cursor).not.toBeNull()
      expect(page.firstId).toBe(page.data[0]!.id)
      const meta = yield* files.retrieve({ fileId: page.data[0]!.id })
      expect(meta).toMatchObject({ id: page.data[0]!.id, downloadable: true })
      const deleted = yield* files.delete({ fileId: meta.id })
      expect(deleted).toMatchObject({ id: meta.id, type: "file_deleted" })
      const gone = yield* Effect.flip(files.retrieve({ fileId: meta.id }))
      expect(gone._tag).toBe("NotFoundResponseError")
      const goneDelete = yield* Effect.flip(files.delete({ fileId: meta.id }))
      expect(goneDelete._tag).toBe("NotFoundResponseError")
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("provider shapes are decoded by the provider asked for", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const openai = yield* files.list({ provider: "openai", limit: 2 })
      expect(openai.object).toBe("list")
      expect(openai.data[0]).toBeInstanceOf(OpenAIFile)
      expect(typeof openai.data[0]!.createdAt).toBe("number")
      const anthropic = yield* files.list({ provider: "anthropic", limit: 2, afterId: openai.data[0]!.id })
      expect(anthropic.data[0]).toBeInstanceOf(AnthropicFile)
      expect(anthropic.data[0]!.id).toBe(openai.data[1]!.id)
      const one = yield* files.retrieve({ fileId: openai.data[0]!.id, provider: "openai" })
      expect(one.bytes).toBeGreaterThan(0)
      const deleted = yield* files.delete({ fileId: openai.data[0]!.id, provider: "openai" })
      expect(deleted).toMatchObject({ object: "file", deleted: true })
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("stream follows cursors lazily: empty, exactly one page, many pages, every provider", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const sim = yield* Simulator
      const all = yield* Stream.runCollect(files.stream({ pageSize: 7 }))
      expect(all.length).toBe(30)
      expect(new Set(Chunk.toReadonlyArray(all).map((f) => f.id)).size).toBe(30)
      yield* sim.clearRequests
      yield* Stream.runCollect(files.stream({ pageSize: 30 }))
      expect((yield* recorded).length).toBe(1)
      for (const provider of ["openai", "anthropic"] as const) {
        const items = yield* Stream.runCollect(files.stream({ pageSize: 4, provider }))
        expect(items.length).toBe(30)
      }
      yield* sim.clearRequests
      const firstTwo = yield* Stream.runCollect(Stream.take(files.stream({ pageSize: 10 }), 2))
      expect(firstTwo.length).toBe(2)
      expect((yield* recorded).length).toBe(1)
      // a workspace without files
      const empty = sim.state.workspaces().find((w) => sim.state.files.list(w.id).length === 0)
      if (empty) expect((yield* Stream.runCollect(files.stream({ workspaceId: empty.id }))).length).toBe(0)
    }).pipe(Effect.provide(servicesLayer({ files: { count: 30, placement: "default" } }, noRetry))))

  it.scoped("a repeated cursor fails with PaginationError instead of looping", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const error = yield* Effect.flip(Stream.runDrain(files.stream({ pageSize: 5 })))
      expect(error._tag).toBe("PaginationError")
    }).pipe(
      Effect.provide(servicesLayer({ files: { count: 30, placement: "default" } }, {
        ...noRetry,
        // a server that keeps answering the first page: the cursor never moves on
        transformClient: HttpClient.mapRequest(HttpClientRequest.setUrlParam("cursor", "eyJhZnRlciI6LTF9"))
      }))
    ))

  it.scoped("documented errors: 400 desc, 401, 403, 404, 429 with Retry-After", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const sim = yield* Simulator
      expect((yield* Effect.flip(files.list({ order: "desc" })))._tag).toBe("BadRequestResponseError")
      expect((yield* Effect.flip(files.retrieve({ fileId: "or_file_nope" })))._tag).toBe("NotFoundResponseError")
      const inference = yield* filesWithKey(sim.inferenceKey)
      expect((yield* Effect.flip(inference.list()))._tag).toBe("ForbiddenResponseError")
      const unknown = yield* filesWithKey(Redacted.make("sk-or-v1-unknown"))
      expect((yield* Effect.flip(unknown.list()))._tag).toBe("UnauthorizedResponseError")
      yield* sim.inject({ path: "/files", status: 429, retryAfter: "3 seconds" })
      const limited = yield* Effect.flip(files.list())
      expect(limited._tag).toBe("TooManyRequestsResponseError")
      if (limited._tag === "TooManyRequestsResponseError") expect(limited.retryAfter).toBeDefined()
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("upload from bytes, Blob, Stream and path; type comes from the bytes", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "files-")))
      const path = join(dir, "notes.md")
      yield* Effect.promise(() => writeFile(path, "# Notes\n\n- one\n- two\n"))
      const fromBytes = yield* files.upload({ file: enc("%PDF-1.7\nhello"), filename: "a.pdf" })
      expect(fromBytes).toMatchObject({ filename: "a.pdf", mimeType: "application/pdf", sizeBytes: 14, downloadable: false })
      const fromBlob = yield* files.upload({ file: new Blob(["id,name\n1,a\n2,b\n"]), filename: "b.csv" })
      expect(fromBlob.mimeType).toBe("text/csv")
      const fromStream = yield* files.upload({
        file: Stream.make(enc("{\"a\":"), enc(" 1}")),
        filename: "c.json"
      })
      expect(fromStream.mimeType).toBe("application/json")
      const fromPath = yield* files.upload({ file: { path } })
      expect(fromPath).toMatchObject({ filename: "notes.md", mimeType: "text/markdown" })
      const binary = yield* Effect.flip(files.upload({ file: new Uint8Array([0, 1, 2, 0xff]), filename: "x" }))
      expect(binary._tag).toBe("BadRequestResponseError")
      const notDownloadable = yield* Effect.flip(Stream.runDrain(files.download({ fileId: fromBytes.id })))
      expect(notDownloadable._tag).toBe("BadRequestResponseError")
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("size limits are checked before anything is sent", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const empty = yield* Effect.flip(files.upload({ file: new Uint8Array(0), filename: "e.txt" }))
      expect(empty._tag).toBe("InvalidRequestError")
      const big = new Blob([new Uint8Array(100 * 1024 * 1024 + 1)])
      const tooBig = yield* Effect.flip(files.upload({ file: big, filename: "big.bin" }))
      expect(tooBig._tag).toBe("InvalidRequestError")
      expect(tooBig.message).toContain("100 MB")
      expect((yield* Effect.flip(files.list({ limit: 1001 })))._tag).toBe("InvalidRequestError")
      expect((yield* Effect.flip(files.retrieve({ fileId: "" })))._tag).toBe("InvalidRequestError")
      expect(yield* recorded).toHaveLength(0)
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("a stream of unknown size is aborted once it passes 100 MB", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const chunk = new Uint8Array(4 * 1024 * 1024).fill(0x61)
      const error = yield* Effect.flip(
        files.upload({ file: Stream.repeatValue(chunk).pipe(Stream.take(26)), filename: "huge.txt" })
      )
      expect(error._tag).toBe("InvalidRequestError")
      const sim = yield* Simulator
      expect(sim.state.files.list(sim.state.defaultWorkspaceId).some((f) => f.filename === "huge.txt")).toBe(false)
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("download streams the content; downloadTo writes atomically", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const [first] = (yield* files.list({ limit: 1 })).data
      const bytes = yield* Stream.runFold(files.download({ fileId: first!.id }), 0, (n, c) => n + c.byteLength)
      expect(bytes).toBe(first!.sizeBytes)
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "dl-")))
      const result = yield* files.downloadTo({ fileId: first!.id, path: join(dir, "copy.bin") })
      expect(result.bytes).toBe(first!.sizeBytes)
      expect((yield* Effect.promise(() => stat(join(dir, "copy.bin")))).size).toBe(first!.sizeBytes)
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["copy.bin"])
      const intoDir = yield* Effect.flip(files.downloadTo({ fileId: first!.id, path: dir }))
      expect(intoDir._tag).toBe("InvalidRequestError")
      const missing = yield* Effect.flip(files.downloadTo({ fileId: "or_file_missing", path: join(dir, "m.bin") }))
      expect(missing._tag).toBe("NotFoundResponseError")
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["copy.bin"])
      // a directory that does not exist: said so, naming the target and never our temporary file
      const nowhere = yield* Effect.flip(files.downloadTo({ fileId: first!.id, path: join(dir, "no-such-dir", "x.bin") }))
      expect(nowhere._tag).toBe("LocalFileError")
      expect(nowhere.message).toContain(join(dir, "no-such-dir"))
      expect(nowhere.message).not.toMatch(/\.part\b/)
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("an interrupted download leaves neither the file nor a temp file", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const sim = yield* Simulator
      const big = sim.state.files.list(sim.state.defaultWorkspaceId).find((f) => f.filename === "big.bin")!
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "int-")))
      const fiber = yield* Effect.fork(files.downloadTo({ fileId: big.id, path: join(dir, "big.bin") }))
      // wait (in real time) until bytes are arriving, then interrupt
      for (let i = 0; i < 500; i++) {
        const entries = yield* Effect.promise(() => readdir(dir))
        if (entries.length > 0) {
          const size = (yield* Effect.promise(() => stat(join(dir, entries[0]!)))).size
          if (size > 0) break
        }
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 2)))
      }
      yield* Fiber.interrupt(fiber)
      expect(yield* Effect.promise(() => readdir(dir))).toEqual([])
    }).pipe(
      Effect.provide(servicesLayer({
        files: { extra: [{ filename: "big.bin", sizeBytes: 64 * 1024 * 1024, mimeType: "application/pdf" }] }
      }, noRetry))
    ))

  it.scoped("uploads are retried only when the server cannot have accepted them", () =>
    Effect.gen(function*() {
      const files = yield* Files
      const sim = yield* Simulator
      yield* sim.inject({ method: "POST", path: "/files", status: 503, retryAfter: "2 seconds" })
      const fiber = yield* Effect.fork(files.upload({ file: enc("plain text"), filename: "t.txt" }))
      yield* untilRecorded(1)
      // the 503's Retry-After is a wait on the TestClock: move it on
      for (let i = 0; i < 200 && (yield* recorded).length < 2; i++) {
        yield* TestClock.adjust("2 seconds")
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 2)))
      }
      expect((yield* Fiber.join(fiber)).mimeType).toBe("text/plain")
      expect((yield* recorded).map((r) => r.status)).toEqual([503, 200])
      yield* sim.clearRequests
      yield* sim.inject({ method: "POST", path: "/files", status: 500 })
      const ambiguous = yield* Effect.flip(files.upload({ file: enc("plain text"), filename: "t.txt" }))
      expect(ambiguous._tag).toBe("InternalServerResponseError")
      expect((yield* recorded).map((r) => r.status)).toEqual([500])
      yield* sim.clearRequests
      yield* sim.inject({ method: "POST", path: "/files", status: 503, retryAfter: "2 seconds" })
      const once = yield* Effect.flip(files.upload({ file: Stream.make(enc("plain text")), filename: "s.txt" }))
      expect(once._tag).toBe("ServiceUnavailableResponseError")
      expect((yield* recorded).length).toBe(1)
    }).pipe(Effect.provide(servicesLayer({}, { retry: RetryPolicy.make({ jitter: false }), timeout: "1 day" }))))
})

describe("files spec examples", () => {
  const spec = parse(
    readFileSync(fileURLToPath(new URL("../spec/openrouter-openapi.yaml", import.meta.url)), "utf8")
  ) as any
  const byId: Record<string, { decode: (u: unknown) => Effect.Effect<unknown, unknown> }> = {
    listFiles: operations.list.openrouter,
    uploadFile: operations.upload.openrouter,
    getFileMetadata: operations.retrieve.openrouter,
    deleteFile: operations.delete.openrouter
  }
  const examples = Object.values(spec.paths).flatMap((ops: any) =>
    Object.values(ops).flatMap((op: any) =>
      String(op.operationId).match(/File/)
        ? Object.entries(op.responses).flatMap(([status, response]: [string, any]) => {
          const example = response?.content?.["application/json"]?.example
          return example === undefined ? [] : [{ id: op.operationId as string, status, example }]
        })
        : []
    )
  )
  it("covers the JSON examples of the five file operations", () => {
    expect(new Set(examples.map((e) => e.id))).toEqual(
      new Set(["listFiles", "uploadFile", "getFileMetadata", "deleteFile", "downloadFileContent"])
    )
  })
  for (const { example, id, status } of examples) {
    it(`${id} ${status} decodes`, () => {
      const result = status.startsWith("2")
        ? Effect.runSync(Effect.either(byId[id]!.decode(example)))
        : Schema.decodeUnknownEither(ErrorResponse)(example)
      expect(Either.isRight(result)).toBe(true)
    })
  }
})
