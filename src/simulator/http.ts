/** Small helpers shared by the simulator's route handlers. */
import { HttpServerResponse } from "@effect/platform"
import { Either, ParseResult, Schema } from "effect"
import type { ActivityState } from "./activity-state.ts"
import type { ByokState } from "./byok-state.ts"
import type { FileStore } from "./files-store.ts"
import type { ObservabilityState } from "./observability-state.ts"
import type { ScimState } from "./scim-state.ts"
import type { OrganizationState } from "./state.ts"

/** What every route handler works on: the organisation and its file storage. */
export interface Env {
  readonly state: OrganizationState
  readonly files: FileStore
  /** Spend: the activity records behind `/activity`, `/analytics` and `/credits` (D). */
  readonly activity: ActivityState
  /** BYOK credentials, SCIM groups and mappings, observability destinations (D). */
  readonly byok: ByokState
  readonly scim: ScimState
  readonly observability: ObservabilityState
}

/** A JSON answer (already encoded to the wire shape). */
export const json = (body: unknown, status = 200) => HttpServerResponse.unsafeJson(body, { status })

/** A pre-serialised JSON answer. */
export const jsonText = (body: string, status = 200) => HttpServerResponse.text(body, { status, contentType: "application/json" })

/** The API's error body: `{ error: { code, message } }`. */
export const failure = (status: number, message: string, headers?: Record<string, string>) =>
  HttpServerResponse.unsafeJson({ error: { code: status, message } }, { status, ...(headers ? { headers } : {}) })

/** Encode with a wire schema, without re-validating what the simulator built itself. */
export const encoder = <A, I>(schema: Schema.Schema<A, I>) => Schema.encodeSync(schema)

/** Decode a request body (snake_case) with a shared wire schema; a message on failure. */
export const decoder = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" })
  return (input: unknown): Either.Either<A, string> =>
    Either.mapLeft(decode(input), (error) =>
      ParseResult.ArrayFormatter.formatErrorSync(error)
        .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
        .join("; "))
}

/** Parse `offset`/`limit` query parameters; a message when they break the API's rules. */
export const paging = (
  query: URLSearchParams,
  defaults: { limit: number; max: number }
): { offset: number; limit: number } | string => {
  const offset = query.has("offset") ? Number(query.get("offset")) : 0
  const limit = query.has("limit") ? Number(query.get("limit")) : defaults.limit
  if (!Number.isInteger(offset) || offset < 0) return "offset must be an integer ≥ 0"
  if (!Number.isInteger(limit) || limit < 1 || limit > defaults.max) {
    return `limit must be an integer between 1 and ${defaults.max}`
  }
  return { offset, limit }
}
