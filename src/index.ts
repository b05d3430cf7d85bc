/**
 * openrouter-effect: an Effect client for OpenRouter's management API.
 *
 * @since 0.1.0
 */
/**
 * @since 0.1.0
 */
export * as Activity from "./Activity.ts"
/**
 * @since 0.1.0
 */
export * from "./ActivityDomain.ts"
/**
 * @since 0.1.0
 */
export * as Analytics from "./Analytics.ts"
/**
 * @since 0.1.0
 */
export * from "./AnalyticsDomain.ts"
/**
 * @since 0.1.0
 */
export * as Byok from "./Byok.ts"
/**
 * @since 0.1.0
 */
export * from "./ByokDomain.ts"
/**
 * @since 0.1.0
 */
export * as Credits from "./Credits.ts"
/**
 * @since 0.1.0
 */
export * from "./CreditsDomain.ts"
/**
 * @since 0.1.0
 */
export * as Domain from "./Domain.ts"
/**
 * @since 0.1.0
 */
export * from "./Domain.ts"
/**
 * @since 0.1.0
 */
export * from "./Errors.ts"
/**
 * @since 0.1.0
 */
export * from "./FileDomain.ts"
/**
 * @since 0.1.0
 */
export * as Files from "./Files.ts"
/**
 * @since 0.1.0
 */
export * as Guardrails from "./Guardrails.ts"
/**
 * @since 0.1.0
 */
export * from "./GuardrailsDomain.ts"
/**
 * @since 0.1.0
 */
export * as Keys from "./Keys.ts"
/**
 * @since 0.1.0
 */
export * from "./KeysDomain.ts"
/**
 * @since 0.1.0
 */
export * as Observability from "./Observability.ts"
/**
 * @since 0.1.0
 */
export * from "./ObservabilityDomain.ts"
/**
 * @since 0.1.0
 */
export * as OpenRouterClient from "./OpenRouterClient.ts"
/**
 * @since 0.1.0
 */
export * as Organization from "./Organization.ts"
/**
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.ts"
/**
 * @since 0.1.0
 */
export * as Scim from "./Scim.ts"
/**
 * @since 0.1.0
 */
export * from "./ScimDomain.ts"
/**
 * @since 0.1.0
 */
export * as Workspaces from "./Workspaces.ts"
