/**
 * The client's edges (issues 14 and 18): option names shared with @effect/ai-openrouter, settings that
 * cannot be sent refused when the layer is built (naming them), a missing key named, every operation's
 * span carrying the answer's status, a 404 that is not the API's saying to check the base URL, a real
 * calendar check on expiry dates, downloads accepting the API's JSON errors, and "is this transient?".
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Either, Exit, Layer, Redacted, Stream } from "effect"
import { ConnectionError, InvalidRequestError, NotFoundResponseError, ServiceUnavailableResponseError } from "../src/Errors.ts"
import { Files } from "../src/Files.ts"
import { Keys } from "../src/Keys.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator } from "../src/simulator/index.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { recordingTracer } from "./support.ts"

/** The headers of every request the client sends, recorded on the in-memory simulator's HttpClient. */
const recordingHeaders = () => {
  const seen: Array<{ url: string; headers: Record<string, string> }> = []
  const layer = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      // at the transport: the request as it is sent (URL and headers complete)
      HttpClient.make((request) => {
        seen.push({ url: request.url, headers: { ...request.headers } })
        return client.execute(request)
      }))
  ).pipe(Layer.provideMerge(Simulator.layerInMemory()))
  return { seen, layer }
}

const workspacesWith = (client: (sim: Simulator["Type"]) => Layer.Layer<OpenRouterClient.OpenRouterClient, unknown, HttpClient.HttpClient>) => {
  const { layer, seen } = recordingHeaders()
  return {
    seen,
    layer: Workspaces.Default.pipe(
      Layer.provide(Layer.unwrapEffect(Effect.map(Simulator, client))),
      Layer.provideMerge(layer)
    )
  }
}

const fromEnv = (env: Record<string, string>) => Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("OpenRouterClient options", () => {
  it.effect("@effect/ai-openrouter's names (apiUrl, referrer, title) work beside ours", () =>
    Effect.gen(function*() {
      const { layer, seen } = workspacesWith((sim) =>
        OpenRouterClient.layer({ apiKey: sim.managementKey, apiUrl: sim.baseUrl, referrer: "https://ops.example", title: "ops" })
      )
      yield* Workspaces.get({ id: "engineering" }).pipe(Effect.provide(layer))
      expect(seen[0]!.url).toBe("http://simulator.invalid/api/v1/workspaces/engineering")
      expect(seen[0]!.headers).toMatchObject({ "http-referer": "https://ops.example", "x-openrouter-title": "ops" })
    }))

  it.effect("layerConfig takes them too, as Configs", () =>
    Effect.gen(function*() {
      const { layer, seen } = workspacesWith((sim) =>
        OpenRouterClient.layerConfig({
          apiKey: Config.succeed(sim.managementKey),
          apiUrl: Config.succeed(sim.baseUrl),
          title: Config.succeed("from-config")
        })
      )
      yield* Workspaces.get({ id: "engineering" }).pipe(Effect.provide(layer))
      expect(seen[0]!.headers["x-openrouter-title"]).toBe("from-config")
    }))

  it.effect("a missing OPENROUTER_API_KEY is a ConfigError whose message names it (not \"<redacted>\")", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Layer.build(OpenRouterClient.layerConfig()).pipe(Effect.scoped))
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(String(error)).toContain("OPENROUTER_API_KEY")
      expect((error as { message?: string })?.message).not.toBe("<redacted>")
      expect((error as { message?: string })?.message).toContain("OPENROUTER_API_KEY")
    }).pipe(Effect.provide(Layer.merge(fromEnv({}), Simulator.layerInMemory()))))

  it.effect("a non-ASCII OPENROUTER_APP_TITLE is refused when the layer is built, naming it; nothing is sent", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const exit = yield* Effect.exit(Layer.build(OpenRouterClient.layerConfig()).pipe(Effect.scoped))
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(String(error)).toContain("OPENROUTER_APP_TITLE")
      expect(String(error)).toContain("printable ASCII")
      expect(yield* sim.requests).toEqual([])
    }).pipe(
      Effect.provide(Layer.merge(fromEnv({ OPENROUTER_API_KEY: "sk-or-v1-x", OPENROUTER_APP_TITLE: "Café ☕" }), Simulator.layerInMemory()))
    ))

  it.effect("…and as a plain option too (a typed ConfigError, not a defect and not 'connection failed' later)", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Layer.build(OpenRouterClient.layer({ apiKey: Redacted.make("sk-or-v1-x"), appTitle: "Café" })).pipe(Effect.scoped)
      )
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(String(error)).toContain("appTitle (sent as X-OpenRouter-Title)")
    }).pipe(Effect.provide(Simulator.layerInMemory())))
})

describe("client edges", () => {
  it.effect("Keys.create's span carries http.response.status_code (every operation's span does)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const holder = sim.state.apiKeys().find((k) =>
        k.active && k.workspaceId !== sim.state.defaultWorkspaceId &&
        sim.state.workspaceMembers(k.workspaceId).some((m) => m.userId === k.creatorUserId)
      )!
      const { spans, tracer } = recordingTracer()
      yield* Keys.create({ name: "ci", workspaceId: holder.workspaceId, creatorUserId: holder.userId }).pipe(Effect.withTracer(tracer))
      const files = yield* Files
      yield* files.upload({ file: new TextEncoder().encode("x"), filename: "x.txt" }).pipe(Effect.withTracer(tracer))
      const byName = new Map(spans.map((s) => [s.name, s.attributes.get("http.response.status_code")]))
      expect(byName.get("Keys.create")).toBeTypeOf("number")
      expect(byName.get("Files.upload")).toBeTypeOf("number")
    }).pipe(Effect.provide(Simulator.layerClient())))

  it.effect("a 404 that is not the API's JSON (a base URL without /api/v1) says to check the base URL", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const layer = Workspaces.Default.pipe(
        Layer.provide(OpenRouterClient.layer({ apiKey: sim.managementKey, baseUrl: sim.baseUrl.replace(/\/api\/v1$/, "") }))
      )
      const error = yield* Effect.flip(Workspaces.get({ id: "engineering" }).pipe(Effect.provide(layer)))
      expect(error).toBeInstanceOf(NotFoundResponseError)
      expect(error.message).toContain("check the base URL")
      // the API's own 404 keeps its hint
      const real = yield* Effect.flip(Workspaces.get({ id: "no-such-workspace" }))
      expect(real.message).toContain("Nothing exists at this id or slug")
    }).pipe(Effect.provide(Simulator.layerClient())))

  it.effect("Keys.create refuses a date that is not on the calendar (2027-02-30), sending nothing", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      for (const expiresAt of ["2027-02-30T00:00:00Z", "2027-04-31T12:00:00Z", "2027-13-01T00:00:00Z", "2027-01-01T24:00:00Z"]) {
        const error = yield* Effect.flip(Keys.create({ name: "ci", expiresAt }))
        expect(error, expiresAt).toBeInstanceOf(InvalidRequestError)
      }
      expect(yield* sim.requests).toEqual([])
      // a real date still goes through validation
      const ok = yield* Effect.either(Keys.create({ name: "ci", expiresAt: "2028-02-29T00:00:00Z" }))
      expect(Either.isLeft(ok) && ok.left._tag === "InvalidRequestError").toBe(false)
    }).pipe(Effect.provide(Simulator.layerClient())))

  it.effect("downloads accept the API's JSON errors: a missing file is a NotFoundResponseError, not a 406", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Stream.runDrain(Files.download({ fileId: "or_file_missing" })))
      expect(error).toBeInstanceOf(NotFoundResponseError)
    }).pipe(Effect.provide(Simulator.layerClient())))

  it("RetryPolicy.isTransient: busy, failing or unanswered is transient; the caller's mistakes are not", () => {
    const response = { method: "GET", path: "/x", serverMessage: "m" }
    expect(RetryPolicy.isTransient(new ServiceUnavailableResponseError({ ...response, status: 503 }))).toBe(true)
    expect(RetryPolicy.isTransient(new ConnectionError({ method: "GET", path: "/x", reason: "ECONNRESET" }))).toBe(true)
    expect(RetryPolicy.isTransient(new NotFoundResponseError({ ...response, status: 404 }))).toBe(false)
    expect(RetryPolicy.isTransient(new InvalidRequestError({ operation: "x", issue: "y" }))).toBe(false)
    expect(RetryPolicy.isTransient("boom")).toBe(false)
  })
})
