#!/usr/bin/env node
// The push-lab command. The engine is TypeScript; tsx compiles it on the fly so the CLI
// runs straight from a fresh `npm install` with no build step.
import { tsImport } from 'tsx/esm/api';

const cli = await tsImport('../src/main/cli/main.ts', import.meta.url);
const code = await cli.main(process.argv.slice(2));
process.exitCode = code;
