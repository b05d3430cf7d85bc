/**
 * Wire schemas of the Files API, shared by the client and the simulator. Three shapes: OpenRouter
 * storage (the default), and the `openai` / `anthropic` provider shapes. The spec's `_shape`
 * discriminator is optional: its own examples do not send it, so each response is decoded by the
 * provider the caller asked for.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const wire = <S extends Schema.Schema.Any>(key: string, schema: S) => Schema.propertySignature(schema).pipe(Schema.fromKey(key))
const shape = <L extends string>(literal: L) => Schema.optionalWith(Schema.Literal(literal), { exact: true }).pipe(Schema.fromKey("_shape"))

/**
 * @since 0.1.0
 * @category schemas
 */
export const FileProvider = Schema.Literal("openai", "anthropic")
/**
 * @since 0.1.0
 * @category models
 */
export type FileProvider = typeof FileProvider.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const OpenAIFilePurpose = Schema.Literal(
  "assistants",
  "batch",
  "fine-tune",
  "vision",
  "user_data",
  "evals",
  "assistants_output",
  "batch_output",
  "fine-tune-results"
)

/**
 * File metadata in OpenRouter storage.
 *
 * @since 0.1.0
 * @category models
 */
export class OpenRouterFile extends Schema.Class<OpenRouterFile>("OpenRouterFile")({
  shape: shape("openrouter"),
  id: Schema.String,
  type: Schema.Literal("file"),
  filename: Schema.String,
  mimeType: wire("mime_type", Schema.String),
  sizeBytes: wire("size_bytes", Schema.Int),
  createdAt: wire("created_at", Schema.String),
  downloadable: Schema.Boolean
}) {}

/**
 * The same fields in Anthropic's shape.
 *
 * @since 0.1.0
 * @category models
 */
export class AnthropicFile extends Schema.Class<AnthropicFile>("AnthropicFile")({
  shape: shape("anthropic"),
  id: Schema.String,
  type: Schema.Literal("file"),
  filename: Schema.String,
  mimeType: wire("mime_type", Schema.String),
  sizeBytes: wire("size_bytes", Schema.Int),
  createdAt: wire("created_at", Schema.String),
  downloadable: Schema.Boolean
}) {}

/**
 * OpenAI's file object (`created_at` in Unix seconds).
 *
 * @since 0.1.0
 * @category models
 */
export class OpenAIFile extends Schema.Class<OpenAIFile>("OpenAIFile")({
  shape: shape("openai"),
  id: Schema.String,
  object: Schema.Literal("file"),
  bytes: Schema.Int,
  createdAt: wire("created_at", Schema.Int),
  filename: Schema.String,
  purpose: OpenAIFilePurpose,
  status: Schema.Literal("processed")
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class OpenRouterFileList extends Schema.Class<OpenRouterFileList>("OpenRouterFileList")({
  shape: shape("openrouter"),
  data: Schema.Array(OpenRouterFile),
  hasMore: wire("has_more", Schema.Boolean),
  firstId: wire("first_id", Schema.NullOr(Schema.String)),
  lastId: wire("last_id", Schema.NullOr(Schema.String)),
  cursor: Schema.NullOr(Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class AnthropicFileList extends Schema.Class<AnthropicFileList>("AnthropicFileList")({
  shape: shape("anthropic"),
  data: Schema.Array(AnthropicFile),
  hasMore: wire("has_more", Schema.Boolean),
  firstId: wire("first_id", Schema.NullOr(Schema.String)),
  lastId: wire("last_id", Schema.NullOr(Schema.String))
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class OpenAIFileList extends Schema.Class<OpenAIFileList>("OpenAIFileList")({
  shape: shape("openai"),
  object: Schema.Literal("list"),
  data: Schema.Array(OpenAIFile),
  hasMore: wire("has_more", Schema.Boolean),
  firstId: wire("first_id", Schema.NullOr(Schema.String)),
  lastId: wire("last_id", Schema.NullOr(Schema.String))
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class OpenRouterFileDeleted extends Schema.Class<OpenRouterFileDeleted>("OpenRouterFileDeleted")({
  shape: shape("openrouter"),
  id: Schema.String,
  type: Schema.Literal("file_deleted")
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class AnthropicFileDeleted extends Schema.Class<AnthropicFileDeleted>("AnthropicFileDeleted")({
  shape: shape("anthropic"),
  id: Schema.String,
  type: Schema.Literal("file_deleted")
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class OpenAIFileDeleted extends Schema.Class<OpenAIFileDeleted>("OpenAIFileDeleted")({
  shape: shape("openai"),
  id: Schema.String,
  object: Schema.Literal("file"),
  deleted: Schema.Literal(true)
}) {}

/**
 * The schemas of each shape, by provider (`undefined` = OpenRouter storage).
 *
 * @since 0.1.0
 * @category constants
 */
export const shapes = {
  openrouter: { file: OpenRouterFile, list: OpenRouterFileList, deleted: OpenRouterFileDeleted },
  openai: { file: OpenAIFile, list: OpenAIFileList, deleted: OpenAIFileDeleted },
  anthropic: { file: AnthropicFile, list: AnthropicFileList, deleted: AnthropicFileDeleted }
} as const

/**
 * The largest upload the API accepts: 100 MB.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_FILE_BYTES = 100 * 1024 * 1024
