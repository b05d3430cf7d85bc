/** The CLI's own failure: a usage, input or configuration problem (exit 2, nothing was changed). */
import * as Schema from "effect/Schema"

export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", { message: Schema.String }) {}

/** Fail with a {@link UsageError}. */
export const usage = (message: string) => new UsageError({ message })
