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
import { Config, ConfigError, Context, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import * as Deadlines from "./internal/deadlines.ts"
import * as Operation from "./internal/operation.ts"
import * as RetryPolicy from "./RetryPolicy.ts"

/**
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"

/**
 * The client's options. `apiUrl`, `referrer` and `title` are accepted as `@effect/ai-openrouter`
 * spells them, beside `baseUrl`, `httpReferer` and `appTitle` (ours win when both are given).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** A management key for workspace and organization operations. Never logged. */
  readonly apiKey: Redacted.Redacted<string>
  /** Default `https://openrouter.ai/api/v1`. */
  readonly baseUrl?: string
  /** `@effect/ai-openrouter`'s name for {@link Options.baseUrl}. */
  readonly apiUrl?: string
  /** Sent as `HTTP-Referer` (app attribution). Printable ASCII, like every header value. */
  readonly httpReferer?: string
  /** `@effect/ai-openrouter`'s name for {@link Options.httpReferer}. */
  readonly referrer?: string
  /** Sent as `X-OpenRouter-Title`. Printable ASCII: anything else is refused when the layer is built. */
  readonly appTitle?: string
  /** `@effect/ai-openrouter`'s name for {@link Options.appTitle}. */
  readonly title?: string
  /** Sent as `X-OpenRouter-Categories`, comma separated. */
  readonly appCategories?: string | ReadonlyArray<string>
  /** Limit on one attempt (until the body is read). Default 60 s. */
  readonly timeout?: Duration.DurationInput
  /** Default {@link RetryPolicy.defaultPolicy}. */
  readonly retry?: RetryPolicy.RetryPolicy
  /** Last word on the HTTP client, e.g. to add tracing or a proxy. */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service extends Operation.ClientContext {
  readonly baseUrl: string
}

/**
 * @since 0.1.0
 * @category services
 */
export class OpenRouterClient extends Context.Tag("openrouter-effect/OpenRouterClient")<
  OpenRouterClient,
  Service
>() {}

/**
 * HTTP header values are bytes: a character outside printable ASCII either cannot be sent at all
 * (the platform refuses the request, which used to surface as "connection failed" on every call) or
 * arrives mangled. Such a value is refused once, when the client is built, naming the setting.
 */
const headerProblem = (value: string): string | undefined => {
  const bad = [...value].find((c) => c !== "\t" && (c < " " || c > "~"))
  return bad === undefined
    ? undefined
    : `contains ${JSON.stringify(bad)} (U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}); ` +
      "HTTP headers carry printable ASCII only: transliterate it (e.g. \"Cafe\" for \"Café\")"
}

/**
 * Build the client from options and the platform's `HttpClient` (scoped: it owns the timeout sweeper).
 * Fails with a `ConfigError` naming the option when a header value cannot be sent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options) {
  const baseUrl = (options.baseUrl ?? options.apiUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
  const categories = typeof options.appCategories === "string"
    ? options.appCategories
    : options.appCategories?.join(",")
  const referer = options.httpReferer ?? options.referrer
  const title = options.appTitle ?? options.title
  const settings: ReadonlyArray<readonly [string, string, string | undefined]> = [
    [options.httpReferer !== undefined ? "httpReferer" : "referrer", "HTTP-Referer", referer],
    [options.appTitle !== undefined ? "appTitle" : "title", "X-OpenRouter-Title", title],
    ["appCategories", "X-OpenRouter-Categories", categories]
  ]
  // `Accept` is set per request (JSON, or what a download receives)
  const headers: Record<string, string> = {}
  for (const [option, header, value] of settings) {
    if (!value) continue
    const problem = headerProblem(value)
    if (problem !== undefined) {
      return yield* Effect.fail(ConfigError.InvalidData([option], `${option} (sent as ${header}) ${problem}`))
    }
    headers[header] = value
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

/**
 * The client as a layer; needs an `HttpClient` (e.g. `NodeHttpClient.layerUndici`,
 * `FetchHttpClient.layer`). Fails with a `ConfigError` for a header value that cannot be sent.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<OpenRouterClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.scoped(OpenRouterClient, make(options))

/** A header setting from the environment, refused (naming the variable) when it is not printable ASCII. */
const headerConfig = (name: string) =>
  Config.option(
    Config.string(name).pipe(Config.mapOrFail((value) => {
      const problem = headerProblem(value)
      return problem === undefined ? Either.right(value) : Either.left(ConfigError.InvalidData([], `${name} ${problem}`))
    }))
  )

/**
 * Each setting's default source: the environment (`OPENROUTER_API_KEY`, `OPENROUTER_BASE_URL`, …).
 * Every setting resolves on its own, so one can come from a flag and the others from here. A missing
 * `OPENROUTER_API_KEY` fails with a `ConfigError` whose message names it.
 *
 * @since 0.1.0
 * @category config
 */
export const envConfig = {
  apiKey: Config.string("OPENROUTER_API_KEY").pipe(
    // `Config.redacted` would report a missing key as "<redacted>"; the key is wrapped once read
    Config.orElse(() => Config.fail("OPENROUTER_API_KEY is not set: export a management key (OpenRouter → Settings → Management API keys)")),
    Config.map(Redacted.make)
  ),
  baseUrl: Config.string("OPENROUTER_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL)),
  httpReferer: headerConfig("OPENROUTER_HTTP_REFERER"),
  appTitle: headerConfig("OPENROUTER_APP_TITLE"),
  appCategories: headerConfig("OPENROUTER_APP_CATEGORIES")
}

/**
 * One `Config` per setting (any left out: {@link envConfig}'s). `apiUrl`, `referrer` and `title`
 * (each a `Config<string>`) are `@effect/ai-openrouter`'s names for `baseUrl`, `httpReferer` and `appTitle`.
 *
 * @since 0.1.0
 * @category config
 */
export type ConfigOptions =
  & { readonly [K in keyof typeof envConfig]?: typeof envConfig[K] }
  & {
    readonly apiUrl?: Config.Config<string>
    readonly referrer?: Config.Config<string>
    readonly title?: Config.Config<string>
  }

type ConfigSettings = Pick<Options, "apiKey" | "baseUrl" | "httpReferer" | "appTitle" | "appCategories">

/**
 * The settings resolved: each from its own `Config`, the environment by default.
 *
 * @since 0.1.0
 * @category config
 */
export const config = (options: ConfigOptions = {}): Config.Config<ConfigSettings> => {
  const { apiUrl, referrer, title, ...ours } = options
  const given = Object.fromEntries(Object.entries(ours).filter(([, value]) => value !== undefined))
  return Config.all({
    ...envConfig,
    ...(apiUrl ? { baseUrl: apiUrl } : {}),
    ...(referrer ? { httpReferer: Config.option(referrer) } : {}),
    ...(title ? { appTitle: Config.option(title) } : {}),
    ...given
  }).pipe(
    Config.map((c): ConfigSettings => ({
      apiKey: c.apiKey,
      baseUrl: c.baseUrl,
      ...Option.match(c.httpReferer, { onNone: () => ({}), onSome: (httpReferer) => ({ httpReferer }) }),
      ...Option.match(c.appTitle, { onNone: () => ({}), onSome: (appTitle) => ({ appTitle }) }),
      ...Option.match(c.appCategories, { onNone: () => ({}), onSome: (appCategories) => ({ appCategories }) })
    }))
  )
}

/**
 * Everything from the environment (kept for 0.1.0 callers; see {@link config}).
 *
 * @since 0.1.0
 * @category config
 */
export const configFromEnv = config()

/**
 * The client configured through `Config`, one per setting like Effect's AI clients: each given
 * `Config` replaces that setting's default (`OPENROUTER_API_KEY` (required), `OPENROUTER_BASE_URL`,
 * `OPENROUTER_HTTP_REFERER`, `OPENROUTER_APP_TITLE`, `OPENROUTER_APP_CATEGORIES`); the others still
 * come from the environment. Plain options (timeout, retry, transformClient) complete them.
 *
 * ```ts
 * OpenRouterClient.layerConfig({ apiKey: Config.redacted("MY_KEY") })   // base URL still from the env
 * OpenRouterClient.layerConfig({ apiUrl: Config.string("MY_URL"), title: Config.succeed("ops") })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: ConfigOptions & Omit<Options, "apiKey" | "baseUrl" | "apiUrl" | "httpReferer" | "referrer" | "appTitle" | "title" | "appCategories"> = {}
): Layer.Layer<OpenRouterClient, ConfigError.ConfigError, HttpClient.HttpClient> => {
  const { apiKey, apiUrl, appCategories, appTitle, baseUrl, httpReferer, referrer, title, ...rest } = options
  const configs: ConfigOptions = {
    ...(apiKey ? { apiKey } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(apiUrl ? { apiUrl } : {}),
    ...(httpReferer ? { httpReferer } : {}),
    ...(referrer ? { referrer } : {}),
    ...(appTitle ? { appTitle } : {}),
    ...(title ? { title } : {}),
    ...(appCategories ? { appCategories } : {})
  }
  return Layer.scoped(OpenRouterClient, Effect.flatMap(config(configs), (settings) => make({ ...rest, ...settings })))
}

export type {
  /**
   * What `withObserver` takes: hooks run before and after each attempt the client makes.
   *
   * @since 0.1.0
   * @category models
   */
  RequestObserver
} from "./internal/operation.ts"

/**
 * Observe every attempt made by the client inside `self` (used by the job engine's rate gate).
 *
 * @since 0.1.0
 * @category observability
 */
export const withObserver = (observer: Operation.RequestObserver) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.locally(self, Operation.currentObserver, Option.some(observer))
