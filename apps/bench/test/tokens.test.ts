import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { META_TOOLS } from '@mcp-gateway/meta';
import { measureTokens, toolTokens } from '../src/tokens/tokens';

describe('token accounting', () => {
  it('keeps the four meta-tools within 400 tokens (o200k_base), the budget meta mode promises', () => {
    expect(countTokens(JSON.stringify(META_TOOLS))).toBeLessThanOrEqual(400);
  });

  it('counts aggregate and meta costs on a small catalog', async () => {
    const tool = {
      name: 'echo',
      description: 'Echo the message back.',
      inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
    };
    const figures = await measureTokens({ name: 'tiny', backends: [{ name: 'a', tools: [tool] }] }, 1);
    expect(figures).toMatchObject({
      backends: 1,
      tools: 1,
      aggregateListTokens: toolTokens({ ...tool, name: 'a__echo' }),
      metaListTokens: countTokens(JSON.stringify(META_TOOLS)),
    });
    expect(figures.searchRoundTripTokens).toBeGreaterThan(0);
  });
});
