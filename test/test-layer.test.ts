/**
 * Testing as Effect users test: `Simulator.layerClient` gives every service wired to an in-memory
 * simulator (no port, no socket), `state`/`requests` for assertions and `inject` for faults; retries
 * run under `TestClock` with the obvious pattern (fork, adjust, join); the simulator adds no span of its
 * own to the program's tracer; `Simulator.layer` on a busy port fails with a typed error.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Fiber, Layer, Option, Stream, TestClock } from "effect"
import { createServer } from "node:net"
import { Files } from "../src/Files.ts"
import { Keys } from "../src/Keys.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Organization } from "../src/Organization.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator, SimulatorStartError } from "../src/simulator/index.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { recordingTracer } from "./support.ts"

describe("Simulator.layerClient", () => {
  it.effect("every service reaches the in-memory simulator; state and requests are there to assert on", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      expect(sim.baseUrl).toBe("http://simulator.invalid/api/v1")
      const created = yield* Workspaces.create({ name: "Production", slug: "production" })
      expect(sim.state.workspaces().map((w) => w.slug)).toContain("production")
      const members = sim.state.members().slice(0, 2).map((m) => m.id)
      const added = yield* Workspaces.bulkAddMembers({ id: created.data.id, userIds: members })
      expect(added.addedCount).toBe(2)
      expect(sim.state.workspaceMembers("production").map((m) => m.userId).sort()).toEqual([...members].sort())
      const count = yield* Stream.runCount(Organization.streamMembers())
      expect(count).toBe(sim.state.members().length)
      const current = yield* Keys.current()
      expect(current.data.isManagementKey).toBe(true)
      // a multipart upload and a streamed download go through too
      const file = yield* Effect.flatMap(Files, (files) => files.upload({ file: new TextEncoder().encode("hello"), filename: "h.txt" }))
      expect(file.filename).toBe("h.txt")
      const seeded = sim.state.files.list(sim.state.defaultWorkspaceId).find((f) => f.downloadable)!
      const bytes = yield* Stream.runFold(Files.download({ fileId: seeded.id }), 0, (n, chunk) => n + chunk.byteLength)
      expect(bytes).toBe(seeded.sizeBytes)
      const requests = yield* sim.requests
      expect(requests[0]).toMatchObject({ method: "POST", path: "/workspaces", status: 201 })
    }).pipe(Effect.provide(Simulator.layerClient({ seed: "layer-client" }))))

  it.effect("retries under TestClock: fork, adjust, join (the obvious pattern works)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* sim.inject({ method: "GET", path: "/workspaces/", status: 503, times: 2 })
      const fiber = yield* Effect.fork(Workspaces.get({ id: "engineering" }))
      // 500 ms then 750 ms (the default policy without jitter): nothing moves until the clock does
      yield* TestClock.adjust("499 millis")
      expect((yield* sim.requests).map((r) => r.status)).toEqual([503])
      yield* TestClock.adjust("1 second")
      const workspace = yield* Fiber.join(fiber)
      expect(workspace.data.slug).toBe("engineering")
      expect((yield* sim.requests).map((r) => r.status)).toEqual([503, 503, 200])
    }).pipe(Effect.provide(Simulator.layerClient({ client: { retry: RetryPolicy.make({ jitter: false }) } }))))

  it.effect("a dropped connection is a ConnectionError, retried like one", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* sim.inject({ path: "/workspaces", drop: true })
      const failed = yield* Effect.either(Workspaces.list().pipe(RetryPolicy.withPolicy(RetryPolicy.none)))
      expect(Either.isLeft(failed) && failed.left._tag).toBe("ConnectionError")
      const fiber = yield* Effect.fork(Workspaces.list())
      yield* sim.inject({ path: "/workspaces", drop: true })
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber)).data.length).toBeGreaterThan(0)
    }).pipe(Effect.provide(Simulator.layerClient())))

  it.effect("the inference key: management operations answer 403/401, GET /key answers", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Workspaces.create({ name: "X", slug: "x" }))
      expect(error._tag).toBe("ForbiddenResponseError")
      const current = yield* Keys.current()
      expect(current.data.isManagementKey).toBe(false)
    }).pipe(Effect.provide(Simulator.layerClient({ key: "inference" }))))

  it.effect("the simulator adds no span of its own to the program's tracer (only the client's)", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      yield* Workspaces.get({ id: "engineering" }).pipe(Effect.withTracer(tracer))
      expect(spans.map((s) => s.name)).toEqual(["Workspaces.get"])
    }).pipe(Effect.provide(Simulator.layerClient())))

  it.effect("over HTTP too: Simulator.layer's http.server spans are off unless tracing: true", () =>
    Effect.gen(function*() {
      const names = (tracing: boolean) =>
        Effect.gen(function*() {
          const { spans, tracer } = recordingTracer()
          yield* Effect.scoped(Effect.gen(function*() {
            const sim = yield* Effect.provide(Simulator, yield* Layer.build(Simulator.layer({ tracing })))
            yield* Effect.flatMap(Workspaces, (w) => w.get({ id: "engineering" })).pipe(
              Effect.provide(Workspaces.Default.pipe(
                Layer.provide(OpenRouterClient.layer({ apiKey: sim.managementKey, baseUrl: sim.baseUrl })),
                Layer.provide(NodeHttpClient.layerUndici)
              ))
            )
          })).pipe(Effect.withTracer(tracer))
          return spans.map((s) => s.name)
        })
      expect(yield* names(false)).toEqual(["Workspaces.get"])
      expect((yield* names(true)).filter((name) => name.startsWith("http.server"))).toHaveLength(1)
    }))

  it.effect("Simulator.layer on a busy port fails with SimulatorStartError (not a defect)", () =>
    Effect.gen(function*() {
      const blocker = createServer()
      const port = yield* Effect.async<number>((resume) => {
        blocker.listen(0, "127.0.0.1", () => resume(Effect.succeed((blocker.address() as { port: number }).port)))
      })
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(Simulator.layer({ port }))))
      blocker.close()
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit)
        ? Option.getOrUndefined(exit.cause._tag === "Fail" ? Option.some(exit.cause.error) : Option.none())
        : undefined
      expect(error).toBeInstanceOf(SimulatorStartError)
      expect(error?.message).toContain(`127.0.0.1:${port}`)
      expect(error?.message).toContain("in use")
    }))
})
