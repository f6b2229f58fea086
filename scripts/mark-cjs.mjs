#!/usr/bin/env node
// The CommonJS builds of @duotoken/protocol and @duotoken/verify live in
// dist/cjs of packages whose package.json says "type": "module": a
// package.json there tells Node (and TypeScript) that those .js and .d.ts
// files are CommonJS.
import { writeFileSync } from 'node:fs';

for (const name of ['protocol', 'verify'])
  writeFileSync(new URL(`../packages/${name}/dist/cjs/package.json`, import.meta.url), '{ "type": "commonjs" }\n');
