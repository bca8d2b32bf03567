#!/usr/bin/env node
// The offerlab CLI. The sources are TypeScript; tsx compiles them on the fly (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
