// Writes schemas/cnn-design.schema.json (the JSON schema VS Code uses for `.cnn.json` text) from the layer catalog.
import { mkdirSync, writeFileSync } from 'node:fs';
import { designSchema } from '../src/core/format/designSchema';

mkdirSync('schemas', { recursive: true });
writeFileSync('schemas/cnn-design.schema.json', `${JSON.stringify(designSchema(), null, 2)}\n`);
console.log('wrote schemas/cnn-design.schema.json');
