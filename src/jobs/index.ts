/**
 * Bulk jobs: plan first (a dry run that changes nothing), then apply with bounded concurrency under a
 * shared rate gate, journaled so a re-run with the same job id resumes. Each job kind is one
 * definition (`Definitions.definitions`): its spec, plan, apply and how a person reads its plan. Each
 * job takes a spec (`OnboardingSpec`, …, or its encoded form) and fails with `InvalidRequestError` on
 * anything else.
 *
 * @since 0.1.0
 */
/**
 * @since 0.1.0
 */
export * as BudgetPolicy from "./BudgetPolicy.ts"
/**
 * @since 0.1.0
 */
export * as Counts from "./Counts.ts"
/**
 * @since 0.1.0
 */
export * as Definitions from "./Definitions.ts"
export {
  /**
   * Every job kind, by kind (the same as `Definitions.definitions`).
   *
   * @since 0.1.0
   * @category definitions
   */
  definitions,
  /**
   * The same as `Definitions.JobDefinition`.
   *
   * @since 0.1.0
   * @category models
   */
  type JobDefinition,
  /**
   * The same as `Definitions.JobKind`.
   *
   * @since 0.1.0
   * @category models
   */
  type JobKind,
  /**
   * The same as `Definitions.JobPlan`.
   *
   * @since 0.1.0
   * @category models
   */
  type JobPlan,
  /**
   * The same as `Definitions.JobSpec`.
   *
   * @since 0.1.0
   * @category models
   */
  type JobSpec,
  /**
   * The same as `Definitions.PlanOptions`.
   *
   * @since 0.1.0
   * @category models
   */
  type PlanOptions
} from "./Definitions.ts"
/**
 * @since 0.1.0
 */
export * as Engine from "./Engine.ts"
/**
 * @since 0.1.0
 */
export * as FileCleanup from "./FileCleanup.ts"
/**
 * @since 0.1.0
 */
export * as Journal from "./Journal.ts"
/**
 * @since 0.1.0
 */
export * as KeyHygiene from "./KeyHygiene.ts"
/**
 * @since 0.1.0
 */
export * as KeyRotation from "./KeyRotation.ts"
export {
  /**
   * The same as `KeyRotation.KeyRotationSpec`.
   *
   * @since 0.1.0
   * @category models
   */
  KeyRotationSpec
} from "./KeyRotation.ts"
/**
 * @since 0.1.0
 */
export * as Offboarding from "./Offboarding.ts"
/**
 * @since 0.1.0
 */
export * as Onboarding from "./Onboarding.ts"
export {
  /**
   * Organisation as code: `Org.export` writes the organisation as an `OrgSpec` (`Org.toYaml` for
   * the file), `Org.plan` shows the difference, `Org.describe` says it the way a person reads it,
   * `Org.apply` makes the organisation match (journaled, resumable).
   *
   * @since 0.1.0
   * @category definitions
   */
  Org
} from "./Org.ts"
/**
 * @since 0.1.0
 */
export * as OrgPlan from "./OrgPlan.ts"
/**
 * @since 0.1.0
 */
export * as OrgSpec from "./OrgSpec.ts"
/**
 * @since 0.1.0
 */
export * as PlanFile from "./PlanFile.ts"
/**
 * @since 0.1.0
 */
export * as Reading from "./Reading.ts"
/**
 * @since 0.1.0
 */
export * as SecretSink from "./SecretSink.ts"
/**
 * @since 0.1.0
 */
export * as Specs from "./Specs.ts"
export {
  /**
   * The same as `Specs.BudgetPolicySpec`.
   *
   * @since 0.1.0
   * @category models
   */
  BudgetPolicySpec,
  /**
   * The same as `Specs.FileCleanupSpec`.
   *
   * @since 0.1.0
   * @category models
   */
  FileCleanupSpec,
  /**
   * The same as `Specs.KeyHygieneSpec`.
   *
   * @since 0.1.0
   * @category models
   */
  KeyHygieneSpec,
  /**
   * The same as `Specs.OffboardingSpec`.
   *
   * @since 0.1.0
   * @category models
   */
  OffboardingSpec,
  /**
   * The same as `Specs.OnboardingSpec`.
   *
   * @since 0.1.0
   * @category models
   */
  OnboardingSpec
} from "./Specs.ts"
/**
 * @since 0.1.0
 */
export * as UsersFile from "./UsersFile.ts"
