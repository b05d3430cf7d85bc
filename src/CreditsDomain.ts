/**
 * Wire schemas of `GET /credits`: the credits bought and used, organisation-wide.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { wire } from "./Domain.ts"

/**
 * @since 0.1.0
 * @category models
 */
export class CreditTotals extends Schema.Class<CreditTotals>("CreditTotals")({
  /** USD of credits bought, ever. */
  totalCredits: wire("total_credits", Schema.Number),
  /** USD of credits used, ever (BYOK spend is not credits). */
  totalUsage: wire("total_usage", Schema.Number)
}) {
  /** What is left to spend. */
  get remaining(): number {
    return this.totalCredits - this.totalUsage
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export class CreditsResponse extends Schema.Class<CreditsResponse>("CreditsResponse")({
  data: CreditTotals
}) {}
