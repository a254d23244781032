import { z } from 'zod';
import { gatewayInputSchema } from './schema';

/**
 * The JSON Schema of the YAML configuration, for editor completion (`# yaml-language-server: $schema=...`).
 *
 * @example writeFileSync('config.schema.json', JSON.stringify(configJsonSchema(), null, 2))
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(gatewayInputSchema, { target: 'draft-7', io: 'input' }),
    title: 'MCP Gateway configuration',
  };
}
