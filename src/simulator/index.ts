/**
 * An OpenRouter simulator: a real HTTP server that behaves like the management API (validation,
 * documented errors, pagination, auth, rate limits, injected faults), in memory and seeded.
 *
 * ```ts
 * const sim = yield* Simulator            // from Simulator.layer({ seed: "demo" })
 * OpenRouterClient.layer({ apiKey: sim.managementKey, baseUrl: sim.baseUrl })
 * ```
 *
 * @since 0.1.0
 */
import { HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeHttpServerRequest } from "@effect/platform-node"
import { Context, Duration, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { type ActivityRecord, ActivityState } from "./activity-state.ts"
import { activityRoutes, creditsRoutes } from "./activity.ts"
import { analyticsRoutes } from "./analytics.ts"
import { faultMessage, type FaultOptions, Faults, type Injection, type RateLimitOptions } from "./faults.ts"
import { FileStore, type FileStoreOptions } from "./files-store.ts"
import { filesRoutes } from "./files.ts"
import { guardrailRoutes } from "./guardrails.ts"
import { type Env, failure } from "./http.ts"
import { keyRoutes } from "./keys.ts"
import { hash, prng, toBase62 } from "./random.ts"
import { router } from "./router.ts"
import { type ApiKey, type OrganizationOptions, OrganizationState } from "./state.ts"
import { organizationRoutes, workspaceRoutes } from "./workspaces.ts"

export type { ActivityRecord, SimulatedModel } from "./activity-state.ts"
export type { FaultOptions, Injection, RateLimitOptions } from "./faults.ts"
export type { FileStoreOptions } from "./files-store.ts"
export type { OrganizationOptions } from "./state.ts"

export interface SimulatorOptions {
  /** Same seed, same organisation, same ids, same fault dice. Default "openrouter-effect". */
  readonly seed?: string
  /** Default 0: a free port. */
  readonly port?: number
  /** Default 127.0.0.1. */
  readonly host?: string
  /** Added to every request. */
  readonly latency?: Duration.DurationInput
  /** A token bucket over all authenticated requests; past it, 429 with Retry-After. */
  readonly rateLimit?: RateLimitOptions
  /** Random 5xx answers and dropped connections. */
  readonly faults?: FaultOptions
  readonly organization?: OrganizationOptions
  readonly files?: FileStoreOptions
}

export interface RecordedRequest {
  readonly method: string
  /** Below `/api/v1`, without the query. */
  readonly path: string
  readonly query: string
  /** 0 when the connection was dropped. */
  readonly status: number
  readonly at: number
}

export interface SimulatorService {
  /** `http://127.0.0.1:PORT/api/v1` */
  readonly baseUrl: string
  readonly port: number
  readonly managementKey: Redacted.Redacted<string>
  /** A valid key that is not a management key (403/401 on management operations). */
  readonly inferenceKey: Redacted.Redacted<string>
  /** Direct read access to the in-memory organisation, for tests. */
  readonly state: {
    readonly members: () => ReadonlyArray<import("../Domain.ts").OrganizationMember>
    readonly workspaces: () => ReadonlyArray<import("../Domain.ts").Workspace>
    readonly workspaceMembers: (idOrSlug: string) => ReadonlyArray<import("../Domain.ts").WorkspaceMember>
    readonly budgets: (idOrSlug: string) => ReadonlyArray<import("../Domain.ts").WorkspaceBudget>
    readonly apiKeys: () => ReadonlyArray<ApiKey>
    readonly scimManaged: () => ReadonlyArray<string>
    readonly defaultWorkspaceId: string
    readonly files: FileStore
    /**
     * Ground truth of spend: one record per key × UTC day × model over the 30 completed days and today
     * (usage in micro-dollars). A key's records for this UTC day/week/month sum to its usage figures.
     */
    readonly activity: () => ReadonlyArray<ActivityRecord>
    /** UTC midnight today (epoch ms): `/activity` covers the 30 days before it. */
    readonly today: number
    readonly credits: () => { readonly totalCredits: number; readonly totalUsage: number }
  }
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: Effect.Effect<void>
  /** Answer the next matching request(s) with a scripted status or a dropped connection. */
  readonly inject: (injection: Injection) => Effect.Effect<void>
  readonly setFaults: (faults: FaultOptions) => Effect.Effect<void>
  readonly setRateLimit: (rateLimit: RateLimitOptions | undefined) => Effect.Effect<void>
  readonly setLatency: (latency: Duration.DurationInput) => Effect.Effect<void>
}

export class Simulator extends Context.Tag("openrouter-effect/Simulator")<Simulator, SimulatorService>() {
  /** Start the simulator for the lifetime of the layer. */
  static layer(options: SimulatorOptions = {}): Layer.Layer<Simulator> {
    return Layer.scoped(Simulator, make(options)).pipe(Layer.orDie)
  }
}

const PREFIX = "/api/v1"

/** Every route the simulator answers, each derived from the client's declaration of the operation. */
const route = router<Env>([
  ...workspaceRoutes,
  ...organizationRoutes,
  ...filesRoutes,
  ...keyRoutes,
  ...guardrailRoutes,
  ...activityRoutes,
  ...analyticsRoutes,
  ...creditsRoutes
])

/** Sleep in real time: the simulator keeps time even when a test's TestClock stands still. */
const realSleep = (ms: number) =>
  ms <= 0 ? Effect.void : Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), ms)
    return Effect.sync(() => clearTimeout(timer))
  })

const dropConnection = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy())

export const make = (options: SimulatorOptions = {}) =>
  Effect.gen(function*() {
    const seed = options.seed ?? "openrouter-effect"
    const random = prng(hash(`keys:${seed}`))
    const keyOf = (kind: string) => `sk-or-v1-${kind}-${Array.from({ length: 8 }, () => toBase62(Math.floor(random() * 62 ** 4), 4)).join("")}`
    const managementKey = keyOf("mgmt")
    const inferenceKey = keyOf("inf")
    const state = new OrganizationState(seed, options.organization)
    state.access.callers.set(managementKey, "management").set(inferenceKey, "inference")
    const files = new FileStore(seed, state, options.files)
    const faults = new Faults(seed, options)
    const activity = new ActivityState(state, seed)
    const env: Env = { state, files, activity }
    let log: Array<RecordedRequest> = []

    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const at = Date.now()
      const queryAt = request.url.indexOf("?")
      const fullPath = queryAt < 0 ? request.url : request.url.slice(0, queryAt)
      const path = fullPath.startsWith(PREFIX) ? fullPath.slice(PREFIX.length) : fullPath
      const query = queryAt < 0 ? "" : request.url.slice(queryAt + 1)
      const entry = { method: request.method, path, query, status: 0, at }
      log.push(entry)
      const respond = (response: HttpServerResponse.HttpServerResponse) => {
        entry.status = response.status
        return response
      }
      if (faults.latencyMs > 0) yield* realSleep(faults.latencyMs)
      if (!fullPath.startsWith(PREFIX)) return respond(failure(404, "Not found"))

      const matched = route({
        method: request.method,
        segments: path.split("/").filter((s) => s.length > 0),
        query: new URLSearchParams(query),
        body: request.json.pipe(Effect.orElseSucceed(() => undefined)),
        request
      }, env)
      if (!matched) return respond(failure(404, `No route for ${request.method} ${path}`))

      const authorization = request.headers["authorization"] ?? ""
      const token = authorization.startsWith("Bearer ") ? authorization.slice(7) : ""
      if (token === "") return respond(failure(401, "Missing Authentication header"))
      if (token !== managementKey && token !== inferenceKey) return respond(failure(401, "Invalid API key"))
      // `GET /key` answers any valid key (it says whether that key is a management key)
      if (token !== managementKey && !(request.method === "GET" && path === "/key")) {
        return respond(
          matched.documents403
            ? failure(403, "Only management keys can perform this operation")
            : failure(401, "This operation requires a management key")
        )
      }

      const verdict = faults.decide(request.method, path)
      if (verdict._tag === "Pass") return respond(yield* matched.handle)
      if (verdict.afterHandling) yield* matched.handle
      if (verdict._tag === "Drop") {
        yield* dropConnection(request)
        return HttpServerResponse.empty({ status: 499 })
      }
      const headers: Record<string, string> = {}
      if (verdict.retryAfterMs !== undefined) {
        headers["retry-after"] = String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)))
        headers["retry-after-ms"] = String(verdict.retryAfterMs)
      }
      return respond(failure(verdict.status, faultMessage(verdict.status), headers))
    })

    const server = createServer()
    yield* Layer.buildWithScope(
      HttpServer.serve(app, (x) => x).pipe(
        Layer.provide(NodeHttpServer.layer(() => server, { port: options.port ?? 0, host: options.host ?? "127.0.0.1" }))
      ),
      yield* Effect.scope
    )
    const { port } = server.address() as AddressInfo
    const host = options.host ?? "127.0.0.1"

    const service: SimulatorService = {
      baseUrl: `http://${host}:${port}${PREFIX}`,
      port,
      managementKey: Redacted.make(managementKey),
      inferenceKey: Redacted.make(inferenceKey),
      state: {
        members: () => state.members,
        workspaces: () => [...state.workspaces.values()],
        workspaceMembers: (idOrSlug) => {
          const workspace = state.find(idOrSlug)
          return workspace ? state.membersOf(workspace.id) : []
        },
        budgets: (idOrSlug) => {
          const workspace = state.find(idOrSlug)
          return workspace ? [...(state.budgets.get(workspace.id)?.values() ?? [])] : []
        },
        apiKeys: () => state.apiKeys,
        scimManaged: () => [...state.scimManaged],
        defaultWorkspaceId: state.defaultWorkspaceId,
        files,
        activity: () => activity.records,
        today: activity.today,
        credits: () => ({ totalCredits: activity.totalCredits, totalUsage: activity.totalUsage })
      },
      requests: Effect.sync(() => log.slice()),
      clearRequests: Effect.sync(() => {
        log = []
      }),
      inject: (injection) => Effect.sync(() => faults.inject(injection)),
      setFaults: (next) => Effect.sync(() => faults.setFaults(next)),
      setRateLimit: (next) => Effect.sync(() => faults.setRateLimit(next)),
      setLatency: (latency) =>
        Effect.sync(() => {
          faults.latencyMs = Duration.toMillis(latency)
        })
    }
    return service
  })

/** A running simulator for programs that are not Effect programs (benchmarks, scripts). */
export interface RunningSimulator {
  readonly baseUrl: string
  readonly port: number
  readonly managementKey: string
  readonly inferenceKey: string
  readonly service: SimulatorService
  readonly requests: () => Promise<ReadonlyArray<RecordedRequest>>
  readonly close: () => Promise<void>
}

export const start = async (options: SimulatorOptions = {}): Promise<RunningSimulator> => {
  const scope = Effect.runSync(Scope.make())
  const service = await Effect.runPromise(Scope.extend(make(options), scope))
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
