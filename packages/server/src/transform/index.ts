// Only the main thread's side: the sandbox (and the QuickJS engine it loads) lives in the transformation threads.
export { Transformer, transformationProblem, tryTransformation } from './transformer.js';
