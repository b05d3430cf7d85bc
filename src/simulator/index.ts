/**
 * An OpenRouter simulator that behaves like the management API (validation, documented errors,
 * pagination, auth, rate limits, injected faults), in memory and seeded. Three ways to run it:
 *
 * - `Simulator.layerClient(options)`: for tests. Every service wired to an in-memory simulator (no
 *   port, no network), plus `Simulator` itself for `state`, `requests` and `inject`.
 * - `Simulator.layer(options)`: a real HTTP server on loopback for the program's lifetime (for
 *   anything that must dial it: another process, the CLI, `fetch`).
 * - `Simulator.start(options)`: the same from plain async code (scripts, benchmarks), closed with `close()`.
 *
 * ```ts
 * it.effect("reads a workspace", () =>
 *   Effect.gen(function*() {
 *     const sim = yield* Simulator
 *     const workspace = yield* Workspaces.Workspaces.get({ id: "engineering" })
 *     expect(sim.state.workspaceMembers("engineering").length).toBeGreaterThan(0)
 *   }).pipe(Effect.provide(Simulator.layerClient({ seed: "demo" }))))
 * ```
 *
 * @since 0.1.0
 */
import { HttpClient, HttpMiddleware, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeHttpServerRequest } from "@effect/platform-node"
import { Cause, type ConfigError, Context, Effect, Exit, Layer, Redacted, Schema, Scope } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import type { Services } from "../index.ts"
import { servicesLayer } from "../internal/services.ts"
import * as OpenRouterClient from "../OpenRouterClient.ts"
import { type Core, type CoreOptions, Dropped, makeCore, PREFIX, type RecordedRequest, type SimulatorState } from "./app.ts"
import type { FaultOptions, Injection, RateLimitOptions } from "./faults.ts"
import * as InMemory from "./in-memory.ts"

export type {
  /**
   * Ground truth: what one key spent on one model on one UTC day.
   *
   * @since 0.1.0
   * @category models
   */
  ActivityRecord,
  /**
   * A model as the simulator serves it: its slug, permaslug, one endpoint and its price per million tokens.
   *
   * @since 0.1.0
   * @category models
   */
  SimulatedModel
} from "./activity-state.ts"
export type {
  /**
   * One request the simulator received: method, path below `/api/v1`, query, status (0: dropped), time.
   *
   * @since 0.1.0
   * @category models
   */
  RecordedRequest,
  /**
   * Direct read access to the in-memory organisation, for tests.
   *
   * @since 0.1.0
   * @category models
   */
  SimulatorState
} from "./app.ts"
export type {
  /**
   * Random faults: the share of requests answered with an error status, or dropped.
   *
   * @since 0.1.0
   * @category models
   */
  FaultOptions,
  /**
   * A scripted answer for the next matching request(s): a status (with `Retry-After`), or a dropped connection.
   *
   * @since 0.1.0
   * @category models
   */
  Injection,
  /**
   * A token bucket: requests per second and burst; past it, 429 with `Retry-After`.
   *
   * @since 0.1.0
   * @category models
   */
  RateLimitOptions
} from "./faults.ts"
export type {
  /**
   * The seeded files: how many, where, and extra ones (e.g. a large one for a download benchmark).
   *
   * @since 0.1.0
   * @category models
   */
  FileStoreOptions
} from "./files-store.ts"
export type {
  /**
   * The seeded organisation's size: members, workspaces, keys per page.
   *
   * @since 0.1.0
   * @category models
   */
  OrganizationOptions
} from "./state.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface SimulatorOptions extends CoreOptions {
  /** Same seed, same organisation, same ids, same fault dice. Default "openrouter-effect". */
  readonly seed?: string
  /** Default 0: a free port (`layer` and `start` only). */
  readonly port?: number
  /** Default 127.0.0.1 (`layer` and `start` only). */
  readonly host?: string
  /**
   * Record the server's own `http.server` span for each request in the program's tracer. Default
   * false: a test's tracer sees the client's operation spans, not the simulator's.
   */
  readonly tracing?: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SimulatorService {
  /** `http://127.0.0.1:PORT/api/v1` (in memory: `http://simulator.invalid/api/v1`, never dialled). */
  readonly baseUrl: string
  /** The port listened on; 0 in memory. */
  readonly port: number
  readonly managementKey: Redacted.Redacted<string>
  /** A valid key that is not a management key (403/401 on management operations). */
  readonly inferenceKey: Redacted.Redacted<string>
  /** Direct read access to the in-memory organisation, for assertions. */
  readonly state: SimulatorState
  /** Every request so far: method, path below `/api/v1`, query, status (0: dropped). */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: Effect.Effect<void>
  /** Answer the next matching request(s) with a scripted status or a dropped connection. */
  readonly inject: (injection: Injection) => Effect.Effect<void>
  readonly setFaults: (faults: FaultOptions) => Effect.Effect<void>
  readonly setRateLimit: (rateLimit: RateLimitOptions | undefined) => Effect.Effect<void>
  /** Added to every request, in real time (a `TestClock` does not move it). */
  readonly setLatency: (latency: import("effect").Duration.DurationInput) => Effect.Effect<void>
}

/**
 * The simulator's server could not start (most often: the port is in use).
 *
 * @since 0.1.0
 * @category errors
 */
export class SimulatorStartError extends Schema.TaggedError<SimulatorStartError>()("SimulatorStartError", {
  host: Schema.String,
  port: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `the simulator could not listen on ${this.host}:${this.port}: ${this.reason}` +
      (/EADDRINUSE/.test(this.reason) ? " (the port is in use: pick another, or 0 for a free one)" : "")
  }
}

/**
 * What `layerClient` takes: the simulator's options, and the client's (e.g. `retry`, `timeout`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientLayerOptions extends CoreOptions {
  /** Options of the client (its key and base URL are the simulator's unless given). */
  readonly client?: Partial<OpenRouterClient.Options>
  /** Which of the simulator's keys the client uses. Default "management". */
  readonly key?: "management" | "inference"
}

/**
 * Every service of the client entry point (the one type, from `openrouter-effect`).
 *
 * @since 0.1.0
 * @category models
 */
export type {
  /**
   * Every service of the client entry point (the same as `openrouter-effect`'s `Services`).
   *
   * @since 0.1.0
   * @category models
   */
  Services
}

/**
 * @since 0.1.0
 * @category services
 */
export class Simulator extends Context.Tag("openrouter-effect/Simulator")<Simulator, SimulatorService>() {
  /**
   * A real HTTP server for the lifetime of the layer; a busy port fails with {@link SimulatorStartError}.
   *
   * @since 0.1.0
   */
  static layer(options: SimulatorOptions = {}): Layer.Layer<Simulator, SimulatorStartError> {
    return Layer.scoped(Simulator, make(options))
  }

  /**
   * For tests: every service (`Workspaces`, `Organization`, `Files`, `Keys`, `Guardrails`, `Activity`,
   * `Analytics`, `Credits`, `Byok`, `Scim`, `Observability`) and
   * `OpenRouterClient` wired to an in-memory simulator, with `Simulator` for assertions and faults.
   * No port, no socket: a request is a function call, so a retry's wait is the only thing a
   * `TestClock` has to move.
   *
   * @since 0.1.0
   */
  static layerClient(
    options: ClientLayerOptions = {}
  ): Layer.Layer<Simulator | OpenRouterClient.OpenRouterClient | HttpClient.HttpClient | Services, ConfigError.ConfigError> {
    return servicesLayer.pipe(
      Layer.provideMerge(Layer.unwrapEffect(Effect.map(Simulator, (sim) =>
        OpenRouterClient.layer({
          apiKey: options.key === "inference" ? sim.inferenceKey : sim.managementKey,
          baseUrl: sim.baseUrl,
          ...options.client
        })))),
      Layer.provideMerge(layerInMemory(options))
    )
  }

  /**
   * A real HTTP server from plain async code (scripts, benchmarks); see {@link start}.
   *
   * @since 0.1.0
   */
  static start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
    return start(options)
  }

  /**
   * A simulator in memory and the `HttpClient` that reaches it, for building the client yourself.
   *
   * @since 0.1.0
   */
  static layerInMemory(options: CoreOptions = {}) {
    return layerInMemory(options)
  }
}

const serviceOf = (core: Core, baseUrl: string, port: number): SimulatorService => {
  const { handle: _, ...rest } = core
  return { ...rest, baseUrl, port }
}

const layerInMemory = (options: CoreOptions) =>
  Layer.effectContext(Effect.sync(() => {
    const core = makeCore(options)
    return Context.make(Simulator, serviceOf(core, `${InMemory.ORIGIN}${PREFIX}`, 0)).pipe(
      Context.add(HttpClient.HttpClient, InMemory.make(core.handle))
    )
  }))

const dropConnection = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy())

/**
 * The simulator as a real HTTP server, in the current scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: SimulatorOptions = {}) =>
  Effect.gen(function*() {
    const core = makeCore(options)
    const host = options.host ?? "127.0.0.1"
    const app = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
      Effect.flatMap(core.handle(request), (answer) =>
        answer === Dropped
          ? Effect.as(dropConnection(request), HttpServerResponse.empty({ status: 499 }))
          : Effect.succeed(answer)))
    const server = createServer()
    const serving = HttpServer.serve(app, (x) => x).pipe(
      Layer.provide(NodeHttpServer.layer(() => server, { port: options.port ?? 0, host })),
      HttpMiddleware.withTracerDisabledWhen(() => options.tracing !== true)
    )
    yield* Layer.buildWithScope(serving, yield* Effect.scope).pipe(
      Effect.catchAllCause((cause) =>
        new SimulatorStartError({
          host,
          port: options.port ?? 0,
          reason: String((Cause.squash(cause) as { cause?: unknown })?.cause ?? Cause.squash(cause))
        })
      )
    )
    const { port } = server.address() as AddressInfo
    return serviceOf(core, `http://${host}:${port}${PREFIX}`, port)
  })

/**
 * A running simulator for programs that are not Effect programs (benchmarks, scripts).
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningSimulator {
  readonly baseUrl: string
  readonly port: number
  /** The keys in clear, for other processes (`OPENROUTER_API_KEY=…`). */
  readonly managementKey: string
  readonly inferenceKey: string
  readonly service: SimulatorService
  readonly requests: () => Promise<ReadonlyArray<RecordedRequest>>
  readonly close: () => Promise<void>
}

/**
 * Start a real HTTP simulator from async code; `close()` stops it. Rejects with a
 * {@link SimulatorStartError} when it cannot listen.
 *
 * ```ts
 * const sim = await start({ seed: "demo", port: 4010 })
 * // OPENROUTER_BASE_URL=sim.baseUrl OPENROUTER_API_KEY=sim.managementKey openrouter-admin workspaces list
 * await sim.close()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = async (options: SimulatorOptions = {}): Promise<RunningSimulator> => {
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(Scope.extend(make(options), scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    throw Cause.squash(exit.cause)
  }
  const service = exit.value
  return {
    baseUrl: service.baseUrl,
    port: service.port,
    managementKey: Redacted.value(service.managementKey),
    inferenceKey: Redacted.value(service.inferenceKey),
    service,
    requests: () => Effect.runPromise(service.requests),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
