/**
 * The simulator's routes, derived from the client's operation declarations: the same route, the same
 * path/query/body schemas (decoded here from the wire), and a `fail` that only takes the statuses the
 * contract documents for the operation.
 */
import type { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Schema } from "effect"
import type { AnyDeclaration, Declaration } from "../internal/declaration.ts"
import { wireDecoder } from "../internal/declaration.ts"
import { failure } from "./http.ts"

type Fields = Schema.Struct.Fields

/** The statuses a declaration documents. */
export type StatusOf<D> = D extends Declaration<any, infer Errors, any, any, any> ? Errors[number]["status"] : never

/** What a handler receives: decoded path, query and body (camelCase), and the raw request. */
export interface Incoming<D, Env> {
  readonly params: D extends Declaration<any, any, infer P, any, any> ? Schema.Struct.Type<P> : never
  readonly query: D extends Declaration<any, any, any, infer Q, any> ? Schema.Struct.Type<Q> : never
  readonly body: D extends Declaration<any, any, any, any, infer B> ? Schema.Struct.Type<B> : never
  readonly request: HttpServerRequest.HttpServerRequest
  readonly env: Env
  /** The API's error body, with a status the contract documents for this operation. */
  readonly fail: (status: StatusOf<D>, message: string) => HttpServerResponse.HttpServerResponse
}

export type Handler<D, Env> = (
  incoming: Incoming<D, Env>
) => HttpServerResponse.HttpServerResponse | Effect.Effect<HttpServerResponse.HttpServerResponse>

export interface Route<Env> {
  readonly declaration: AnyDeclaration
  readonly method: string
  /** Literal segments, or `undefined` where a parameter stands. */
  readonly segments: ReadonlyArray<string | undefined>
  readonly params: ReadonlyArray<string>
  readonly handle: Handler<any, Env>
}

/** One route per declaration; the handlers are checked against the declarations' types. */
export const routes = <Ds extends Record<string, AnyDeclaration>, Env>(
  declarations: Ds,
  handlers: { readonly [K in keyof Ds]: Handler<Ds[K], Env> }
): ReadonlyArray<Route<Env>> =>
  Object.keys(declarations).map((name) => {
    const declaration = declarations[name]!
    const segments = declaration.template.split("/").filter((s) => s.length > 0)
    return {
      declaration,
      method: declaration.method,
      segments: segments.map((s) => (s.startsWith(":") ? undefined : s)),
      params: segments.filter((s) => s.startsWith(":")).map((s) => s.slice(1)),
      handle: handlers[name]!
    }
  })

export interface Matched {
  readonly documents403: boolean
  readonly handle: Effect.Effect<HttpServerResponse.HttpServerResponse>
}

const decoders = new WeakMap<Fields, ReturnType<typeof wireDecoder>>()
const decoderOf = (fields: Fields) => {
  let decoder = decoders.get(fields)
  if (!decoder) decoders.set(fields, decoder = wireDecoder(fields))
  return decoder
}

/**
 * A router over routes: literal segments win over parameters (`/guardrails/assignments/keys` is not
 * `/guardrails/:id`). Path, query and JSON body are decoded with the declaration's schemas; what does
 * not decode is answered 400 with the schema's message, as the API does.
 */
export const router = <Env>(all: ReadonlyArray<Route<Env>>) => {
  const ordered = [...all].sort((a, b) => a.params.length - b.params.length)
  return (
    input: {
      readonly method: string
      readonly segments: ReadonlyArray<string>
      readonly query: URLSearchParams
      readonly body: Effect.Effect<unknown>
      readonly request: HttpServerRequest.HttpServerRequest
    },
    env: Env
  ): Matched | undefined => {
    for (const route of ordered) {
      if (route.method !== input.method || route.segments.length !== input.segments.length) continue
      const raw: Record<string, string> = {}
      let p = 0
      const fits = route.segments.every((literal, i) => {
        if (literal !== undefined) return literal === input.segments[i]
        raw[route.params[p++]!] = decodeURIComponent(input.segments[i]!)
        return true
      })
      if (!fits) continue
      const declaration = route.declaration
      return {
        documents403: declaration.documents(403),
        handle: Effect.gen(function*() {
          const params = decoderOf(declaration.pathFields)(raw)
          if (Either.isLeft(params)) return failure(400, params.left)
          const query = decoderOf(declaration.queryFields)(Object.fromEntries(input.query))
          if (Either.isLeft(query)) return failure(400, query.left)
          let body: unknown = {}
          if (Object.keys(declaration.bodyFields).length > 0) {
            const decoded = decoderOf(declaration.bodyFields)(yield* input.body)
            if (Either.isLeft(decoded)) return failure(400, decoded.left)
            body = decoded.right
          }
          const answer = route.handle({
            params: params.right as never,
            query: query.right as never,
            body: body as never,
            request: input.request,
            env,
            fail: (status, message) => failure(status as number, message)
          })
          return Effect.isEffect(answer) ? yield* answer : answer
        })
      }
    }
    return undefined
  }
}
