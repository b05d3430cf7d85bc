/**
 * Bulk jobs: plan first (a dry run that changes nothing), then apply with bounded concurrency under a
 * shared rate gate, journaled in SQLite so a re-run with the same job id resumes.
 *
 * @since 0.1.0
 */
export * as BudgetPolicy from "./BudgetPolicy.ts"
export * as Engine from "./Engine.ts"
export * as FileCleanup from "./FileCleanup.ts"
export * as Journal from "./Journal.ts"
import * as Membership from "./Membership.ts"
import type * as Engine from "./Engine.ts"

/** Onboarding: add users (ids or e-mails) to workspaces, creating workspaces and budgets if asked. */
export const Onboarding = {
  plan: (params: Membership.MembershipParams, options?: Membership.PlanOptions) => Membership.plan("add", params, options),
  apply: (input: Membership.MembershipPlan | Membership.MembershipParams, options?: Engine.ApplyOptions) =>
    Membership.apply("add", input, options)
}

/** Offboarding: remove users from workspaces; members that cannot be removed are isolated and reported. */
export const Offboarding = {
  plan: (params: Membership.MembershipParams, options?: Membership.PlanOptions) =>
    Membership.plan("remove", params, options),
  apply: (input: Membership.MembershipPlan | Membership.MembershipParams, options?: Engine.ApplyOptions) =>
    Membership.apply("remove", input, options)
}

export type { MembershipParams, MembershipPlan } from "./Membership.ts"
