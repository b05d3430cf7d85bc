/**
 * The OpenRouter HTTP client: base URL, authentication, attribution headers, per-attempt timeout and
 * the retry policy, on top of any platform `HttpClient`.
 *
 * ```ts
 * const Live = Layer.mergeAll(Workspaces.Default, Organization.Default).pipe(
 *   Layer.provideMerge(OpenRouterClient.layer({ apiKey: Redacted.make(key) })),
 *   Layer.provide(NodeHttpClient.layerUndici))
 * ```
 *
 * @since 0.1.0
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Config, Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import * as Deadlines from "./internal/deadlines.ts"
import * as Operation from "./internal/operation.ts"
import * as RetryPolicy from "./RetryPolicy.ts"

export const DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"

export interface Options {
  /** A management key for workspace and organization operations. Never logged. */
  readonly apiKey: Redacted.Redacted<string>
  /** Default `https://openrouter.ai/api/v1`. */
  readonly baseUrl?: string
  /** Sent as `HTTP-Referer` (app attribution). */
  readonly httpReferer?: string
  /** Sent as `X-OpenRouter-Title`. */
  readonly appTitle?: string
  /** Sent as `X-OpenRouter-Categories`, comma separated. */
  readonly appCategories?: string | ReadonlyArray<string>
  /** Limit on one attempt (until the body is read). Default 60 s. */
  readonly timeout?: Duration.DurationInput
  /** Default {@link RetryPolicy.defaultPolicy}. */
  readonly retry?: RetryPolicy.RetryPolicy
  /** Last word on the HTTP client, e.g. to add tracing or a proxy. */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
}

export interface Service extends Operation.ClientContext {
  readonly baseUrl: string
}

export class OpenRouterClient extends Context.Tag("openrouter-effect/OpenRouterClient")<
  OpenRouterClient,
  Service
>() {}

/** Build the client from options and the platform's `HttpClient` (scoped: it owns the timeout sweeper). */
export const make = Effect.fnUntraced(function*(options: Options) {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
  const categories = typeof options.appCategories === "string"
    ? options.appCategories
    : options.appCategories?.join(",")
  // `Accept` is set per request (JSON, or what a download receives)
  const headers: Record<string, string> = {
    ...(options.httpReferer ? { "HTTP-Referer": options.httpReferer } : {}),
    ...(options.appTitle ? { "X-OpenRouter-Title": options.appTitle } : {}),
    ...(categories ? { "X-OpenRouter-Categories": categories } : {})
  }
  // each operation already runs in its own client span (method, path, status); a second span per
  // HTTP exchange doubled the tracing cost for no extra information
  const base = (yield* HttpClient.HttpClient).pipe(
    HttpClient.withTracerDisabledWhen(() => true),
    HttpClient.mapRequest((request) =>
      request.pipe(
        HttpClientRequest.prependUrl(baseUrl),
        HttpClientRequest.bearerToken(options.apiKey),
        HttpClientRequest.setHeaders(headers)
      )
    )
  )
  const timeout = Duration.decode(options.timeout ?? "60 seconds")
  const service: Service = {
    baseUrl,
    // outermost, so the request it ties to the attempt's scope is the one the platform sends
    httpClient: HttpClient.withScope(options.transformClient ? options.transformClient(base) : base),
    retryPolicy: options.retry ?? RetryPolicy.defaultPolicy,
    timeout,
    deadlines: yield* Deadlines.make(timeout),
    apiKey: options.apiKey
  }
  return service
})

/** The client as a layer; needs an `HttpClient` (e.g. `NodeHttpClient.layerUndici`). */
export const layer = (options: Options): Layer.Layer<OpenRouterClient, never, HttpClient.HttpClient> => Layer.scoped(OpenRouterClient, make(options))

/**
 * Each setting's default source: the environment (`OPENROUTER_API_KEY`, `OPENROUTER_BASE_URL`, …).
 * Every setting resolves on its own, so one can come from a flag and the others from here.
 */
export const envConfig = {
  apiKey: Config.redacted("OPENROUTER_API_KEY"),
  baseUrl: Config.string("OPENROUTER_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL)),
  httpReferer: Config.option(Config.string("OPENROUTER_HTTP_REFERER")),
  appTitle: Config.option(Config.string("OPENROUTER_APP_TITLE")),
  appCategories: Config.option(Config.string("OPENROUTER_APP_CATEGORIES"))
}

/** One `Config` per setting (any left out: {@link envConfig}'s). */
export type ConfigOptions = { readonly [K in keyof typeof envConfig]?: typeof envConfig[K] }

/** The settings resolved: each from its own `Config`, the environment by default. */
export const config = (options: ConfigOptions = {}) =>
  Config.all({ ...envConfig, ...options }).pipe(
    Config.map((c): Pick<Options, "apiKey" | "baseUrl" | "httpReferer" | "appTitle" | "appCategories"> => ({
      apiKey: c.apiKey,
      baseUrl: c.baseUrl,
      ...Option.match(c.httpReferer, { onNone: () => ({}), onSome: (httpReferer) => ({ httpReferer }) }),
      ...Option.match(c.appTitle, { onNone: () => ({}), onSome: (appTitle) => ({ appTitle }) }),
      ...Option.match(c.appCategories, { onNone: () => ({}), onSome: (appCategories) => ({ appCategories }) })
    }))
  )

/** Everything from the environment (kept for 0.1.0 callers; see {@link config}). */
export const configFromEnv = config()

/**
 * The client configured through `Config`, one per setting like Effect's AI clients: each given
 * `Config` replaces that setting's default (`OPENROUTER_API_KEY` (required), `OPENROUTER_BASE_URL`,
 * `OPENROUTER_HTTP_REFERER`, `OPENROUTER_APP_TITLE`, `OPENROUTER_APP_CATEGORIES`); the others still
 * come from the environment. Plain options (timeout, retry, transformClient) complete them.
 *
 * ```ts
 * OpenRouterClient.layerConfig({ apiKey: Config.redacted("MY_KEY") })   // base URL still from the env
 * ```
 */
export const layerConfig = (
  options: ConfigOptions & Omit<Options, "apiKey" | "baseUrl" | "httpReferer" | "appTitle" | "appCategories"> = {}
) => {
  const { apiKey, appCategories, appTitle, baseUrl, httpReferer, ...rest } = options
  const configs: ConfigOptions = {
    ...(apiKey ? { apiKey } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(httpReferer ? { httpReferer } : {}),
    ...(appTitle ? { appTitle } : {}),
    ...(appCategories ? { appCategories } : {})
  }
  return Layer.scoped(OpenRouterClient, Effect.flatMap(config(configs), (settings) => make({ ...rest, ...settings })))
}

export type { RequestObserver } from "./internal/operation.ts"

/** Observe every attempt made by the client inside `self` (used by the job engine's rate gate). */
export const withObserver = (observer: Operation.RequestObserver) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.locally(self, Operation.currentObserver, Option.some(observer))
