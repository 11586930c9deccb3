import { readFileSync, statSync } from 'node:fs';
import type { SourceReader } from '../../core/model/load.js';
import { MAX_SOURCE_BYTES } from '../../core/source/source.js';

/** Reads mesh sources from the file system; refuses directories and files too large to be a mesh. */
export const fsReader: SourceReader = {
  read(file: string): string | Error {
    try {
      const st = statSync(file);
      if (st.isDirectory()) return new Error('it is a directory, not a file');
      if (st.size > MAX_SOURCE_BYTES) return new Error(`it is ${st.size} bytes; the limit is ${MAX_SOURCE_BYTES}`);
      return readFileSync(file).toString('utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') return new Error('no such file');
      if (err.code === 'EACCES') return new Error('permission denied');
      return new Error(err.message);
    }
  },
};
