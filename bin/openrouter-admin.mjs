#!/usr/bin/env node
// The CLI: an esbuild bundle of src/cli/main.ts (one file to parse, handlers' modules in chunks loaded
// on use), built by `npm run build` (run by `npm ci`/`npm install` through `prepare`).
await import("../dist/bin/main.mjs")
