/**
 * Setup of the unit tier, which shares one module graph between test files (`isolate: false`) for speed: whatever a
 * file stubs globally must be undone when the file ends. aws-sdk-client-mock stubs `Client.prototype.send` in
 * sinon's default sandbox, so restoring that sandbox hands the next file the real SDK clients. It is the CommonJS
 * sinon the mock library requires (sinon's ES module build is a second copy with its own sandbox).
 */
import { createRequire } from 'node:module';
import { afterAll } from 'vitest';

const requireFromMock = createRequire(createRequire(import.meta.url).resolve('aws-sdk-client-mock'));
const sinon = requireFromMock('sinon') as { restore(): void };

afterAll(() => {
  sinon.restore();
});
