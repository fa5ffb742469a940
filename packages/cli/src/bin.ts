#!/usr/bin/env node
import { main } from './main.js';

// Exit explicitly: a plugin that leaked a timer or socket must not keep a finished run alive.
// stdout/stderr writes to files and pipes are synchronous on POSIX, so nothing printed is lost.
process.exit(await main(process.argv.slice(2)));
