/**
 * Typed errors of the OpenRouter client, named like the official SDK's.
 *
 * Every error carries the HTTP method and URL path of the request (never the API key). Response errors
 * carry the status, the server's `error.message`, `code` and `metadata`, and for 429/503 the server's
 * `Retry-After` as a Duration. Their `message` says what to do next.
 *
 * @since 0.1.0
 */
import { Duration, Option, Predicate, Schema } from "effect"

const requestFields = {
  method: Schema.String,
  path: Schema.String
}

const responseFields = {
  ...requestFields,
  status: Schema.Int,
  /** The server's `error.message`. */
  serverMessage: Schema.String,
  /** The server's `error.code`. */
  code: Schema.optionalWith(Schema.Int, { exact: true }),
  metadata: Schema.optionalWith(Schema.Unknown, { exact: true }),
  /** How long the server asked us to wait (`Retry-After` / `retry-after-ms`). */
  retryAfter: Schema.optionalWith(Schema.DurationFromSelf, { exact: true })
}

type ResponseFields = Schema.Struct.Type<typeof responseFields>

const hints: Record<number, string> = {
  400: "The request was rejected as invalid; check the arguments against the API's rules.",
  401: "Check OPENROUTER_API_KEY: the key is missing, malformed, revoked or not a valid OpenRouter key.",
  403: "The API refused this operation for this key: it needs a management key (Settings → Management API keys), or this resource does not allow it.",
  404: "Nothing exists at this id or slug; check it, or list first.",
  408: "The server gave up on the operation (it took too long); narrow it (a shorter time range, fewer rows) or retry later.",
  409: "It conflicts with what exists (a duplicate, a limit reached, or a concurrent change); list first, then change or remove the existing one.",
  413: "The payload is over the API's size limit (files: 100 MB).",
  429: "Rate limited: slow down (a lower request rate or concurrency) or wait for Retry-After.",
  500: "OpenRouter had an internal error; retrying later usually helps.",
  502: "An upstream provider failed; retrying later usually helps.",
  503: "OpenRouter is temporarily unavailable; retry after the indicated delay."
}

/**
 * A 404 whose body is not the API's error JSON did not come from the API's routes: most often the base
 * URL lacks `/api/v1` (or points at another server), so every path is unknown there.
 */
const notTheApi = "The answer is not the API's JSON: check the base URL (OpenRouter's is https://openrouter.ai/api/v1, with /api/v1)."

const describe = (self: ResponseFields): string => {
  const wait = self.retryAfter ? ` (retry after ${Duration.format(self.retryAfter)})` : ""
  const hint = self.status === 404 && self.code === undefined
    ? notTheApi
    : hints[self.status] ?? (self.status >= 500 ? hints[500] : "")
  return `${self.method} ${self.path} failed with ${self.status}: ${self.serverMessage}${wait}. ${hint}`.trim()
}

/**
 * @since 0.1.0
 * @category errors
 */
export class BadRequestResponseError extends Schema.TaggedError<BadRequestResponseError>()(
  "BadRequestResponseError",
  responseFields
) {
  static readonly status = 400 as const
  override get message() {
    return describe(this)
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class UnauthorizedResponseError extends Schema.TaggedError<UnauthorizedResponseError>()(
  "UnauthorizedResponseError",
  responseFields
) {
  static readonly status = 401 as const
  override get message() {
    return describe(this)
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class ForbiddenResponseError extends Schema.TaggedError<ForbiddenResponseError>()(
  "ForbiddenResponseError",
  responseFields
) {
  static readonly status = 403 as const
  override get message() {
    return describe(this)
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class NotFoundResponseError extends Schema.TaggedError<NotFoundResponseError>()(
  "NotFoundResponseError",
  responseFields
) {
  static readonly status = 404 as const
  override get message() {
    return describe(this)
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeoutResponseError extends Schema.TaggedError<RequestTimeoutResponseError>()(
  "RequestTimeoutResponseError",
  responseFields
) {
  static readonly status = 408 as const
  override get message() {
    return describe(this)
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class ConflictResponseError extends Schema.TaggedError<ConflictResponseError>()(
  "ConflictResponseError",
  responseFields
) {
  static readonly status = 409 as const
  override get message() {
    return describe(this)
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class PayloadTooLargeResponseError extends Schema.TaggedError<PayloadTooLargeResponseError>()(
  "PayloadTooLargeResponseError",
  responseFields
) {
  static readonly status = 413 as const
  override get message() {
    return describe(this)
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class TooManyRequestsResponseError extends Schema.TaggedError<TooManyRequestsResponseError>()(
  "TooManyRequestsResponseError",
  responseFields
) {
  static readonly status = 429 as const
  override get message() {
    return describe(this)
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class InternalServerResponseError extends Schema.TaggedError<InternalServerResponseError>()(
  "InternalServerResponseError",
  responseFields
) {
  static readonly status = 500 as const
  override get message() {
    return describe(this)
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class BadGatewayResponseError extends Schema.TaggedError<BadGatewayResponseError>()(
  "BadGatewayResponseError",
  responseFields
) {
  static readonly status = 502 as const
  override get message() {
    return describe(this)
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class ServiceUnavailableResponseError extends Schema.TaggedError<ServiceUnavailableResponseError>()(
  "ServiceUnavailableResponseError",
  responseFields
) {
  static readonly status = 503 as const
  override get message() {
    return describe(this)
  }
}

/**
 * Any 4XX/5XX the operation does not document (e.g. a 429 from a workspace endpoint).
 *
 * @since 0.1.0
 * @category errors
 */
export class OpenRouterDefaultError extends Schema.TaggedError<OpenRouterDefaultError>()(
  "OpenRouterDefaultError",
  responseFields
) {
  override get message() {
    return describe(this)
  }
}

/**
 * The request did not reach the server or the connection broke before a response arrived.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionError extends Schema.TaggedError<ConnectionError>()("ConnectionError", {
  ...requestFields,
  reason: Schema.String
}) {
  override get message() {
    return `${this.method} ${this.path}: connection failed (${this.reason}). Check the base URL and the network.`
  }
}

/**
 * One attempt took longer than the client's `timeout`.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeoutError extends Schema.TaggedError<RequestTimeoutError>()("RequestTimeoutError", {
  ...requestFields,
  timeout: Schema.DurationFromSelf
}) {
  override get message() {
    return `${this.method} ${this.path}: no response within ${Duration.format(this.timeout)}.`
  }
}

/**
 * The response body does not match the documented schema.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseValidationError extends Schema.TaggedError<ResponseValidationError>()(
  "ResponseValidationError",
  {
    ...requestFields,
    status: Schema.Int,
    /** The first few hundred characters of the body. */
    snippet: Schema.String,
    /** The schema issue, formatted. */
    issue: Schema.String
  }
) {
  override get message() {
    return `${this.method} ${this.path}: the ${this.status} response does not match the API schema: ${this.issue}\nbody: ${this.snippet}`
  }
}

/**
 * The input fails the API's rules; raised before any request is sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequestError extends Schema.TaggedError<InvalidRequestError>()("InvalidRequestError", {
  operation: Schema.String,
  issue: Schema.String
}) {
  override get message() {
    return `${this.operation}: invalid input, nothing was sent: ${this.issue}`
  }
}

/**
 * A local file could not be read or written (upload from a path, `downloadTo`).
 *
 * @since 0.1.0
 * @category errors
 */
export class LocalFileError extends Schema.TaggedError<LocalFileError>()("LocalFileError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${this.path}: ${this.reason}`
  }
}

/**
 * A paginated listing stopped advancing (the server returned the same page or cursor again).
 *
 * @since 0.1.0
 * @category errors
 */
export class PaginationError extends Schema.TaggedError<PaginationError>()("PaginationError", {
  operation: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${this.operation}: pagination stopped advancing (${this.reason}); stopped instead of looping.`
  }
}

/**
 * Errors that mean "the HTTP exchange did not produce a usable response".
 *
 * @since 0.1.0
 * @category errors
 */
export type TransportError = ConnectionError | RequestTimeoutError | ResponseValidationError

/**
 * The documented response errors, each with the status it stands for: the one list the rest derives from.
 *
 * @since 0.1.0
 * @category constants
 */
export const documentedErrors = [
  BadRequestResponseError,
  UnauthorizedResponseError,
  ForbiddenResponseError,
  NotFoundResponseError,
  RequestTimeoutResponseError,
  ConflictResponseError,
  PayloadTooLargeResponseError,
  TooManyRequestsResponseError,
  InternalServerResponseError,
  BadGatewayResponseError,
  ServiceUnavailableResponseError
] as const

/**
 * The constructor of a documented response error, as listed per operation.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseErrorClass = (typeof documentedErrors)[number]

/**
 * Every error a response status can map to: a documented one, or the default for any other status.
 *
 * @since 0.1.0
 * @category errors
 */
export type ResponseError = InstanceType<ResponseErrorClass> | OpenRouterDefaultError

/**
 * @since 0.1.0
 * @category errors
 */
export type OpenRouterError = ResponseError | TransportError | InvalidRequestError

/**
 * The status each documented error class stands for.
 *
 * @since 0.1.0
 * @category constants
 */
export const statusOf: ReadonlyMap<ResponseErrorClass, number> = new Map(
  documentedErrors.map((error) => [error, error.status])
)

const responseTags: ReadonlySet<string> = new Set([
  ...documentedErrors.map((error) => error._tag),
  OpenRouterDefaultError._tag
])

/**
 * Is this any of the response errors (whatever its status)?
 *
 * @since 0.1.0
 * @category guards
 */
export const isResponseError = (u: unknown): u is ResponseError => Predicate.hasProperty(u, "_tag") && responseTags.has(u._tag as string)

/**
 * The status of an error, when it came from a response.
 *
 * @since 0.1.0
 * @category utils
 */
export const statusOfError = (u: unknown): Option.Option<number> => isResponseError(u) ? Option.some(u.status) : Option.none()
