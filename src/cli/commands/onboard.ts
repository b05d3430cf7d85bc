/** `onboard`: the onboarding job's command, from its entry in the job table. */
import { jobCommand } from "../job-commands.ts"

export const onboard = jobCommand("onboarding")
