/**
 * Saved plans, like `terraform plan -out`: a versioned, schema-checked JSON document holding one job's
 * plan and the API it was made against, sealed by a digest of both. A plan edited after it was made is
 * refused (plan again: a plan is what a person read and approved, never a place to change a job).
 * Applying it re-reads the server first (see each job's `apply`).
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { createHash } from "node:crypto"
import { InvalidRequestError } from "../Errors.ts"
import * as Definitions from "./Definitions.ts"
import * as Specs from "./Specs.ts"

/**
 * The plan of any job kind: the union of the definitions' plan schemas.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AnyPlan: Schema.Schema<Definitions.JobPlan, any> = Schema.Union(
  ...Object.values(Definitions.definitions).map((definition) => definition.planSchema as Schema.Schema<Definitions.JobPlan, any>)
)
/**
 * @since 0.1.0
 * @category models
 */
export type AnyPlan = Definitions.JobPlan

/**
 * @since 0.1.0
 * @category constants
 */
export const FORMAT = "openrouter-effect/plan"

/**
 * @since 0.1.0
 * @category models
 */
export class PlanDocument extends Schema.Class<PlanDocument>("PlanDocument")({
  format: Schema.Literal(FORMAT),
  version: Schema.Literal(1),
  /** When it was planned (ISO 8601). */
  createdAt: Schema.String,
  /** The API it was planned against: a plan applies there only. */
  baseUrl: Schema.String,
  plan: AnyPlan
}) {}

/**
 * The job kind of a plan.
 *
 * @since 0.1.0
 * @category utils
 */
export const kindOf = (plan: AnyPlan): Specs.JobKind => Definitions.kindOf(plan)

/** JSON with object keys sorted at every level: the same value always gives the same text. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v)

/**
 * The digest sealing a saved plan: SHA-256 over the encoded plan (its spec and every item) and the
 * API it was made against.
 *
 * @since 0.1.0
 * @category plan files
 */
export const digestOf = (encoded: { readonly baseUrl: unknown; readonly plan: unknown }) =>
  `sha256:${createHash("sha256").update(canonical({ baseUrl: encoded.baseUrl, plan: encoded.plan })).digest("hex")}`

/**
 * The document as JSON text, sealed with its digest.
 *
 * @since 0.1.0
 * @category plan files
 */
export const encode = (document: PlanDocument) =>
  Effect.map(Schema.encode(PlanDocument)(document), (encoded) => JSON.stringify({ ...encoded, digest: digestOf(encoded) }, null, 2)).pipe(
    Effect.orDie
  )

const EDITED = "the plan was edited after it was made: plan again (a saved plan is applied exactly as it was made, or not at all)"

/**
 * Parse and check a saved plan: not JSON, another format or version, a digest that does not match
 * (edited), or a plan that does not decode: `InvalidRequestError`.
 *
 * @since 0.1.0
 * @category plan files
 */
export const decode = (text: string) =>
  Effect.suspend(() => {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return Effect.fail(new InvalidRequestError({ operation: "apply", issue: "the plan file is not JSON" }))
    }
    const document = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>
    if (document.format === FORMAT && document.version !== 1) {
      return Effect.fail(
        new InvalidRequestError({
          operation: "apply",
          issue: `plan format version ${String(document.version)} is not supported (this version reads 1)`
        })
      )
    }
    if (document.format === FORMAT) {
      if (typeof document.digest !== "string") {
        return Effect.fail(new InvalidRequestError({ operation: "apply", issue: "the plan has no digest, so it cannot be checked: plan again" }))
      }
      if (document.digest !== digestOf({ baseUrl: document.baseUrl, plan: document.plan })) {
        return Effect.fail(new InvalidRequestError({ operation: "apply", issue: EDITED }))
      }
    }
    const { digest: _digest, ...rest } = document
    return Specs.decode(PlanDocument, "apply")(rest)
  })
