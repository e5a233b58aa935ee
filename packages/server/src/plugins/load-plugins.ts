import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import type { ServerConfig } from '../config.js';
import { ConfigError } from '../config.js';
import type { TidingsPlugin } from './tidings-plugin.js';

/**
 * What a module named in `TIDINGS_PLUGINS` exports by default: the plugins it
 * contributes, built from the service's configuration (its demo speed, say) and
 * the environment (a plugin's own settings; a bad one throws a ConfigError).
 */
export type TidingsPluginModule = (config: ServerConfig, env: NodeJS.ProcessEnv) => TidingsPlugin | readonly TidingsPlugin[];

/** Imports the modules of `config.plugins`, in order, and builds their plugins. */
export async function loadPlugins(config: ServerConfig, env: NodeJS.ProcessEnv = process.env): Promise<TidingsPlugin[]> {
  const plugins: TidingsPlugin[] = [];
  for (const specifier of config.plugins) {
    // A path is taken from the working directory; anything else is a package name.
    const target = specifier.startsWith('.') || isAbsolute(specifier) ? pathToFileURL(resolve(specifier)).href : specifier;
    let module: { default?: unknown };
    try {
      module = (await import(target)) as { default?: unknown };
    } catch (error) {
      throw new ConfigError(`TIDINGS_PLUGINS names '${specifier}', which could not be imported: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof module.default !== 'function') throw new ConfigError(`TIDINGS_PLUGINS names '${specifier}', whose default export is not a plugin factory (config) => plugin(s).`);
    const made = (module.default as TidingsPluginModule)(config, env);
    plugins.push(...(Array.isArray(made) ? (made as readonly TidingsPlugin[]) : [made as TidingsPlugin]));
  }
  return plugins;
}
