export { Sandbox, TransformationError } from './sandbox.js';
export { Transformer, transformationProblem, WARM_SANDBOXES } from './transformer.js';
