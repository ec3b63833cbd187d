import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompiledQuery } from 'kysely';
import { inlineParameters } from './inlineParameters.js';

const q = (text: string, ...parameters: unknown[]) => ({ ...CompiledQuery.raw(text), parameters });

describe('inlineParameters', () => {
  it('writes each parameter in its place as a literal ($10 is not $1 followed by 0)', () => {
    const params = Array.from({ length: 10 }, (_, i) => i + 1);
    assert.equal(inlineParameters(q('select $1, $10, $2', ...params)), 'select 1, 10, 2');
  });

  it('quotes strings (quotes doubled, backslashes as an E string) and writes null and booleans', () => {
    assert.equal(inlineParameters(q('select $1, $2, $3, $4', "it's", 'a\\b', null, true)), "select 'it''s',  E'a\\\\b', null, true");
  });

  it('keeps a negative number from turning a minus into a comment', () => {
    assert.equal(inlineParameters(q('select 5 -$1', -3)), 'select 5 -(-3)');
  });

  it('refuses what it cannot write safely: a NUL (it would end the query), objects, NaN', () => {
    assert.throws(() => inlineParameters(q('select $1', 'a\0b')), TypeError);
    assert.throws(() => inlineParameters(q('select $1', { a: 1 })), TypeError);
    assert.throws(() => inlineParameters(q('select $1', Number.NaN)), TypeError);
  });
});
