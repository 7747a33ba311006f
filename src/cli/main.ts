#!/usr/bin/env node
/** Entry point of the `vigil` command (bin/vigil.js imports this file). */
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
