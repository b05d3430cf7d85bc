/**
 * Organisation as code, like Terraform for an OpenRouter organisation: a reviewed file
 * (`OrgSpec`, YAML or JSON) is the source of truth; `Org.export` writes the organisation as it is,
 * `Org.plan` shows the difference, `Org.apply` makes the organisation match (journaled, resumable).
 *
 * ```ts
 * const spec = yield* OrgSpec.parse(yield* fs.readFileString("org.yaml"), "org.yaml")
 * const plan = yield* Org.plan(spec)
 * console.log(Org.describe(plan).join("\n"))   // Plan: 2 to add, 3 to change, 1 to remove.
 * ```
 *
 * @since 0.1.0
 */
import * as OrgApply from "./OrgApply.ts"
import * as OrgExport from "./OrgExport.ts"
import * as OrgPlan from "./OrgPlan.ts"

export const Org = {
  /** The organisation as it is, as an `OrgSpec` (`Org.toYaml` for the file's text). */
  export: OrgExport.exportSpec,
  /** The file as YAML text. */
  toYaml: OrgExport.toYaml,
  /** The difference between a spec (or its encoded form) and the organisation. Changes nothing. */
  plan: OrgPlan.plan,
  /** What a person reads: per workspace, ending `Plan: N to add, M to change, K to remove.` */
  describe: OrgPlan.describe,
  isEmpty: OrgPlan.isEmpty,
  /** Make the organisation match a spec (planned, then run) or a saved plan (checked again first). Journaled. */
  apply: OrgApply.apply
} as const
