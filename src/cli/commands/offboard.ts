/** `offboard`: the offboarding job's command, from its entry in the job table. */
import { jobCommand } from "../job-commands.ts"

export const offboard = jobCommand("offboarding")
