// @ts-check
/**
 * `npm start`: the server from its bundle (server/bundle.mjs), made anew first when the
 * server's sources changed. One node process, so its pid is the server's own.
 */
import { pathToFileURL } from 'node:url';
import { serverBundle } from './bundle.mjs';

await import(pathToFileURL(await serverBundle()).href);
