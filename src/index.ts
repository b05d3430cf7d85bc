/**
 * openrouter-effect: an Effect client for OpenRouter's management API.
 *
 * @since 0.1.0
 */
import type { Activity } from "./Activity.ts"
import type { Analytics } from "./Analytics.ts"
import type { Byok } from "./Byok.ts"
import type { Credits } from "./Credits.ts"
import type { Files } from "./Files.ts"
import type { Guardrails } from "./Guardrails.ts"
import type { Keys } from "./Keys.ts"
import type { Observability } from "./Observability.ts"
import type { Organization } from "./Organization.ts"
import type { Scim } from "./Scim.ts"
import type { Workspaces } from "./Workspaces.ts"

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

/**
 * Every service of this entry point, one per endpoint group: what `Simulator.layerClient` provides
 * and the CLI's commands may use. A new service module adds its tag here and its layer to
 * `src/internal/services.ts` (the compiler says when they differ).
 *
 * @since 0.2.0
 * @category services
 */
export type Services =
  | Workspaces
  | Organization
  | Files
  | Keys
  | Guardrails
  | Activity
  | Analytics
  | Credits
  | Byok
  | Scim
  | Observability
