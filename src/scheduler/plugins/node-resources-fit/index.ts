// NodeResourcesFit: the plugin's registry entry. See plugin.ts.
import type { PluginFactory } from '../../framework/types.js';
import { parseFitArgs } from './args.js';
import { NAME, NodeResourcesFit } from './plugin.js';

export { NAME, NodeResourcesFit };
export { parseFitArgs, type FitArgs, type ResourceSpec, type ScoringStrategy } from './args.js';
export { fits, fitsRequest, type InsufficientResource } from './fits.js';

export const factory: PluginFactory = (args) => new NodeResourcesFit(parseFitArgs(args));
