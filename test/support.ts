/** Layers for tests: a fresh simulator on loopback and our services pointed at it. */
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { Context, Effect, Layer, type Redacted, TestServices, Tracer } from "effect"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Files } from "../src/Files.ts"
import { Guardrails } from "../src/Guardrails.ts"
import { Keys } from "../src/Keys.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Organization } from "../src/Organization.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator, type SimulatorOptions } from "../src/simulator/index.ts"
import { Workspaces } from "../src/Workspaces.ts"

export type ClientOptions = Partial<OpenRouterClient.Options>

/** The client pointed at the simulator with its management key (override anything). */
export const clientLayer = (options: ClientOptions = {}) =>
  Layer.unwrapEffect(
    Effect.map(Simulator, (sim) => OpenRouterClient.layer({ apiKey: sim.managementKey, baseUrl: sim.baseUrl, ...options }))
  )

/** Simulator + client + Workspaces + Organization + Files (+ the platform's FileSystem and Path), all fresh. */
export const servicesLayer = (simulator: SimulatorOptions = {}, client: ClientOptions = {}) =>
  Layer.mergeAll(Workspaces.Default, Organization.Default, Files.Default).pipe(
    Layer.provideMerge(clientLayer(client)),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provideMerge(Simulator.layer({ seed: "test", ...simulator })),
    Layer.provideMerge(NodeContext.layer)
  )

/** The requests the simulator has recorded so far (method, path, status). */
export const recorded = Effect.flatMap(Simulator, (sim) => sim.requests)

/**
 * Wait (in real time: the HTTP exchange is real) until the simulator has recorded `n` requests.
 * Used with TestClock: the client's retry waits only pass when the test adjusts the clock.
 */
export const untilRecorded = (n: number) =>
  Effect.gen(function*() {
    const sim = yield* Simulator
    for (let i = 0; i < 2000; i++) {
      if ((yield* sim.requests).length >= n) return
      yield* TestServices.provideLive(Effect.sleep("2 millis"))
    }
    return yield* Effect.dieMessage(`the simulator never recorded ${n} requests`)
  })

/** A second Workspaces service on the same simulator with another key (and optionally base URL). */
export const withKey = (apiKey: Redacted.Redacted<string>, baseUrl?: string) =>
  Effect.gen(function*() {
    const sim = yield* Simulator
    const context = yield* Layer.build(
      Workspaces.Default.pipe(
        Layer.provide(OpenRouterClient.layer({ apiKey, baseUrl: baseUrl ?? sim.baseUrl, retry: RetryPolicy.none })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
    return Context.get(context, Workspaces)
  })

/**
 * A bare HTTP server on loopback for the cases the simulator must not do (never answering, or
 * answering a body that breaks the schema); returns its `/api/v1` base URL, closed with the scope.
 */
export const rawServer = (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.async<Server>((resume) => {
        const server = createServer(handler)
        server.listen(0, "127.0.0.1", () => {
          resume(Effect.succeed(server))
        })
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    ),
    (server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`
  )

/** Simulator + client + Keys + Guardrails + Workspaces, all fresh. */
export const accessLayer = (simulator: SimulatorOptions = {}, client: ClientOptions = {}) =>
  Layer.mergeAll(Keys.Default, Guardrails.Default, Workspaces.Default).pipe(
    Layer.provideMerge(clientLayer(client)),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provideMerge(Simulator.layer({ seed: "test", ...simulator }))
  )

/** A Keys and a Guardrails service on the same simulator with another key (no retries). */
export const accessWithKey = (apiKey: Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    const sim = yield* Simulator
    const context = yield* Layer.build(
      Layer.mergeAll(Keys.Default, Guardrails.Default).pipe(
        Layer.provide(OpenRouterClient.layer({ apiKey, baseUrl: sim.baseUrl, retry: RetryPolicy.none })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
    return { keys: Context.get(context, Keys), guardrails: Context.get(context, Guardrails) }
  })

/** Spans recorded by a minimal tracer, with their attributes. */
export const recordingTracer = () => {
  const spans: Array<{ name: string; attributes: Map<string, unknown> }> = []
  const tracer = Tracer.make({
    context: (f) => f(),
    span: (name, parent, context, links, _startTime, kind) => {
      const attributes = new Map<string, unknown>()
      spans.push({ name, attributes })
      return {
        _tag: "Span",
        name,
        spanId: `span${spans.length}`,
        traceId: "trace",
        parent,
        context,
        status: { _tag: "Started", startTime: 0n },
        attributes,
        links,
        sampled: true,
        kind,
        end: () => {},
        attribute: (key, value) => attributes.set(key, value),
        event: () => {},
        addLinks: () => {}
      }
    }
  })
  return { spans, tracer }
}
