import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { escapeMapKey, escapeMapKeys, restoreMapKey, restoreMapKeys } from './map-key-escaping.ts';

describe('map key escaping', () => {
  it.each([
    ['constructor', '~~constructor'],
    ['__proto__', '~~__proto__'],
    ['~~x', '~~~~x'],
    ['~x', '~x'],
    ['toString', 'toString'],
    ['', ''],
  ])('%j is stored as %j and restored', (key, stored) => {
    expect(escapeMapKey(key)).toBe(stored);
    expect(restoreMapKey(stored)).toBe(key);
  });

  it('survives the SDK marshaller both ways, nested in maps and lists, keeping other types', () => {
    const value = JSON.parse(
      '{"constructor":{"name":"String"},"__proto__":{"a":[{"constructor":"y"}]},"~~k":1,"n":null}',
    );
    const withSet = { ...value, tags: new Set(['a']), bin: new Uint8Array([1]) };
    const stored = unmarshall(marshall(escapeMapKeys(withSet)));
    const back = restoreMapKeys(stored);
    expect(Object.entries(back).sort()).toEqual(Object.entries(withSet).sort());
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back.tags).toBeInstanceOf(Set);
  });
});
