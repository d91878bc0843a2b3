import { describe, expect, it } from 'vitest';
import { needsQuoting, quoteIdentifier } from '@/lib/sql-identifier';

describe('quoteIdentifier', () => {
  it('leaves plain lower-case names bare', () => {
    expect(needsQuoting('sally')).toBe(false);
    expect(quoteIdentifier('app_user_2')).toBe('app_user_2');
    expect(quoteIdentifier('_x$')).toBe('_x$');
  });

  it('quotes names SQL would fold or reject', () => {
    expect(quoteIdentifier('Sally')).toBe('"Sally"');
    expect(quoteIdentifier('my user')).toBe('"my user"');
    expect(quoteIdentifier('app-user')).toBe('"app-user"');
    expect(quoteIdentifier('2fast')).toBe('"2fast"');
    expect(quoteIdentifier('user')).toBe('"user"');
    expect(quoteIdentifier('é')).toBe('"é"');
  });

  it('doubles embedded double quotes', () => {
    expect(quoteIdentifier('say "hi"')).toBe('"say ""hi"""');
  });
});
