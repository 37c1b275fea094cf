import { describe, expect, it } from 'vitest';
import { PartBuffer } from './part-buffer.ts';

describe('PartBuffer', () => {
  it('holds the UTF-8 bytes written, grows past its size, and is reused after clear', () => {
    const part = new PartBuffer(8);
    part.write('a,b\n');
    part.write('é€,"x"\n');
    expect(part.view().toString('utf8')).toBe('a,b\né€,"x"\n');
    expect(part.length).toBe(Buffer.byteLength('a,b\né€,"x"\n'));
    part.clear();
    expect(part.length).toBe(0);
    part.write('next part');
    expect(part.view().toString('utf8')).toBe('next part');
  });
});
