export { Sandbox, TransformationError } from './sandbox.js';
export { RUN_DEADLINE_MS, Transformer, transformationProblem, tryTransformation, WARM_SANDBOXES } from './transformer.js';
