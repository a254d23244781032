// Regenerates config.schema.json, the JSON Schema editors use for completion. A test checks it is current.
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../src/index';

writeFileSync(
  new URL('../config.schema.json', import.meta.url),
  `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
);
