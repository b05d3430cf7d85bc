/**
 * The simulator's request handling, apart from any server: auth, the recorded log, injected faults and
 * the routes. A request goes in, a response (or "drop the connection") comes out, so the same core
 * serves a real HTTP server (`Simulator.layer`) and an in-memory `HttpClient` (`Simulator.layerClient`).
 */
import { type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Duration, Effect, Redacted } from "effect"
import { type ActivityRecord, ActivityState } from "./activity-state.ts"
import { activityRoutes, creditsRoutes } from "./activity.ts"
import { analyticsRoutes } from "./analytics.ts"
import { ByokState, type StoredCredential } from "./byok-state.ts"
import { byokRoutes } from "./byok.ts"
import { faultMessage, type FaultOptions, Faults, type Injection, type RateLimitOptions } from "./faults.ts"
import { FileStore, type FileStoreOptions } from "./files-store.ts"
import { filesRoutes } from "./files.ts"
import { guardrailRoutes } from "./guardrails.ts"
import { type Env, failure } from "./http.ts"
import { keyRoutes } from "./keys.ts"
import { ObservabilityState, type StoredDestination } from "./observability-state.ts"
import { observabilityRoutes } from "./observability.ts"
import { hash, prng, toBase62 } from "./random.ts"
import { router } from "./router.ts"
import { ScimState } from "./scim-state.ts"
import { scimRoutes } from "./scim.ts"
import { type ApiKey, type OrganizationOptions, OrganizationState } from "./state.ts"
import { organizationRoutes, workspaceRoutes } from "./workspaces.ts"

export interface CoreOptions {
  readonly seed?: string
  readonly latency?: Duration.DurationInput
  readonly rateLimit?: RateLimitOptions
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

/** Direct read access to the in-memory organisation, for tests. */
export interface SimulatorState {
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
  /** BYOK credentials as stored: the API's shape and the SHA-256 of the key (never the key). */
  readonly byok: () => ReadonlyArray<StoredCredential>
  readonly scimGroups: () => ReadonlyArray<import("../ScimDomain.ts").ScimGroup>
  /** The organisation members in a SCIM group. */
  readonly scimGroupMembers: (groupId: string) => ReadonlyArray<string>
  readonly scimMappings: () => ReadonlyArray<import("../ScimDomain.ts").ScimGroupMapping>
  /** Observability destinations as stored: credentials masked, and the SHA-256 of each. */
  readonly destinations: () => ReadonlyArray<StoredDestination>
  /** Workspaces whose privacy settings are locked. */
  readonly privacyLocked: () => ReadonlyArray<string>
}

/** What the handler answers: a response, or that the connection is to be dropped without one. */
export type Answer = HttpServerResponse.HttpServerResponse | typeof Dropped
export const Dropped: unique symbol = Symbol.for("openrouter-effect/simulator/Dropped")

export const PREFIX = "/api/v1"

/** Every route the simulator answers, each derived from the client's declaration of the operation. */
const route = router<Env>([
  ...workspaceRoutes,
  ...organizationRoutes,
  ...filesRoutes,
  ...keyRoutes,
  ...guardrailRoutes,
  ...activityRoutes,
  ...analyticsRoutes,
  ...creditsRoutes,
  ...byokRoutes,
  ...scimRoutes,
  ...observabilityRoutes
])

/** Sleep in real time: the simulator keeps time even when a test's TestClock stands still. */
const realSleep = (ms: number) =>
  ms <= 0 ? Effect.void : Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), ms)
    return Effect.sync(() => clearTimeout(timer))
  })

const notFoundPage = HttpServerResponse.text(
  "<!DOCTYPE html><html><head><title>404: This page could not be found</title></head><body>404</body></html>",
  { status: 404, contentType: "text/html; charset=utf-8" }
)

const DEFAULT_SEED = "openrouter-effect"

/** The simulator without a server: its keys, state, controls and the request handler. */
export const makeCore = (options: CoreOptions = {}) => coreOf(new OrganizationState(options.seed ?? DEFAULT_SEED, options.organization), options)

/** The simulator around an organisation built beforehand (tests that watch what a request reads). */
export const coreOf = (state: OrganizationState, options: Omit<CoreOptions, "organization"> = {}) => {
  const seed = options.seed ?? DEFAULT_SEED
  const random = prng(hash(`keys:${seed}`))
  const keyOf = (kind: string) => `sk-or-v1-${kind}-${Array.from({ length: 8 }, () => toBase62(Math.floor(random() * 62 ** 4), 4)).join("")}`
  const managementKey = keyOf("mgmt")
  const inferenceKey = keyOf("inf")
  state.keys.callers.set(managementKey, "management").set(inferenceKey, "inference")
  const files = new FileStore(seed, state, options.files)
  const faults = new Faults(seed, options)
  const activity = new ActivityState(state, seed)
  const env: Env = {
    state,
    files,
    activity,
    byok: new ByokState(state, seed),
    scim: new ScimState(state, seed),
    observability: new ObservabilityState(state, seed)
  }
  let log: Array<RecordedRequest> = []

  const handle = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Answer> =>
    Effect.gen(function*() {
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
      // outside the API the real site answers an HTML page, not the API's JSON (a base URL without /api/v1)
      if (!fullPath.startsWith(PREFIX)) return respond(notFoundPage)

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
      if (verdict._tag === "Drop") return Dropped
      const headers: Record<string, string> = {}
      if (verdict.retryAfterMs !== undefined) {
        headers["retry-after"] = String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)))
        headers["retry-after-ms"] = String(verdict.retryAfterMs)
      }
      return respond(failure(verdict.status, faultMessage(verdict.status), headers))
    })

  const stateView: SimulatorState = {
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
    credits: () => ({ totalCredits: activity.totalCredits, totalUsage: activity.totalUsage }),
    byok: () => [...env.byok.credentials.values()],
    scimGroups: () => [...env.scim.groups.values()],
    scimGroupMembers: (groupId) => env.scim.groupMembers.get(groupId) ?? [],
    scimMappings: () => [...env.scim.mappings.values()],
    destinations: () => [...env.observability.destinations.values()],
    privacyLocked: () => [...env.observability.privacyLocked]
  }

  return {
    handle,
    managementKey: Redacted.make(managementKey),
    inferenceKey: Redacted.make(inferenceKey),
    state: stateView,
    requests: Effect.sync(() => log.slice()),
    clearRequests: Effect.sync(() => {
      log = []
    }),
    inject: (injection: Injection) => Effect.sync(() => faults.inject(injection)),
    setFaults: (next: FaultOptions) => Effect.sync(() => faults.setFaults(next)),
    setRateLimit: (next: RateLimitOptions | undefined) => Effect.sync(() => faults.setRateLimit(next)),
    setLatency: (latency: Duration.DurationInput) =>
      Effect.sync(() => {
        faults.latencyMs = Duration.toMillis(latency)
      })
  }
}

export type Core = ReturnType<typeof makeCore>
