/* global process */
// Node module hooks that append every module URL resolved to the file named by MODULES_LOG (one a line).
import { appendFileSync } from "node:fs"

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  if (process.env.MODULES_LOG) appendFileSync(process.env.MODULES_LOG, resolved.url + "\n")
  return resolved
}
