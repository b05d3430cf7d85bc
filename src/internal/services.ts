/**
 * Every service of the client entry point on one client, for the simulator's `layerClient` and the CLI.
 * Kept out of `src/index.ts` so that a bundler importing one service keeps only that one.
 */
import { Layer } from "effect"
import { Activity } from "../Activity.ts"
import { Analytics } from "../Analytics.ts"
import { Byok } from "../Byok.ts"
import { Credits } from "../Credits.ts"
import { Files } from "../Files.ts"
import { Guardrails } from "../Guardrails.ts"
import type { Services } from "../index.ts"
import { Keys } from "../Keys.ts"
import { Observability } from "../Observability.ts"
import type { OpenRouterClient } from "../OpenRouterClient.ts"
import { Organization } from "../Organization.ts"
import { Scim } from "../Scim.ts"
import { Workspaces } from "../Workspaces.ts"

/** Every one of {@link Services}, needing only an `OpenRouterClient`. */
export const servicesLayer: Layer.Layer<Services, never, OpenRouterClient> = Layer.mergeAll(
  Workspaces.Default,
  Organization.Default,
  Files.Default,
  Keys.Default,
  Guardrails.Default,
  Activity.Default,
  Analytics.Default,
  Credits.Default,
  Byok.Default,
  Scim.Default,
  Observability.Default
)
