import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WEB_CALL_OPERATIONS } from './web-call-operation.ts';

describe('the documented web-call operations', () => {
  it('convert to JSON Schema for the OpenAPI document', () => {
    for (const op of WEB_CALL_OPERATIONS) {
      const request = z.toJSONSchema(op.body as z.ZodType, { io: 'input' }) as Record<string, unknown>;
      expect(request.required).toEqual(['agentId']);
      expect(request.additionalProperties).toBe(false);
      const response = z.toJSONSchema(op.success.schema as z.ZodType, { io: 'output' }) as {
        required: string[];
      };
      expect(response.required.sort()).toEqual(['callId', 'expiresAt', 'token', 'url', 'websocketUrl']);
    }
  });
});
