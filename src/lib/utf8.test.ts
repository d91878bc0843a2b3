import { describe, expect, it } from 'vitest';
import { utf8ByteLength } from '@/lib/utf8';

describe('utf8ByteLength', () => {
  it('counts bytes, not characters', () => {
    expect(utf8ByteLength('')).toBe(0);
    expect(utf8ByteLength('sally')).toBe(5);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('用户')).toBe(6);
    expect(utf8ByteLength('🐘')).toBe(4);
  });
});
