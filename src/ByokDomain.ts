/**
 * Wire schemas of the BYOK operations: provider API keys an organisation brings (list, create, get,
 * update, delete).
 *
 * The provider key itself is write-only: requests carry it `Redacted` (a plain string is refused, and
 * a refusal never quotes it); answers never contain it, only a masked `label`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { NonEmptyId, optionalWire, pagingQuery, wire } from "./Domain.ts"
import { secretInput, Uuid } from "./KeysDomain.ts"

// --- validation rules from the contract ---------------------------------------------------------------

/**
 * The upstream providers a credential may authenticate against (open in answers).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByokProvider = Schema.Literal(
  "ai21",
  "aion-labs",
  "akashml",
  "alibaba",
  "amazon-bedrock",
  "amazon-nova",
  "ambient",
  "anthropic",
  "arcee-ai",
  "atlas-cloud",
  "avian",
  "azure",
  "baidu",
  "baseten",
  "black-forest-labs",
  "byteplus",
  "cerebras",
  "chutes",
  "cirrascale",
  "clarifai",
  "cloudflare",
  "cohere",
  "coreweave",
  "crusoe",
  "darkbloom",
  "databricks",
  "decart",
  "deepgram",
  "deepinfra",
  "deepseek",
  "dekallm",
  "digitalocean",
  "featherless",
  "fireworks",
  "fish-audio",
  "friendli",
  "gmicloud",
  "google-ai-studio",
  "google-vertex",
  "groq",
  "heygen",
  "inception",
  "inceptron",
  "inferact-vllm",
  "inference-net",
  "infermatic",
  "inflection",
  "io-net",
  "ionstream",
  "krea",
  "liquid",
  "makora",
  "mancer",
  "mara",
  "meta",
  "minimax",
  "mistral",
  "modal",
  "modelrun",
  "modular",
  "moonshotai",
  "morph",
  "ncompass",
  "nebius",
  "nex-agi",
  "nextbit",
  "novita",
  "nvidia",
  "open-inference",
  "openai",
  "parasail",
  "perceptron",
  "perplexity",
  "phala",
  "poolside",
  "quiver",
  "recraft",
  "reka",
  "relace",
  "runway",
  "sail-research",
  "sakana",
  "sakana-ai",
  "sambanova",
  "seed",
  "siliconflow",
  "sourceful",
  "stepfun",
  "streamlake",
  "switchpoint",
  "tencent",
  "tenstorrent",
  "thinkingmachines",
  "together",
  "upstage",
  "venice",
  "wafer",
  "wandb",
  "wandb-legacy",
  "xai",
  "xiaomi",
  "z-ai"
).annotations({ identifier: "ByokProvider", message: () => "expected a provider slug, e.g. \"openai\", \"anthropic\", \"amazon-bedrock\"" })
/**
 * @since 0.1.0
 * @category models
 */
export type ByokProvider = typeof ByokProvider.Type

const KeyHashHex = Schema.String.pipe(
  Schema.pattern(/^[a-f0-9]{64}$/, { message: () => "an API key hash is 64 lowercase hex characters (as the keys API returns it)" })
)

const upTo100 = (item: Schema.Schema<string>, what: string) =>
  Schema.Array(item).pipe(Schema.maxItems(100, { message: () => `${what} takes at most 100` }))

/** Restrictions on who and what may use the credential; `null` is no restriction (collections replace). */
const restrictionFields = {
  name: Schema.optionalWith(
    Schema.NullOr(Schema.String.pipe(Schema.maxLength(255, { message: () => "a credential name is at most 255 characters" }))),
    { exact: true }
  ),
  disabled: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** Tried only after the provider's non-fallback credentials. */
  isFallback: optionalWire("is_fallback", Schema.Boolean),
  allowedModels: optionalWire("allowed_models", Schema.NullOr(upTo100(NonEmptyId, "allowedModels"))),
  allowedApiKeyHashes: optionalWire(
    "allowed_api_key_hashes",
    Schema.NullOr(
      upTo100(KeyHashHex, "allowedApiKeyHashes").pipe(
        Schema.minItems(1, { message: () => "allowedApiKeyHashes needs at least one hash, or null for no restriction" })
      )
    )
  ),
  allowedUserIds: optionalWire("allowed_user_ids", Schema.NullOr(upTo100(NonEmptyId, "allowedUserIds")))
}

// --- credentials ---------------------------------------------------------------------------------------

const NullableStrings = Schema.NullOr(Schema.Array(Schema.String))

/**
 * @since 0.1.0
 * @category models
 */
export class ByokKey extends Schema.Class<ByokKey>("ByokKey")({
  id: Schema.String,
  provider: Schema.String,
  /** `null`: global, usable in every workspace (not "the default workspace"). */
  workspaceId: wire("workspace_id", Schema.NullOr(Schema.String)),
  name: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  /** A masked snippet of the key (e.g. `sk-...AbCd`), never the key. */
  label: Schema.String,
  disabled: Schema.Boolean,
  isFallback: wire("is_fallback", Schema.Boolean),
  allowedModels: wire("allowed_models", NullableStrings),
  allowedApiKeyHashes: wire("allowed_api_key_hashes", NullableStrings),
  allowedUserIds: wire("allowed_user_ids", NullableStrings),
  /** Credentials of a provider are tried in ascending order. */
  sortOrder: wire("sort_order", Schema.Int),
  createdAt: wire("created_at", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ListByokKeysResponse extends Schema.Class<ListByokKeysResponse>("ListByokKeysResponse")({
  data: Schema.Array(ByokKey),
  totalCount: wire("total_count", Schema.Int)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ByokKeyResponse extends Schema.Class<ByokKeyResponse>("ByokKeyResponse")({
  data: ByokKey
}) {}

/**
 * `GET /byok` query: paging, the workspace (default: the default workspace) and the provider.
 *
 * @since 0.1.0
 * @category schemas
 */
export const listByokQuery = {
  ...pagingQuery,
  workspaceId: optionalWire("workspace_id", Uuid),
  provider: Schema.optionalWith(ByokProvider, { exact: true })
}

/**
 * @since 0.1.0
 * @category models
 */
export class CreateByokKeyRequest extends Schema.Class<CreateByokKeyRequest>("CreateByokKeyRequest")({
  provider: ByokProvider,
  /** The provider's API key, `Redacted`: encrypted at rest by the API and never returned. */
  key: secretInput(1),
  /** Default: the default workspace. */
  workspaceId: optionalWire("workspace_id", Uuid),
  ...restrictionFields
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class UpdateByokKeyRequest extends Schema.Class<UpdateByokKeyRequest>("UpdateByokKeyRequest")({
  /** A new provider key, `Redacted`: rotates the credential in place (the old key material is overwritten). */
  key: Schema.optionalWith(secretInput(1), { exact: true }),
  ...restrictionFields
}) {}
