/**
 * Saved plans, like `terraform plan -out`: a versioned, schema-checked JSON document holding one job's
 * plan and the API it was made against. Applying it re-reads the server first (see each job's `apply`).
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { InvalidRequestError } from "../Errors.ts"
import * as Definitions from "./Definitions.ts"
import * as Specs from "./Specs.ts"

/** The plan of any job kind: the union of the definitions' plan schemas. */
export const AnyPlan: Schema.Schema<Definitions.JobPlan, any> = Schema.Union(
  ...Object.values(Definitions.definitions).map((definition) => definition.planSchema as Schema.Schema<Definitions.JobPlan, any>)
)
export type AnyPlan = Definitions.JobPlan

export const FORMAT = "openrouter-effect/plan"

export class PlanDocument extends Schema.Class<PlanDocument>("PlanDocument")({
  format: Schema.Literal(FORMAT),
  version: Schema.Literal(1),
  /** When it was planned (ISO 8601). */
  createdAt: Schema.String,
  /** The API it was planned against: a plan applies there only. */
  baseUrl: Schema.String,
  plan: AnyPlan
}) {}

/** The job kind of a plan. */
export const kindOf = (plan: AnyPlan): Specs.JobKind => Definitions.kindOf(plan)

/** The document as JSON text. */
export const encode = (document: PlanDocument) =>
  Effect.map(Schema.encode(PlanDocument)(document), (encoded) => JSON.stringify(encoded, null, 2)).pipe(Effect.orDie)

/** Parse and check a saved plan; anything that is not one fails with `InvalidRequestError`. */
export const decode = (text: string) =>
  Effect.suspend(() => {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return Effect.fail(new InvalidRequestError({ operation: "apply", issue: "the plan file is not JSON" }))
    }
    const version = (parsed as { version?: unknown } | null)?.version
    if (typeof parsed === "object" && parsed !== null && (parsed as { format?: unknown }).format === FORMAT && version !== 1) {
      return Effect.fail(
        new InvalidRequestError({ operation: "apply", issue: `plan format version ${String(version)} is not supported (this version reads 1)` })
      )
    }
    return Specs.decode(PlanDocument, "apply")(parsed)
  })
