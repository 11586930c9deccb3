/** Parse errors of files meshgov refuses quote nothing of them (src/core/json-syntax.ts). */
import { describe, expect, it } from 'vitest';
import { jsonSyntaxProblem } from '../src/core/json-syntax.js';
import { parsePlan } from '../src/core/plan/parse.js';

const SECRET = 'DB_PASSWORD=Hunter2-Prod-DB-Password!';

function problemOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return jsonSyntaxProblem(text, e);
  }
  throw new Error('parsed');
}

describe('jsonSyntaxProblem', () => {
  it.each([
    ['an env file', `${SECRET}\nAWS_SECRET_ACCESS_KEY=x\n`],
    ['a secret after a valid start', `{"a": 1,\n "b": ${SECRET}}`],
    ['a secret in an unterminated string', `{"a": "${SECRET}`],
    ['a secret after a bad escape', `{"a": "\\q${SECRET}"}`],
    ['a secret after a bare word', `{"k": Hunter2-Prod}`],
  ])('quotes nothing of %s', (_what, text) => {
    const problem = problemOf(text);
    expect(problem).toMatch(/^invalid JSON/);
    for (const piece of ['DB_', 'Hunter', 'PASSWOR', 'AWS_', '"']) expect(problem).not.toContain(piece);
  });

  it('gives the line and column when the parser names a position', () => {
    expect(problemOf('{\n  "a": 1,\n  x\n}')).toBe('invalid JSON at line 3, column 3');
  });

  it('says a truncated text ends too early', () => {
    expect(problemOf('{"a": [1, 2')).toBe('invalid JSON: it ends too early (truncated?)');
  });

  it('is what a saved plan that is not JSON reports', () => {
    const { error } = parsePlan(`${SECRET}\n`);
    expect(error).toBe('not JSON (truncated or not a plan): invalid JSON: an unexpected character');
  });
});
