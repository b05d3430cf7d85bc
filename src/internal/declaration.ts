/**
 * An operation declared once: its route, the schemas of its path, query and body (camelCase over the
 * snake_case wire), its success schema and its documented errors. The client derives the service
 * method from it ({@link method}), the simulator derives its route from it, and a test checks every
 * declaration against the contract file.
 */
import { Effect, Either, type Option, Schema } from "effect"
import type { InvalidRequestError, ResponseErrorClass } from "../Errors.ts"
import * as RetryPolicy from "../RetryPolicy.ts"
import * as Op from "./operation.ts"

type Fields = Schema.Struct.Fields

/** A struct of declared fields, typed loosely: the declaration's own types are checked where it is built. */
const struct = (fields: Fields) => Schema.Struct(fields) as unknown as Schema.Schema<any, any>

export interface DeclarationSpec<
  Route extends string,
  P extends Fields,
  Q extends Fields,
  B extends Fields,
  A,
  I,
  Errors extends ReadonlyArray<ResponseErrorClass>
> {
  /** `METHOD /path/:param`, as in the contract (parameters renamed to their camelCase field). */
  readonly route: Route
  /** One field per `:param` of the route. */
  readonly path?: P
  /** Query parameters; each encodes to a string (wire names through `Schema.fromKey`). */
  readonly query?: Q
  /** JSON body fields (wire names through `Schema.fromKey`). */
  readonly body?: B
  /** What the success body is (default JSON): a download asks for `application/octet-stream`. */
  readonly accept?: string
  readonly success: Schema.Schema<A, I>
  readonly errors: Errors
}

/** What a caller passes: the path, query and body fields, camelCase, all in one object. */
export type InputOf<P extends Fields, Q extends Fields, B extends Fields> = Schema.Struct.Type<P & Q & B>

export interface Declaration<
  A,
  Errors extends ReadonlyArray<ResponseErrorClass>,
  P extends Fields = Fields,
  Q extends Fields = Fields,
  B extends Fields = Fields
> extends Op.Operation<A, Errors> {
  /** The path template below the base URL, e.g. `/workspaces/:id/budgets/:interval`. */
  readonly template: string
  readonly pathFields: P
  readonly queryFields: Q
  readonly bodyFields: B
  readonly success: Schema.Schema<A, any>
  /** Validate a caller's input (type side, before anything is sent). */
  readonly validate: (input: unknown) => Effect.Effect<InputOf<P, Q, B>, InvalidRequestError>
  /** The request for validated input: path filled, query and body encoded to the wire. */
  readonly request: (input: InputOf<P, Q, B>) => Op.RequestSpec
  /** Does the contract document this status for the operation? */
  readonly documents: (status: number) => boolean
}

/** Any declaration, whatever its types (for tables of them). */
export type AnyDeclaration = Declaration<any, ReadonlyArray<ResponseErrorClass>, any, any, any>

const pick = (input: Record<string, unknown>, keys: ReadonlyArray<string>) => {
  const out: Record<string, unknown> = {}
  for (const key of keys) if (input[key] !== undefined) out[key] = input[key]
  return out
}

export const declare = <
  const Route extends string,
  A,
  I,
  const Errors extends ReadonlyArray<ResponseErrorClass>,
  P extends Fields = {},
  Q extends Fields = {},
  B extends Fields = {}
>(
  name: string,
  spec: DeclarationSpec<Route, P, Q, B, A, I, Errors>
): Declaration<A, Errors, P, Q, B> => {
  const space = spec.route.indexOf(" ")
  const method = spec.route.slice(0, space) as Op.Method
  const template = spec.route.slice(space + 1)
  const pathFields = (spec.path ?? {}) as P
  const queryFields = (spec.query ?? {}) as Q
  const bodyFields = (spec.body ?? {}) as B
  // the template split once: literal segments, with the parameters' names at odd indices
  const parts = template.split(/:([A-Za-z]+)/)
  const params = parts.filter((_, i) => i % 2 === 1)
  const declared = Object.keys(pathFields)
  if (params.length !== declared.length || params.some((p) => !declared.includes(p))) {
    throw new Error(`${name}: the route's parameters (${params}) and the path fields (${declared}) differ`)
  }
  const base = Op.operation(name, method, spec.success, spec.errors)
  const validate = Op.validate(name, struct({ ...pathFields, ...queryFields, ...bodyFields }))
  const queryKeys = Object.keys(queryFields)
  const bodyKeys = Object.keys(bodyFields)
  const encodeQuery = queryKeys.length > 0 ? Schema.encodeSync(struct(queryFields)) : undefined
  const encodeBody = bodyKeys.length > 0 ? Op.jsonBody(struct(bodyFields)) : undefined
  const request = (input: Record<string, unknown>): Op.RequestSpec => {
    let path = parts[0]!
    for (let i = 1; i < parts.length; i += 2) path += Op.segment(String(input[parts[i]!])) + parts[i + 1]!
    return {
      path,
      ...(spec.accept ? { accept: spec.accept } : {}),
      ...(encodeQuery ? { urlParams: encodeQuery(pick(input, queryKeys) as any) as Record<string, string> } : {}),
      ...(encodeBody ? { body: encodeBody(pick(input, bodyKeys) as any) } : {})
    }
  }
  const statuses = new Set(spec.errors.map((error) => error.status as number))
  return {
    ...base,
    template,
    pathFields,
    queryFields,
    bodyFields,
    success: spec.success,
    validate: validate as Declaration<A, Errors, P, Q, B>["validate"],
    request: request as Declaration<A, Errors, P, Q, B>["request"],
    documents: (status) => statuses.has(status)
  }
}

/** The same declaration answering in another shape (Files: the provider decides the body's shape). */
export const withSuccess = <A, B, Errors extends ReadonlyArray<ResponseErrorClass>, P extends Fields, Q extends Fields, F extends Fields>(
  declaration: Declaration<A, Errors, P, Q, F>,
  success: Schema.Schema<B, any>
): Declaration<B, Errors, P, Q, F> => ({
  ...declaration,
  success,
  decode: Schema.decodeUnknownEither(success, { onExcessProperty: "ignore", errors: "all" })
})

/** What a declared operation's method takes. */
export type OperationInput<D> = D extends Declaration<any, any, infer P, infer Q, infer B> ? InputOf<P, Q, B> : never

/** The error channel of a declared operation's method. */
export type MethodError<D> = D extends Declaration<any, infer Errors, any, any, any> ? Op.OperationError<Errors> | InvalidRequestError
  : never

/** Retry only failures after which the server cannot have acted. */
const unlessAmbiguous = (error: unknown) => !RetryPolicy.isAmbiguous(error)

/**
 * The service method of a declaration: validate, build the request, send with retries, decode, map
 * errors, and keep the secrets of the input (its `Redacted` values) out of them, even when a server
 * echoes the request. For a non-idempotent create, either `reconcile` looks for the result before a
 * replay after an ambiguous failure, or `replayAmbiguous: false` never replays it then.
 */
export const method = <A, Errors extends ReadonlyArray<ResponseErrorClass>, P extends Fields, Q extends Fields, B extends Fields>(
  client: Op.ClientContext,
  declaration: Declaration<A, Errors, P, Q, B>,
  options?: {
    readonly reconcile?: (input: InputOf<P, Q, B>) => Effect.Effect<Option.Option<A>, Op.OperationError<Errors>>
    readonly replayAmbiguous?: boolean
  }
) =>
(input: InputOf<P, Q, B>): Effect.Effect<A, Op.OperationError<Errors> | InvalidRequestError> =>
  Effect.flatMap(declaration.validate(input), (valid) =>
    Op.execute(client, declaration, declaration.request(valid), {
      secretsOf: valid,
      ...(options?.reconcile ? { reconcile: options.reconcile(valid) } : {}),
      ...(options?.replayAmbiguous === false ? { retryIf: unlessAmbiguous } : {})
    }))

/** Decode a value with a declaration's field schemas from their wire form (the simulator's side). */
export const wireDecoder = (fields: Fields) => {
  const decode = Schema.decodeUnknownEither(struct(fields), { errors: "all", onExcessProperty: "ignore" })
  return (input: unknown) => Either.mapLeft(decode(input), (error) => Op.formatIssues(error))
}
