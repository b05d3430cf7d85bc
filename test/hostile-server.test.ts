/**
 * Servers that misbehave in ways the simulator does not: a proxy that echoes the Authorization header
 * into its error body (the key must never reach an error), and a server that checks `Accept`.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Layer, Redacted, Stream } from "effect"
import { Files } from "../src/Files.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { rawServer } from "./support.ts"

const key = "sk-or-v1-0123456789abcdef0123456789abcdef"
const proxyKey = "my-corporate-proxy-token-123"

const services = (baseUrl: string, apiKey = key) =>
  Effect.map(
    Layer.build(
      Layer.mergeAll(Workspaces.Default, Files.Default).pipe(
        Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(apiKey), baseUrl, retry: RetryPolicy.none })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    ),
    (context) => ({ workspaces: Context.get(context, Workspaces), files: Context.get(context, Files) })
  )

/** Everything an error shows: its message, its fields, its pretty-printed cause. */
const everything = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) ? `${Cause.pretty(exit.cause)}\n${JSON.stringify(Cause.squash(exit.cause))}` : "success"

describe("a hostile server", () => {
  it.scoped("an echoed key is scrubbed from error messages, metadata and invalid-body snippets", () =>
    Effect.gen(function*() {
      const baseUrl = yield* rawServer((request, response) => {
        const echoed = request.headers.authorization ?? ""
        if (request.url?.includes("/workspaces/broken")) {
          response.writeHead(200, { "content-type": "application/json" })
          response.end(JSON.stringify({ unexpected: echoed }))
          return
        }
        response.writeHead(401, { "content-type": "application/json" })
        response.end(JSON.stringify({ error: { code: 401, message: `bad header: ${echoed}`, metadata: { header: echoed } } }))
      })
      for (const apiKey of [key, proxyKey]) {
        const { workspaces } = yield* services(baseUrl, apiKey)
        const refused = yield* Effect.exit(workspaces.get({ id: "team-a" }))
        expect(everything(refused)).toContain("[REDACTED]")
        expect(everything(refused)).not.toContain(apiKey)
        const broken = yield* Effect.exit(workspaces.get({ id: "broken" }))
        expect(everything(broken)).toContain("ResponseValidationError")
        expect(everything(broken)).not.toContain(apiKey)
      }
    }))

  it.scoped("a download asks for application/octet-stream, JSON operations for application/json", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const baseUrl = yield* rawServer((request, response) => {
        seen.push(`${request.url?.split("?")[0]} ${request.headers.accept}`)
        if (request.url?.includes("/content")) {
          if (!request.headers.accept?.includes("application/octet-stream")) {
            response.writeHead(406).end()
            return
          }
          response.writeHead(200, { "content-type": "application/octet-stream" })
          response.end(Buffer.from("hello"))
          return
        }
        response.writeHead(404, { "content-type": "application/json" })
        response.end(JSON.stringify({ error: { code: 404, message: "no" } }))
      })
      const { files, workspaces } = yield* services(baseUrl)
      const bytes = yield* Stream.runCollect(files.download({ fileId: "file-1" }))
      expect(Buffer.concat([...bytes]).toString()).toBe("hello")
      yield* Effect.exit(workspaces.get({ id: "x" }))
      expect(seen).toEqual([
        // the content, or the API's JSON errors (a server honouring Accept can send its documented errors)
        "/api/v1/files/file-1/content application/octet-stream, application/json",
        "/api/v1/workspaces/x application/json"
      ])
    }))
})
