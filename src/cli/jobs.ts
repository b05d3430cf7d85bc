/**
 * Kept for the scripts (`scripts/*.ts`) that import job output from here: the progress view and the
 * summary. The job commands live in `job-commands.ts` (the table) and `job-runner.ts` (the runner).
 */
import type { PubSub } from "effect"
import type * as Engine from "../jobs/Engine.ts"
import * as Progress from "./progress.ts"

export { summary } from "./job-runner.ts"

/** Draw progress from the job's events on stderr. */
export const progress = (events: PubSub.PubSub<Engine.JobEvent>) => Progress.progress(events)
