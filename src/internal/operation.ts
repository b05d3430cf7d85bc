/**
 * How one documented operation is sent, retried, decoded and mapped to typed errors.
 * Every service method goes through {@link execute}; errors are mapped here and nowhere else.
 */
import { type Headers, HttpBody, HttpClient, type HttpClientError, HttpClientRequest, type HttpClientResponse, UrlParams } from "@effect/platform"
import { Duration, Effect, Either, FiberRef, Option, ParseResult, Redacted, Schedule, Schema, type Scope } from "effect"
import { ErrorResponse } from "../Domain.ts"
import {
  ConnectionError,
  InvalidRequestError,
  OpenRouterDefaultError,
  RequestTimeoutError,
  type ResponseError,
  type ResponseErrorClass,
  ResponseValidationError,
  statusOf,
  type TransportError
} from "../Errors.ts"
import * as RetryPolicy from "../RetryPolicy.ts"
import type { Deadlines } from "./deadlines.ts"
import { scrubError, secretsIn } from "./redact.ts"

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE"

/** A documented operation: its span name, method, documented error statuses and success schema. */
export interface Operation<A, Errors extends ReadonlyArray<ResponseErrorClass>> {
  readonly name: string
  readonly method: Method
  readonly errors: Errors
  /** Synchronous: decoding a body needs no services, and an Either costs far less than an Effect. */
  readonly decode: (u: unknown) => Either.Either<A, ParseResult.ParseError>
  readonly errorByStatus: ReadonlyMap<number, ResponseErrorClass>
}

/** The errors of an operation: the documented ones, anything else it answers, and transport failures. */
export type OperationError<Errors extends ReadonlyArray<ResponseErrorClass>> =
  | InstanceType<Errors[number]>
  | OpenRouterDefaultError
  | TransportError

export const operation = <A, I, const Errors extends ReadonlyArray<ResponseErrorClass>>(
  name: string,
  method: Method,
  success: Schema.Schema<A, I>,
  errors: Errors
): Operation<A, Errors> => ({
  name,
  method,
  errors,
  decode: Schema.decodeUnknownEither(success, { onExcessProperty: "ignore", errors: "all" }),
  errorByStatus: new Map(errors.map((error) => [statusOf.get(error)!, error]))
})

/** What a request carries besides the method. */
export interface RequestSpec {
  /** Path below the base URL, e.g. `/workspaces/abc`. Path segments must already be encoded. */
  readonly path: string
  readonly urlParams?: Readonly<Record<string, string | number | boolean | undefined>>
  readonly body?: HttpBody.HttpBody
  /** The `Accept` header, when the answer is not JSON (downloads). */
  readonly accept?: string
}

/**
 * Sees every attempt: the job engine uses it for a shared rate gate (wait before sending; pause
 * everyone when a 429/503 arrives) and to count requests.
 */
export interface RequestObserver {
  /** Runs before each attempt is sent; may wait. */
  readonly beforeAttempt: (operation: string) => Effect.Effect<void>
  /** Runs after each attempt that got a response status (or none, for transport failures). */
  readonly afterAttempt: (
    operation: string,
    outcome: { readonly status: number | undefined; readonly retryAfter: Duration.Duration | undefined }
  ) => Effect.Effect<void>
}

export const currentObserver: FiberRef.FiberRef<Option.Option<RequestObserver>> = FiberRef.unsafeMake(
  Option.none<RequestObserver>()
)

/** The parts of the client that execution needs. */
export interface ClientContext {
  /** Scoped (`HttpClient.withScope`): closing an attempt's scope aborts its request. */
  readonly httpClient: HttpClient.HttpClient.With<HttpClientError.HttpClientError, Scope.Scope>
  readonly retryPolicy: RetryPolicy.RetryPolicy
  readonly timeout: Duration.Duration
  readonly deadlines: Deadlines
  /** The key in use, only to scrub it from anything a server echoes back (some proxies echo headers). */
  readonly apiKey?: Redacted.Redacted<string>
}

const snippetOf = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text)

const keyLike = /sk-or-[A-Za-z0-9_-]{8,}/g

/**
 * Remove the API key (and anything shaped like an OpenRouter key) from text a server sent back, before
 * it reaches an error, a log line or a report.
 */
export const scrubSecrets = (ctx: Pick<ClientContext, "apiKey">, text: string): string => {
  let out = text.replace(keyLike, "[REDACTED]")
  const key = ctx.apiKey === undefined ? "" : Redacted.value(ctx.apiKey)
  if (key.length >= 8 && out.includes(key)) out = out.split(key).join("[REDACTED]")
  return out
}

/** `retry-after-ms` wins over `Retry-After` (seconds or an HTTP date). */
export const parseRetryAfter = (headers: Headers.Headers): Duration.Duration | undefined => {
  const ms = headers["retry-after-ms"]
  if (ms !== undefined && Number.isFinite(Number(ms))) return Duration.millis(Math.max(0, Number(ms)))
  const value = headers["retry-after"]
  if (value === undefined) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Duration.seconds(Math.max(0, seconds))
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Duration.millis(Math.max(0, date - Date.now()))
}

const toUrlParams = (params: RequestSpec["urlParams"]) => {
  const entries: Array<[string, string]> = []
  if (params) {
    for (const key in params) {
      const value = params[key]
      if (value !== undefined) entries.push([key, String(value)])
    }
  }
  return UrlParams.fromInput(entries)
}

/** Maps an error status to the operation's documented error, or the default error. */
const responseError = <Errors extends ReadonlyArray<ResponseErrorClass>>(
  op: Operation<unknown, Errors>,
  spec: RequestSpec,
  response: HttpClientResponse.HttpClientResponse,
  text: string
): ResponseError => {
  const parsed = Option.flatMap(
    Option.liftThrowable(JSON.parse)(text),
    Schema.decodeUnknownOption(ErrorResponse)
  )
  const retryAfter = parseRetryAfter(response.headers)
  const fields = {
    method: op.method,
    path: spec.path,
    status: response.status,
    serverMessage: Option.match(parsed, {
      onNone: () => (text.trim() === "" ? `HTTP ${response.status}` : snippetOf(text)),
      onSome: (body) => body.error.message
    }),
    ...Option.match(parsed, {
      onNone: () => ({}),
      onSome: (body) => ({
        code: body.error.code,
        ...(body.error.metadata !== undefined ? { metadata: body.error.metadata } : {})
      })
    }),
    ...(retryAfter !== undefined ? { retryAfter } : {})
  }
  const ErrorClass = op.errorByStatus.get(response.status) ?? OpenRouterDefaultError
  return new ErrorClass(fields)
}

export const transportError = (op: { method: string }, spec: RequestSpec, error: HttpClientError.HttpClientError) =>
  new ConnectionError({
    method: op.method,
    path: spec.path,
    reason: error.reason === "Transport" && error.cause instanceof Error
      ? `${error.cause.message}${(error.cause as any).cause?.code ? ` (${(error.cause as any).cause.code})` : ""}`
      : error.message
  })

/**
 * One attempt: send, wait for the status line, map failures, then `read` a 2xx response. It runs
 * under the client's deadline sweeper, so the per-attempt timeout covers both.
 */
export const attemptWith = <A, E, Errors extends ReadonlyArray<ResponseErrorClass>>(
  ctx: ClientContext,
  op: Operation<unknown, Errors>,
  spec: RequestSpec,
  read: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, E>
): Effect.Effect<A, E | OperationError<Errors>> =>
  Effect.flatMap(FiberRef.get(currentObserver), (observer) => {
    const request = HttpClientRequest.make(op.method)(spec.path, {
      urlParams: toUrlParams(spec.urlParams),
      ...(spec.body ? { body: spec.body } : {}),
      accept: spec.accept ?? "application/json"
    })
    const exchange = ctx.deadlines.run(
      ctx.httpClient.execute(request).pipe(
        Effect.catchTags({
          RequestError: (error) => Effect.fail(transportError(op, spec, error)),
          ResponseError: (error) => Effect.fail(transportError(op, spec, error))
        }),
        Effect.flatMap((response): Effect.Effect<A, E | OperationError<Errors>> => {
          // every answer on the operation's span, success or error (uploads, downloads, Keys.create alike)
          const observed = Effect.zipRight(
            annotateSpan("http.response.status_code", response.status),
            Option.isSome(observer)
              ? observer.value.afterAttempt(op.name, {
                status: response.status,
                retryAfter: parseRetryAfter(response.headers)
              })
              : Effect.void
          )
          if (response.status >= 200 && response.status < 300) return Effect.zipRight(observed, read(response))
          return Effect.zipRight(
            observed,
            Effect.flatMap(
              response.text.pipe(Effect.orElseSucceed(() => "")),
              (text) => Effect.fail(responseError(op, spec, response, scrubSecrets(ctx, text)) as InstanceType<Errors[number]>)
            )
          )
        })
      ),
      () => new RequestTimeoutError({ method: op.method, path: spec.path, timeout: ctx.timeout })
    )
    if (Option.isNone(observer)) return exchange
    return Effect.zipRight(
      observer.value.beforeAttempt(op.name),
      Effect.tapErrorTag(exchange as Effect.Effect<A, any>, "ConnectionError", () =>
        observer.value.afterAttempt(op.name, { status: undefined, retryAfter: undefined })) as typeof exchange
    )
  })

/** One attempt returning the unread 2xx response (for streamed bodies); the timeout covers the status line. */
export const sendOnce = <Errors extends ReadonlyArray<ResponseErrorClass>>(
  ctx: ClientContext,
  op: Operation<unknown, Errors>,
  spec: RequestSpec
): Effect.Effect<HttpClientResponse.HttpClientResponse, OperationError<Errors>> => attemptWith(ctx, op, spec, Effect.succeed)

/** Read and decode a JSON success body. */
export const decodeBody = <A, Errors extends ReadonlyArray<ResponseErrorClass>>(
  ctx: Pick<ClientContext, "apiKey">,
  op: Operation<A, Errors>,
  spec: RequestSpec
) =>
(response: HttpClientResponse.HttpClientResponse): Effect.Effect<A, TransportError> =>
  response.text.pipe(
    Effect.catchTag("ResponseError", (error) => Effect.fail(transportError(op, spec, error))),
    Effect.flatMap((text) => {
      const invalid = (issue: string) =>
        new ResponseValidationError({
          method: op.method,
          path: spec.path,
          status: response.status,
          snippet: snippetOf(scrubSecrets(ctx, text)),
          issue
        })
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        return Effect.fail(invalid("not JSON"))
      }
      const decoded = op.decode(json)
      return Either.isRight(decoded) ? Effect.succeed(decoded.right) : Effect.fail(invalid(formatIssues(decoded.left)))
    })
  )

/** The policy in force: a `RetryPolicy.withPolicy` override, else the client's. */
export const currentPolicy = (ctx: ClientContext) =>
  Effect.map(
    FiberRef.get(RetryPolicy.currentOverride),
    Option.getOrElse(() => ctx.retryPolicy)
  )

/**
 * Retry `attempt` under the current policy. The first attempt runs bare (no schedule is built unless
 * it fails). For a non-idempotent request, `reconcile` runs before a replay that follows an ambiguous
 * failure (the server may have acted): if it finds the result, that is returned instead of sending
 * the request again.
 */
export const retrying = <A, E, R, E2 = never>(
  ctx: ClientContext,
  attempt: Effect.Effect<A, E, R>,
  options?: {
    readonly reconcile?: Effect.Effect<Option.Option<A>, E2, R> | undefined
    /** Narrow what is retried (e.g. uploads: only failures known not to have been accepted). */
    readonly retryIf?: ((error: unknown) => boolean) | undefined
  }
): Effect.Effect<A, E | E2, R> => {
  const reconcile = options?.reconcile
  const retryIf = options?.retryIf ?? (() => true)
  return Effect.catchAll(attempt, (first) =>
    RetryPolicy.isRetryable(first) && retryIf(first)
      ? Effect.flatMap(currentPolicy(ctx), (policy) =>
        Effect.flatMap(Schedule.driver(policy.schedule), (driver) => {
          let ambiguous = RetryPolicy.isAmbiguous(first)
          let attempts = 1
          const again: Effect.Effect<A, E | E2, R> = Effect.suspend(() => {
            attempts++
            return ambiguous && reconcile
              ? Effect.flatMap(reconcile, Option.match({ onNone: () => attempt, onSome: Effect.succeed }))
              : attempt
          })
          const loop = (error: E | E2): Effect.Effect<A, E | E2, R> =>
            !retryIf(error) ? Effect.fail(error) : Effect.matchEffect(driver.next(error as any), {
              onFailure: () => Effect.fail(error),
              onSuccess: () =>
                Effect.catchAll(again, (next) => {
                  ambiguous = ambiguous || RetryPolicy.isAmbiguous(next)
                  return loop(next)
                })
            })
          return loop(first).pipe(
            Effect.ensuring(Effect.suspend(() => annotateSpan("openrouter.attempts", attempts)))
          )
        }))
      : Effect.fail(first))
}

/**
 * Effect's default tracer records nothing; creating, parenting and ending a span under it was a
 * quarter of a call's client-side cost. Operations get their span whenever a real tracer is
 * installed (`Layer.setTracer`, `@effect/opentelemetry`, devtools).
 */
const defaultTracer = Effect.runSync(Effect.tracer)

/** Annotate the operation's span; nothing when tracing is off (so a caller's span is never touched). */
export const annotateSpan = (key: string, value: unknown): Effect.Effect<void> =>
  Effect.tracerWith((tracer) => tracer === defaultTracer ? Effect.void : Effect.annotateCurrentSpan(key, value))

/** The span every operation runs in, named after it (`Workspaces.get`). */
export const withOperationSpan = <Errors extends ReadonlyArray<ResponseErrorClass>>(
  op: Operation<any, Errors>,
  spec: RequestSpec
) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) =>
    tracer === defaultTracer ? self : self.pipe(
      Effect.withSpan(op.name, {
        kind: "client",
        captureStackTrace: false,
        attributes: { "http.request.method": op.method, "url.path": spec.path }
      })
    )
  )

/**
 * Send a documented JSON operation with retries, decoding and typed errors. `secretsOf` (the caller's
 * input) names the secrets to keep out of the errors, inside the span (read only when it fails).
 */
export const execute = <A, Errors extends ReadonlyArray<ResponseErrorClass>>(
  ctx: ClientContext,
  op: Operation<A, Errors>,
  spec: RequestSpec,
  options?: {
    readonly reconcile?: Effect.Effect<Option.Option<A>, OperationError<Errors>>
    readonly retryIf?: ((error: unknown) => boolean) | undefined
    readonly secretsOf?: unknown
  }
): Effect.Effect<A, OperationError<Errors>> => {
  const sent = retrying(
    ctx,
    attemptWith(ctx, op, spec, decodeBody(ctx, op, spec)),
    { reconcile: options?.reconcile, retryIf: options?.retryIf }
  )
  const secretsOf = options?.secretsOf
  return (secretsOf === undefined ? sent : Effect.mapError(sent, (error) => scrubError(secretsIn(secretsOf))(error))).pipe(
    withOperationSpan(op, spec)
  )
}

/** A parse error as `path: message` lines, short enough for an error message. */
export const formatIssues = (error: ParseResult.ParseError) => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const shown = issues.slice(0, 5).map((issue) => `${issue.path.length > 0 ? issue.path.join(".") + ": " : ""}${issue.message}`)
  return issues.length > 5 ? `${shown.join("; ")}; and ${issues.length - 5} more` : shown.join("; ")
}

/** Validate camelCase input against the type side of a wire schema, before anything is sent. */
export const validate = <A, I>(operationName: string, schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(Schema.typeSchema(schema), { errors: "all", onExcessProperty: "ignore" })
  return (input: unknown): Effect.Effect<A, InvalidRequestError> => {
    const decoded = decode(input)
    return Either.isRight(decoded)
      ? Effect.succeed(decoded.right)
      : Effect.fail(new InvalidRequestError({ operation: operationName, issue: formatIssues(decoded.left) }))
  }
}

/** A JSON request body, encoded by a wire schema (camelCase in, snake_case out). */
export const jsonBody = <A, I>(schema: Schema.Schema<A, I>) => {
  const encode = Schema.encodeSync(schema)
  return (value: A): HttpBody.HttpBody => HttpBody.unsafeJson(encode(value))
}

/** `encodeURIComponent` for a path segment. */
export const segment = (value: string) => encodeURIComponent(value)
