/**
 * Why a text is not JSON, in words that quote none of it. V8's own message quotes the text around the error
 * (`Unexpected token 'D', "DB_PASSWOR"... is not valid JSON`), and the file may be one that must never be echoed: a
 * saved plan or report input that is a link to a secret. Only a position is kept.
 */
export function jsonSyntaxProblem(text: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const at = /at position (\d+)/.exec(message);
  if (at !== null && Number(at[1]) >= text.length) return 'invalid JSON: it ends too early (truncated?)';
  if (at !== null) {
    const position = Number(at[1]);
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    return `invalid JSON at line ${line}, column ${column}`;
  }
  if (message.includes('Unexpected end of JSON input')) return 'invalid JSON: it ends too early (truncated?)';
  return 'invalid JSON: an unexpected character';
}
