/** An object literal, `JSON.parse` output or `Object.create(null)`: its prototype is Object.prototype or null. */
export function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
