#!/usr/bin/env node
import module from 'node:module';
import { setFlagsFromString } from 'node:v8';

// A gateway allocates many small objects that die young. Keeping V8's young generation at its starting size,
// instead of letting it grow to 2 × 16 MiB under load, saves about 40 MB of RSS at no cost in throughput that the
// bench can see (apps/bench: the bundled CLI's RSS under load).
setFlagsFromString('--semi-space-growth-factor=1');
// Node 22+ keeps the compiled bundle on disk between starts; Node 20 has no compile cache (then this does nothing).
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = await import('./cli');
process.exitCode = await main(process.argv.slice(2));
